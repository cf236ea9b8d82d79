"""Saved ledger filters (我的筛选)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from diaodu.audit.services import record
from diaodu.org.scope import require
from diaodu.projects.models import (
    SavedFilter,
)


# ---------------------------------------------------------------- saved filters
@transaction.atomic
def save_filter(by, name: str, query: str) -> SavedFilter:
    require(by, "projects.view")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写筛选名称。"})
    sf, created = SavedFilter.objects.update_or_create(
        user=by, name=name[:60], defaults={"query": query[:1000]}
    )
    record("filter.save", sf, after={"name": sf.name, "query": sf.query}, only_changes=False)
    return sf


@transaction.atomic
def delete_filter(by, sf: SavedFilter) -> None:
    if sf.user_id != by.pk:
        raise PermissionDenied("只能删除自己的筛选。")
    record("filter.delete", sf, before={"name": sf.name, "query": sf.query}, only_changes=False)
    sf.delete()

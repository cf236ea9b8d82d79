"""Scope helpers of the supervision reads: the units and records a person may see."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404

from diaodu.engine import cleaning
from diaodu.org.models import Unit
from diaodu.org.scope import restrict_units, scope_for
from diaodu.projects import queries as project_queries

PAGE_SIZE = 50
ZERO = Decimal("0")
LOOKBACK = 6  # periods looked back for consecutive missing reports


def _path_ids(unit: Unit) -> list[int]:
    return [int(x) for x in unit.path.strip("/").split("/") if x]


def _int(value):
    return cleaning.integer_or(value, None)


# ---------------------------------------------------------------- scope helpers
def _scoped(qs, user, field: str = "project"):
    s = scope_for(user)
    if not s.has("projects.view"):
        return qs.none()
    if s.all_units:
        return qs
    return qs.filter(**{f"{field}__in": project_queries.visible(user).values("pk")})


def own_unit_ids(user) -> set[int]:
    """The units a person belongs to, with everything below them (a department and its offices)."""
    s = scope_for(user)
    if not s.member_unit_ids:
        return set()
    members = list(Unit.objects.filter(pk__in=s.member_unit_ids))
    return set(Unit.objects.subtrees(members).values_list("pk", flat=True))


def visible_units(user):
    return restrict_units(Unit.objects.filter(is_active=True), user).order_by("path")


def get_unit(user, pk) -> Unit:
    try:
        return visible_units(user).get(pk=int(pk))
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404("单位不存在或无权查看。") from None


def get_unit_by_code(user, code: str) -> Unit:
    unit = visible_units(user).filter(code=code).first()
    if unit is None:
        raise Http404(f"单位“{code}”不存在或无权查看。")
    return unit

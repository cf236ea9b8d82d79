"""The task list's filters (重点任务), shared by the page and the API list."""

from __future__ import annotations

import django_filters
from django.http import Http404

from diaodu.filtering import FlagFilter, ScopedFilterSet
from diaodu.org.models import Unit
from diaodu.org.scope import restrict_units
from diaodu.tasks import queries
from diaodu.tasks.models import Task, TaskLevel, TaskStatus


def _pk(value) -> int:
    """An id from a filter; one no row can have (0) when out of range."""
    try:
        n = int(value)
    except (TypeError, ValueError, OverflowError):
        return 0
    return n if 0 < n < 2**31 else 0


class TaskFilterSet(ScopedFilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=TaskStatus.choices)
    level = django_filters.ChoiceFilter(label="交办级别", choices=TaskLevel.choices)
    lead_unit = django_filters.NumberFilter(label="牵头单位")
    leader = django_filters.CharFilter(label="责任领导")
    no_leader = FlagFilter(label="未指定责任领导")
    document = django_filters.NumberFilter(label="来源文件")
    no_document = FlagFilter(label="非文件来源")
    overdue = FlagFilter(label="逾期")
    escalated = FlagFilter(label="督办中")
    mine = FlagFilter(label="本单位牵头")
    top = FlagFilter(label="只看一级任务")
    q = django_filters.CharFilter(label="关键词")

    class Meta:
        model = Task
        fields: list[str] = []

    def build(self, v: dict) -> queries.TaskFilter:
        f = queries.TaskFilter(
            status=v.get("status") or "",
            level=v.get("level") or "",
            leader=(v.get("leader") or "").strip()[:50],
            no_leader=bool(v.get("no_leader")),
            no_document=bool(v.get("no_document")),
            overdue=bool(v.get("overdue")),
            escalated=bool(v.get("escalated")),
            mine=bool(v.get("mine")),
            top_only=bool(v.get("top")),
            text=(v.get("q") or "").strip()[:100],
        )
        if v.get("lead_unit") is not None:
            unit = (
                restrict_units(Unit.objects.all(), self.user).filter(pk=int(v["lead_unit"])).first()
            )
            if (
                unit is None
                and not queries.visible(self.user).filter(lead_unit_id=int(v["lead_unit"])).exists()
            ):
                raise Http404("单位不存在或无权查看。")
            f.lead_unit = unit or Unit.objects.get(pk=int(v["lead_unit"]))
        if v.get("document") is not None:
            f.document = int(v["document"])
        return f

    def query(self, user, f):
        return queries.tasks(user, f)

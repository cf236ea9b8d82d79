"""The problem list's filters (问题清单), shared by the page and the API list."""

from __future__ import annotations

import django_filters

from diaodu.filtering import FlagFilter, ScopedFilterSet
from diaodu.supervision import queries
from diaodu.supervision.models import Problem, ProblemStatus


class ProblemFilterSet(ScopedFilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=ProblemStatus.choices)
    type = django_filters.CharFilter(label="问题类型")
    unit = django_filters.NumberFilter(label="所属园区")
    responsible = django_filters.NumberFilter(label="责任单位")
    overdue = FlagFilter(label="已超期")
    escalated = FlagFilter(label="已升级督办")
    open = FlagFilter(label="未销号")
    mine = FlagFilter(label="本单位办理")
    requests = FlagFilter(label="退回交办与延期申请")
    q = django_filters.CharFilter(label="关键词")

    class Meta:
        model = Problem
        fields: list[str] = []  # the filters above only

    def build(self, v: dict) -> queries.ProblemFilter:
        f = queries.ProblemFilter(
            status=v.get("status") or "",
            type_code=(v.get("type") or "")[:20],
            overdue=bool(v.get("overdue")),
            escalated=bool(v.get("escalated")),
            open_only=bool(v.get("open")),
            mine=bool(v.get("mine")),
            requests=bool(v.get("requests")),
            text=(v.get("q") or "").strip()[:100],
        )
        if v.get("unit") is not None:
            # a unit outside the person's scope is refused (404), never widened to "all"
            f.unit = queries.get_unit(self.user, int(v["unit"]))
        if v.get("responsible") is not None:
            f.responsible = queries.departments().filter(pk=int(v["responsible"])).first()
        return f

    def query(self, user, f):
        return queries.problems(user, f)

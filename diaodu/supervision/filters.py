"""The supervision lists' filters, each shared by the page and the API list: 问题清单,
周报 (status, late), 亮灯 (colour), 对接记录 (project). The unit and the period of a list are
resolved once by ``queries.resolve`` for both."""

from __future__ import annotations

import django_filters

from diaodu.filtering import FlagFilter, ListFilterSet, ScopedFilterSet
from diaodu.supervision import queries
from diaodu.supervision.models import (
    ActionItem,
    ActionStatus,
    ContactLog,
    Light,
    LightColor,
    Problem,
    ProblemStatus,
    ProgressReport,
    ReportStatus,
)


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


class ReportFilterSet(ListFilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=ReportStatus.choices)
    late = django_filters.BooleanFilter(label="迟报", field_name="is_late")  # 1 / 0

    class Meta:
        model = ProgressReport
        fields: list[str] = []


class LightFilterSet(ListFilterSet):
    color = django_filters.ChoiceFilter(label="灯色", choices=LightColor.choices)

    class Meta:
        model = Light
        fields: list[str] = []


class ContactFilterSet(ListFilterSet):
    project = django_filters.NumberFilter(label="项目", field_name="project_id")

    class Meta:
        model = ContactLog
        fields: list[str] = []


class ActionFilterSet(ListFilterSet):
    """议定事项: the open ones unless the query string says otherwise (``status=`` for all)."""

    status = django_filters.ChoiceFilter(label="状态", choices=ActionStatus.choices)

    class Meta:
        model = ActionItem
        fields: list[str] = []

    def __init__(self, data=None, **kw):
        data = data.copy() if data is not None else {}
        if "status" not in data:
            data["status"] = ActionStatus.OPEN
        super().__init__(data, **kw)

"""The project ledger's filters (项目台账), shared by the page, its count, its export and the
API list. Parsing makes no query except for a named unit or a typed person's name."""

from __future__ import annotations

import django_filters

from diaodu.engine import stages as S
from diaodu.filtering import ScopedFilterSet
from diaodu.org import queries as org_queries
from diaodu.org.models import User
from diaodu.org.scope import restrict_people
from diaodu.projects import queries
from diaodu.projects.models import Level, PlanCategory, Project


class LedgerFilterSet(ScopedFilterSet):
    unit = django_filters.NumberFilter(label="所属单位")
    stage = django_filters.MultipleChoiceFilter(
        label="项目阶段", choices=[(s, S.label(s)) for s in S.ALL]
    )
    category = django_filters.ChoiceFilter(label="计划类别", choices=PlanCategory.choices)
    level = django_filters.ChoiceFilter(label="项目级别", choices=Level.choices)
    industry = django_filters.CharFilter(label="行业代码")
    person = django_filters.NumberFilter(label="责任人")
    person_name = django_filters.CharFilter(label="责任人姓名")
    q = django_filters.CharFilter(label="关键词")
    sort = django_filters.ChoiceFilter(label="排序", choices=[(k, k) for k in queries.SORTS])

    class Meta:
        model = Project
        fields: list[str] = []  # the filters above only

    def build(self, v: dict) -> queries.LedgerFilter:
        unit = None
        if v.get("unit") is not None:
            # a unit outside the person's scope is refused, never widened to "all"
            unit = org_queries.get_unit(self.user, int(v["unit"]))
        person = int(v["person"]) if v.get("person") is not None else None
        return queries.LedgerFilter(
            unit=unit,
            stages=self._stages(v),
            category=v.get("category") or "",
            level=v.get("level") or "",
            industry=(v.get("industry") or "").strip().upper()[:5],
            person=person or self._person_by_name(v.get("person_name") or ""),
            text=(v.get("q") or "").strip()[:100],
            sort=v.get("sort") or "-id",
        )

    def _stages(self, v: dict) -> tuple[str, ...]:
        """The known stages asked for: on a page an unknown one is reported and the others kept."""
        if hasattr(self.data, "getlist"):
            return tuple(s for s in self.data.getlist("stage") if s in S.ALL)
        return tuple(v.get("stage") or ())

    def _person_by_name(self, name: str):
        """The 责任人 filter takes a typed name (a dropdown of every person does not scale)."""
        name = name.strip()
        if not name:
            return None
        hit = (
            restrict_people(User.objects.filter(name=name), self.user)
            .values_list("pk", flat=True)
            .first()
        )
        return hit or -1  # an unknown name matches nothing rather than everything

    @property
    def stage_errors(self) -> list[str]:
        """The page's message for unknown stages (the other bad values are just ignored)."""
        bad = [s for s in self.data.getlist("stage") if s and s not in S.ALL]
        return [f"未知的项目阶段：{'、'.join(bad)}"] if bad else []

    def query(self, user, f):
        return queries.ledger(user, f)

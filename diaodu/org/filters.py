"""The filters of the unit and people lists, shared by the pages (/org/units/, /org/people/) and
the API lists (/api/v1/org/units, /api/v1/org/people)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from diaodu.filtering import ListFilterSet
from diaodu.org import queries
from diaodu.org.models import Unit, UnitKind, User


class UnitFilterSet(ListFilterSet):
    kind = django_filters.ChoiceFilter(label="类型", choices=UnitKind.choices)
    q = django_filters.CharFilter(label="关键词", method="filter_text")

    class Meta:
        model = Unit
        fields: list[str] = []

    def filter_text(self, qs, name, value):
        text = value.strip()
        if not text:
            return qs
        return qs.filter(
            Q(name__icontains=text) | Q(code__icontains=text) | Q(short_name__icontains=text)
        )


class PeopleFilterSet(ListFilterSet):
    q = django_filters.CharFilter(label="关键词", method="filter_text")
    unit = django_filters.NumberFilter(label="单位", method="filter_unit")
    active = django_filters.ChoiceFilter(
        label="状态", choices=[("1", "在用"), ("0", "停用")], method="filter_active"
    )

    class Meta:
        model = User
        fields: list[str] = []

    @property
    def unit_chosen(self) -> Unit | None:
        """The chosen unit (scoped: 404 outside the person's units), or None."""
        self.form.is_valid()
        pk = self.form.cleaned_data.get("unit")
        return None if pk is None else queries.get_unit(self.request.user, int(pk))

    def filter_text(self, qs, name, value):
        text = value.strip()
        if not text:
            return qs
        return qs.filter(Q(name__icontains=text) | Q(username__icontains=text))

    def filter_unit(self, qs, name, value):
        unit = self.unit_chosen
        return qs.filter(memberships__unit__in=Unit.objects.subtree(unit)).distinct()

    def filter_active(self, qs, name, value):
        return qs.filter(is_active=value == "1")

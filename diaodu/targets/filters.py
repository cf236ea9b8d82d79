"""The target agreements list's filters (目标责任状), shared by the page and the API list."""

from __future__ import annotations

import django_filters

from diaodu.filtering import ListFilterSet
from diaodu.targets import queries
from diaodu.targets.models import TargetAgreement


class AgreementFilterSet(ListFilterSet):
    year = django_filters.NumberFilter(label="年度")
    unit = django_filters.NumberFilter(label="单位", method="filter_unit")
    status = django_filters.ChoiceFilter(label="状态", choices=TargetAgreement.Status.choices)

    class Meta:
        model = TargetAgreement
        fields: list[str] = []

    @property
    def unit_chosen(self):
        """The chosen unit (scoped: 404 outside the person's units), or None."""
        self.form.is_valid()
        pk = self.form.cleaned_data.get("unit")
        return None if pk is None else queries.get_unit(self.request.user, int(pk))

    def filter_unit(self, qs, name, value):
        return qs.filter(unit__path__startswith=self.unit_chosen.path)

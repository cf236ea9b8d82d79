"""List filters parsed once, by django-filter, for a page and its API list alike.

A list's ``FilterSet`` (``<app>/filters.py``) reads the query string — ``?status=assigned&
overdue=1`` from a page's form or the API — and turns it into the app's filter dataclass, which
the app's scoped query applies (``queries.problems(user, f)``). The page shows the messages of a
bad filter and ignores it; the API answers 422 with them. Both name the filter in Chinese.

:class:`ScopedFilterSet` holds what every such FilterSet shares: the signed-in person, the
Chinese messages, and ``qs`` = the scoped query with the parsed filter.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError

__all__ = ["FlagFilter", "ListFilterSet", "ScopedFilterSet"]

TRUE = {"1", "true", "True", "on", "yes"}


class FlagField(forms.Field):
    """A switch in a query string: ``1``, ``true`` or ``on`` is on; anything else is off."""

    def to_python(self, value):
        if isinstance(value, bool):
            return value
        return str(value).strip() in TRUE if value not in (None, "") else False


class FlagFilter(django_filters.Filter):
    field_class = FlagField


class _Messages:
    """The Chinese messages of a bad filter, for the page (shown, the filter ignored) and the API
    (``raise_errors``: 422)."""

    @property
    def messages(self) -> dict[str, str]:
        """Field → Chinese message naming the filter and the refused value."""
        self.form.is_valid()
        out = {}
        for key in self.form.errors:
            label = self.filters[key].label or key
            raw = self.data.getlist(key) if hasattr(self.data, "getlist") else self.data.get(key)
            shown = "、".join(map(str, raw)) if isinstance(raw, list) else raw
            out[key] = f"筛选条件“{label}”的值无效：{shown}。"
        return out

    def raise_errors(self) -> None:
        """For the API: refuse a bad filter (422) instead of ignoring it."""
        if self.messages:
            raise ValidationError(self.messages)


class ListFilterSet(_Messages, django_filters.FilterSet):
    """A FilterSet over a list the view has already scoped (``queryset``): django-filter's own
    filtering, a value that fails to parse is left out, and the Chinese messages say so::

        fs = ReportFilterSet(request.GET, queryset=queries.period_reports(user, unit, period),
                             request=request)
        fs.raise_errors()   # the API only; the page ignores a bad filter
        rows = fs.qs

    Without a queryset it filters nothing (``none()``, never the unscoped table); a view that
    scopes its rows later applies ``fs.filter_queryset(rows)``.
    """

    def __init__(self, data=None, *, queryset=None, request):
        if queryset is None:
            queryset = self._meta.model._default_manager.none()
        super().__init__(data, queryset=queryset, request=request)


class ScopedFilterSet(_Messages, django_filters.FilterSet):
    """A FilterSet whose result is the app's scoped query with the parsed filter.

    Subclasses define the filters (their ``label`` is the Chinese name shown in messages) and
    ``build(values)`` → the app's filter object, and ``query(user, f)`` → the scoped queryset.
    Values that fail to parse are left out of ``values`` (the filter is ignored) and reported
    by :attr:`messages`."""

    def __init__(self, data=None, *, request, queryset=None):
        super().__init__(data, queryset=queryset, request=request)

    @property
    def user(self):
        return self.request.user

    @property
    def values(self) -> dict:
        self.form.is_valid()
        return {k: v for k, v in self.form.cleaned_data.items() if k not in self.form.errors}

    def build(self, values: dict):  # pragma: no cover - abstract
        raise NotImplementedError

    def query(self, user, f):  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def filter(self):
        if not hasattr(self, "_filter"):
            self._filter = self.build(self.values)
        return self._filter

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            self._qs = self.query(self.user, self.filter)
        return self._qs

"""The inbox's filters (我的消息), shared by the page and the API list."""

from __future__ import annotations

import django_filters

from diaodu.filtering import FlagFilter, ListFilterSet
from diaodu.notify.models import Kind, Message


class InboxFilterSet(ListFilterSet):
    unread = FlagFilter(label="未读", method="filter_unread")
    kind = django_filters.ChoiceFilter(label="类别", choices=Kind.choices)

    class Meta:
        model = Message
        fields: list[str] = []

    def filter_unread(self, qs, name, value):
        return qs.filter(read_at__isnull=True) if value else qs

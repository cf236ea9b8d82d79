"""The notify lists' filters: the inbox (我的消息, shared by the page and the API list) and the
send log (发送记录)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from diaodu.filtering import FlagFilter, ListFilterSet
from diaodu.notify import queries
from diaodu.notify.models import Channel, Delivery, DeliveryStatus, Kind, Message
from diaodu.org import queries as org_queries


class InboxFilterSet(ListFilterSet):
    unread = FlagFilter(label="未读", method="filter_unread")
    kind = django_filters.ChoiceFilter(label="类别", choices=Kind.choices)

    class Meta:
        model = Message
        fields: list[str] = []

    def filter_unread(self, qs, name, value):
        return qs.filter(read_at__isnull=True) if value else qs


class DeliveryFilterSet(ListFilterSet):
    """The send log's filters (发送记录): status, channel and unit (both scoped: 404 outside), text."""

    status = django_filters.ChoiceFilter(label="状态", choices=DeliveryStatus.choices)
    channel = django_filters.NumberFilter(label="渠道", method="filter_channel")
    unit = django_filters.NumberFilter(label="单位", method="filter_unit")
    q = django_filters.CharFilter(label="关键词", method="filter_text")

    class Meta:
        model = Delivery
        fields: list[str] = []

    def _chosen(self, key, get):
        self.form.is_valid()
        pk = self.form.cleaned_data.get(key)
        return None if pk is None else get(self.request.user, int(pk))

    @property
    def channel_chosen(self) -> Channel | None:
        return self._chosen("channel", queries.get_channel)

    @property
    def unit_chosen(self):
        return self._chosen("unit", org_queries.get_unit)

    def filter_channel(self, qs, name, value):
        return qs.filter(channel=self.channel_chosen)

    def filter_unit(self, qs, name, value):
        return qs.filter(channel__unit__path__startswith=self.unit_chosen.path)

    def filter_text(self, qs, name, value):
        text = value.strip()
        if not text:
            return qs
        return qs.filter(Q(title__icontains=text) | Q(last_error__icontains=text))

"""Translation helpers shared by every app (English is the second interface language).

Choice labels are marked with ``gettext_noop`` where they are defined, so they stay plain
strings in data, exports and the API, and are put into the catalogue; pages translate them
when they show them (``{% translate x.get_y_display %}``, :func:`tr_choices` for form
choices). The engine is pure Python without Django, so its labels are listed here for the
catalogue.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy, gettext_noop

# diaodu.engine.stages.LABELS
STAGE_LABELS = (
    gettext_noop("线索"),
    gettext_noop("在谈"),
    gettext_noop("签约"),
    gettext_noop("落地"),
    gettext_noop("前期"),
    gettext_noop("在建"),
    gettext_noop("竣工"),
    gettext_noop("投产"),
    gettext_noop("达产"),
    gettext_noop("暂缓"),
    gettext_noop("终止"),
)


def tr_choices(choices) -> list:
    """Form choices whose labels are translated when the form is shown."""
    return [
        (value, gettext_lazy(label) if isinstance(label, str) else label)
        for value, label in choices
    ]


def period_name(period) -> str:
    """A report period's name in the interface language ("2026年第47周", "Week 47, 2026")."""
    if getattr(period, "kind", "") == "weekly":
        return gettext("%(year)s年第%(n)s周") % {"year": period.year, "n": period.number}
    return gettext("%(year)s年%(n)s月") % {"year": period.year, "n": period.number}

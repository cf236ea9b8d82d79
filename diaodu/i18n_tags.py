"""Template filters of diaodu.i18n, built into every template (settings.TEMPLATES builtins)."""

from django import template

from diaodu import i18n

register = template.Library()


@register.filter
def period_name(period) -> str:
    return i18n.period_name(period) if period else ""

"""Template filters of diaodu.i18n, built into every template (settings.TEMPLATES builtins)."""

from django import template

from diaodu import i18n

register = template.Library()


@register.filter
def period_name(period) -> str:
    return i18n.period_name(period) if period else ""


@register.filter
def tr(text) -> str:
    """A message made in Chinese (a service's error, a light's reason, a figure's definition) in
    the interface language: see :func:`diaodu.i18n.tr`."""
    return i18n.tr(text)

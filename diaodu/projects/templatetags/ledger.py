from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def wan(value):
    """万元 with thousands separators, no trailing zeros."""
    if value in (None, ""):
        return "—"
    d = Decimal(value)
    text = f"{d:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def yi(value):
    """万元 → 亿元 for display."""
    if value in (None, ""):
        return "—"
    return f"{Decimal(value) / 10000:,.2f}"


@register.filter
def stage_color(stage):
    return {"lead": "secondary", "negotiating": "azure", "signed": "indigo", "landed": "purple",
            "preparing": "orange", "under_construction": "blue", "completed": "teal", "operating": "green",
            "at_capacity": "lime", "suspended": "yellow", "dropped": "red"}.get(stage, "secondary")


@register.filter
def nonempty_items(mapping):
    """The (key, value) pairs of an audit before/after dict that carry a value."""
    if not isinstance(mapping, dict):
        return []
    return [(k, v) for k, v in mapping.items() if v not in (None, "", [], {}) and k != "version"]

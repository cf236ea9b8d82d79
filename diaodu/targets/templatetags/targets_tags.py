from decimal import Decimal

from django import template

from diaodu import clock

register = template.Library()

LIGHT_LABEL = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "none": "无数据"}


@register.filter
def num(value, places=2):
    """A figure for people: thousands separators, at most `places` decimals, no trailing zeros."""
    if value in (None, ""):
        return "—"
    d = Decimal(str(value)).quantize(Decimal(1).scaleb(-int(places)))
    text = f"{d:,.{int(places)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@register.filter
def pct(value):
    """A ratio (0.8532) as a percentage (85.32%), always with two decimals so that cards side
    by side read alike (78.00%, not 78% next to 59.01%)."""
    if value in (None, ""):
        return "—"
    d = (Decimal(str(value)) * 100).quantize(Decimal("0.01"))
    return f"{d:,.2f}%"


@register.filter
def light_label(value):
    return LIGHT_LABEL.get(value, value)


@register.filter
def pace_label(profile):
    """Which 序时进度 profile a figure is judged by (按天 / 按月 / 自定义)."""
    from diaodu.targets.queries import profile_label

    return profile_label(profile) if profile is not None else ""


@register.filter
def pace_hint(profile):
    from diaodu.targets.queries import profile_hint

    return profile_hint(profile) if profile is not None else ""


@register.filter
def signed(value):
    if value in (None, ""):
        return "—"
    text = num(value)
    return text if text.startswith("-") or text == "0" else "+" + text


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.inclusion_tag("targets/_home_cards_body.html", takes_context=True)
def targets_home_cards(context):
    """Indicator cards of the leader's default unit on the home page: nothing for people without
    the cockpit permission; a bounded number of queries (no monthly series)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    from diaodu.org.scope import scope_for

    if user is None or not user.is_authenticated or not scope_for(user).has("cockpit.view"):
        return {"show": False}
    from diaodu.targets import queries
    from diaodu.targets.views import default_unit

    today = clock.today()
    unit = default_unit(user, today.year)
    if unit is None:
        return {"show": False}
    rows, mode, used = queries.unit_rows(user, unit, today.year, today)
    if not rows:
        return {"show": False}
    return {
        "show": True,
        "unit": unit,
        "rows": rows[:8],
        "year": today.year,
        "on": today,
        "mode": mode,
        "n": len(used),
    }

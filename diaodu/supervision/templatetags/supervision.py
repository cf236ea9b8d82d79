from django import template

register = template.Library()

COLORS = {"red": "red", "yellow": "yellow", "green": "green"}
STATUS_COLORS = {
    "raised": "secondary",
    "assigned": "blue",
    "in_progress": "azure",
    "resolved": "teal",
    "closed": "green",
    "returned": "orange",
    "sent_back": "yellow",
    "submitted": "blue",
    "accepted": "green",
    "open": "orange",
    "done": "green",
    "planned": "secondary",
    "held": "green",
}


@register.filter
def light_class(color):
    return COLORS.get(color, "secondary")


@register.filter
def status_class(status):
    return STATUS_COLORS.get(status, "secondary")


@register.inclusion_tag("supervision/_panel.html", takes_context=True)
def supervision_panel(context, project):
    from diaodu.org.scope import scope_for
    from diaodu.supervision import queries

    request = context.get("request")
    user = getattr(request, "user", None)
    s = scope_for(user)
    data = queries.project_panel(user, project) if s.has("projects.view") else {}
    return {
        "p": project,
        **data,
        "can_file": s.has("reports.file"),
        "can_raise": s.has("problems.raise"),
    }


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def num(value):
    """A percentage or ratio as the bulletin prints it: one decimal, no trailing zeros."""
    from diaodu.supervision.bulletin import pct

    return pct(value)[:-1] if value not in (None, "") else "—"


FIGURE_GROUPS = [
    ("projects.stage.", "项目（按阶段）"),
    ("projects.category.", "项目（按年度类别）"),
    ("investment.", "投资"),
    ("reports.", "周报"),
    ("lights.", "亮灯"),
    ("problems.", "问题"),
    ("targets.", "目标完成"),
]


@register.inclusion_tag("supervision/_figures.html", takes_context=True)
def figures_panel(context, unit, on=None, period=None, computed=None):
    """主要数据: every headline figure of the unit on one date, each with its definition on hover
    and in the 口径说明 list below (the same list as /api/v1/figures)."""
    from diaodu.org.scope import scope_for
    from diaodu.supervision import figures

    request = context.get("request")
    user = getattr(request, "user", None)
    if unit is None or user is None or not scope_for(user).has("projects.view"):
        return {"show": False}
    numbers, figs = figures.headline(user, unit, on, period=period, computed=computed)
    groups = []
    for prefix, title in FIGURE_GROUPS:
        members = [f for f in figs if f.key.startswith(prefix)]
        if members:
            groups.append({"title": title, "figures": members})
    return {
        "show": True,
        "unit": unit,
        "on": numbers.on,
        "period": numbers.period,
        "groups": groups,
    }

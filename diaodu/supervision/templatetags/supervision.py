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

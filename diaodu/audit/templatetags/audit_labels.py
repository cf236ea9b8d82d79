"""Audit keys as people read them: {{ e.action|action_label }}, {{ e.object_type|object_label }},
{{ e.actor_name|actor_label }}, {% audit_changes e as rows %}."""

from django import template

from diaodu.audit import labels

register = template.Library()

register.filter("action_label", labels.action_label)
register.filter("object_label", labels.object_label)
register.filter("actor_label", labels.actor_label)


@register.simple_tag
def audit_changes(entry, compact=False):
    """The rows of a change; `compact` leaves out the version counter and empty new values."""
    rows = labels.changes(entry.object_type, entry.before, entry.after)
    if compact:
        rows = [
            r
            for r in rows
            if r["key"] != "version" and (r["had_before"] or r["after"] not in (None, "", [], {}))
        ]
    return rows


@register.filter
def audit_value(value):
    """A value of a snapshot, short: lists joined, None as —."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value) or "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)

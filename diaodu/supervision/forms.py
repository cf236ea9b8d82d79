"""From a request to the plain data the services take (the services validate, in Chinese), and
from a service's ValidationError back to messages per field for the form."""

from __future__ import annotations

REPORT_FIELDS = ("period", "progress_text", "invested", "reduction_note", "next_plan", "version")
CONTACT_FIELDS = ("on", "people", "enterprise_contact", "method", "content")
CYCLE_FIELDS = (
    "frequency",
    "deadline_weekday",
    "deadline_day",
    "deadline_time",
    "remind_hours_before",
    "starts_on",
    "min_contacts_per_week",
    "centre_latitude",
    "centre_longitude",
    "zone_radius_km",
    "project_radius_km",
    "photo_max_days_before",
    "urge_after_wd",
    "supervise_after_wd",
    "elevate_after_wd",
    "version",
)
RULE_FIELDS = (
    ("red_pace_below", "dec"),
    ("yellow_pace_below", "dec"),
    ("red_missing_reports", "int"),
    ("yellow_missing_reports", "int"),
    ("red_problem_level", "level"),
    ("yellow_problem_overdue", "bool"),
    ("red_procedure_overdue", "bool"),
    ("yellow_procedure_at_risk", "bool"),
    ("yellow_no_contact_weeks", "int"),
    ("red_no_contact_weeks", "int"),
)


def pick(post, fields) -> dict:
    return {k: post.get(k, "") for k in fields if k in post}


def problem_drafts(post) -> list[dict]:
    """Problems raised inline: repeated problem_title / problem_type / problem_unit / problem_desc."""
    titles, types = post.getlist("problem_title"), post.getlist("problem_type")
    units, descs = post.getlist("problem_unit"), post.getlist("problem_desc")
    out = []
    for i, title in enumerate(titles):
        out.append(
            {
                "title": title,
                "type_code": types[i] if i < len(types) else "",
                "suggested_unit_id": (units[i] if i < len(units) else "") or None,
                "description": descs[i] if i < len(descs) else "",
            }
        )
    return out


def rules_from(post) -> dict:
    """The light-rule thresholds of the rules page (blank = switched off); bad numbers are left as
    text so that LightRules names them in its message."""
    out = {}
    for key, kind in RULE_FIELDS:
        raw = (post.get(key) or "").strip()
        if kind == "bool":
            out[key] = post.get(key) == "on"
        elif kind == "level":
            out[key] = raw or None
        elif kind == "int":
            try:
                out[key] = int(raw) if raw else None
            except ValueError:
                out[key] = raw
        else:
            out[key] = raw or "0"
    return out

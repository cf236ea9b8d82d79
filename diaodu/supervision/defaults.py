"""Permission keys of the supervision loop granted to the built-in roles of existing databases
(new databases get them from org.builtin). Idempotent: adds only what is missing."""

from __future__ import annotations

ROLE_GRANTS = {
    "leader": ["problems.raise", "problems.assign", "lights.override", "bulletins.export"],
    "supervisor": [
        "reports.file",
        "reports.review",
        "problems.raise",
        "problems.assign",
        "problems.handle",
        "lights.override",
        "meetings.manage",
        "bulletins.export",
        "supervision.rules",
    ],
    "park_staff": ["reports.file", "reports.review", "problems.raise", "bulletins.export"],
    "department": ["problems.handle"],
    "secretary": ["reports.file", "problems.raise"],
}


def grant_role_keys(apps=None) -> None:
    from diaodu.org.builtin import grant_keys

    grant_keys(ROLE_GRANTS, apps)

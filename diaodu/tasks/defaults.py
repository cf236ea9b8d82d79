"""Permission keys of the tasks app granted to the built-in roles of existing databases (new
databases get them from org.builtin). Idempotent: adds only what is missing."""

from __future__ import annotations

ROLE_GRANTS = {
    "leader": ["tasks.view"],
    "supervisor": ["tasks.view", "tasks.manage", "tasks.handle"],
    "park_staff": ["tasks.view", "tasks.handle"],
    "department": ["tasks.view", "tasks.handle"],
}


def grant_role_keys(apps=None) -> None:
    from diaodu.org.builtin import grant_keys

    grant_keys(ROLE_GRANTS, apps)

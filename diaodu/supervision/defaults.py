"""Permission keys of the supervision loop granted to the built-in roles of existing databases
(new databases get them from org.builtin). Idempotent: adds only what is missing."""
from __future__ import annotations

ROLE_GRANTS = {
    "leader": ["problems.raise", "problems.assign", "lights.override", "bulletins.export"],
    "supervisor": ["reports.file", "reports.review", "problems.raise", "problems.assign", "problems.handle",
                   "lights.override", "meetings.manage", "bulletins.export", "supervision.rules"],
    "park_staff": ["reports.file", "reports.review", "problems.raise", "bulletins.export"],
    "department": ["problems.handle"],
    "secretary": ["reports.file", "problems.raise"],
}


def grant_role_keys(apps=None) -> None:
    if apps is None:
        from django.apps import apps as django_apps
        apps = django_apps
    Role = apps.get_model("org", "Role")
    for code, keys in ROLE_GRANTS.items():
        role = Role.objects.filter(code=code, is_builtin=True).first()
        if role is None:
            continue
        perms = list(role.permissions or [])
        missing = [k for k in keys if k not in perms]
        if missing:
            role.permissions = perms + missing
            role.save(update_fields=["permissions"])

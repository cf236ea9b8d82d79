"""Contact log endpoints (对接留痕)."""

from __future__ import annotations

from ninja import Query

from diaodu.org.scope import require
from diaodu.projects import queries as project_queries
from diaodu.supervision import queries, services

from .common import LIMIT, _where, router
from .schemas import ContactIn, ContactOut, Where


# ---------------------------------------------------------------- contacts
@router.get("/contacts", response=list[ContactOut], summary="对接记录")
def list_contacts(request, where: Query[Where], project: int | None = None):
    require(request.user, "projects.view")
    unit, _cycle, period = _where(request, where.unit, where.period)
    qs = queries.contacts(request.user, unit=unit, since=period.start, until=period.end)
    if project:
        qs = qs.filter(project_id=project)
    return [
        {
            **{
                f: getattr(c, f)
                for f in (
                    "id",
                    "project_id",
                    "on",
                    "people",
                    "enterprise_contact",
                    "method",
                    "content",
                    "logged_by_name",
                )
            },
            "project_name": c.project.name,
        }
        for c in qs[:LIMIT]
    ]


@router.post("/contacts", response={201: ContactOut}, summary="记录对接（留痕）")
def create_contact(request, payload: ContactIn):
    require(request.user, "reports.file")
    project = project_queries.get(request.user, payload.project_id)
    c = services.log_contact(
        request.user,
        project,
        payload.dict(exclude={"project_id", "problems"}),
        problems=payload.problems,
    )
    return 201, {
        **{
            f: getattr(c, f)
            for f in (
                "id",
                "project_id",
                "on",
                "people",
                "enterprise_contact",
                "method",
                "content",
                "logged_by_name",
            )
        },
        "project_name": project.name,
    }

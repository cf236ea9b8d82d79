"""Contact log endpoints (对接留痕)."""

# No `from __future__ import annotations`: @paginate wraps the views, and ninja resolves
# their parameter annotations (Query[...]) in the wrapper's module, not this one.

from ninja import Query
from ninja.pagination import paginate

from diaodu.org.scope import require
from diaodu.pagination import Paged, Rows
from diaodu.projects import queries as project_queries
from diaodu.supervision import queries, services
from diaodu.supervision.filters import ContactFilterSet

from .common import _where, router
from .schemas import ContactIn, ContactOut, Where


# ---------------------------------------------------------------- contacts
@router.get("/contacts", response=list[ContactOut], summary="对接记录（分页）")
@paginate(Paged)
def list_contacts(request, where: Query[Where], project: int | None = None):
    require(request.user, "projects.view")
    unit, _cycle, period = _where(request, where.unit, where.period)
    qs = queries.contacts(request.user, unit=unit, since=period.start, until=period.end)
    fs = ContactFilterSet(request.GET, queryset=qs, request=request)
    fs.raise_errors()
    return Rows(fs.qs, page=lambda rows: [_contact(c) for c in rows])


def _contact(c) -> dict:
    return {
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
    c.project = project  # the serializer reads its name: no second query
    return 201, _contact(c)

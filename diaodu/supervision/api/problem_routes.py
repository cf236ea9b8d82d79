"""Problem endpoints (问题清单): list, statistics, raise, detail, moves."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from ninja.pagination import paginate

from diaodu.org.scope import require, scope_for
from diaodu.pagination import Paged, Rows
from diaodu.projects import queries as project_queries
from diaodu.supervision import queries, services
from diaodu.supervision.models import ProblemStatus

from .common import _problem, router
from .schemas import MoveIn, ProblemIn, ProblemOut, StatOut


# ---------------------------------------------------------------- problems
@router.get("/problems", response=list[ProblemOut], summary="问题清单（分页）")
@paginate(Paged)
def list_problems(
    request,
    status: str = "",
    unit: int | None = None,
    type: str = "",
    overdue: bool = False,
    escalated: bool = False,
    mine: bool = False,
):
    s = scope_for(request.user)
    if not (s.has("projects.view") or s.has("problems.handle")):
        require(request.user, "projects.view")
    if status and status not in ProblemStatus.values:
        raise ValidationError({"status": "状态无效。"})
    f = queries.ProblemFilter(
        status=status,
        type_code=type,
        overdue=overdue,
        escalated=escalated,
        mine=mine,
        unit=queries.get_unit(request.user, unit) if unit else None,
    )
    return Rows(queries.problems(request.user, f), page=lambda rows: [_problem(p) for p in rows])


@router.get("/problems/stats", response=list[StatOut], summary="问题办理统计（按责任单位或类型）")
def problem_stats(request, by: str = "unit", unit: int | None = None):
    require(request.user, "projects.view")
    rows = queries.problem_stats(
        request.user,
        by="type" if by == "type" else "unit",
        unit=queries.get_unit(request.user, unit) if unit else None,
    )
    return [
        {
            "key": r.key,
            "label": r.label,
            "received": r.received,
            "resolved": r.resolved,
            "closed": r.closed,
            "overdue": r.overdue,
            "avg_days": r.avg_days,
            "satisfaction": r.satisfaction,
        }
        for r in rows
    ]


@router.post("/problems", response={201: ProblemOut}, summary="提出问题")
def create_problem(request, payload: ProblemIn):
    require(request.user, "problems.raise")
    project = project_queries.get(request.user, payload.project_id)
    unit = None
    if payload.suggested_unit_id:
        unit = queries.departments().filter(pk=payload.suggested_unit_id).first()
        if unit is None:
            raise ValidationError({"suggested_unit_id": "建议责任单位不存在。"})
    pr = services.raise_problem(
        request.user,
        project,
        title=payload.title,
        type_code=payload.type_code,
        description=payload.description,
        suggested_unit=unit,
    )
    return 201, _problem(pr, queries.problem_events(pr))


@router.get("/problems/{problem_id}", response=ProblemOut, summary="问题详情（含办理过程）")
def get_problem(request, problem_id: int):
    pr = queries.get_problem(request.user, problem_id)
    return _problem(pr, queries.problem_events(pr))


@router.post(
    "/problems/{problem_id}/transition",
    response=ProblemOut,
    summary="问题流转：assign 交办 / start 签收 / resolve 办结 / close 销号 / return 退回 / escalate 督办 / rate 评价",
)
def move_problem(request, problem_id: int, payload: MoveIn):
    pr = queries.get_problem(request.user, problem_id)
    a = payload.action
    if a == "assign":
        unit = queries.departments().filter(pk=payload.unit_id).first() if payload.unit_id else None
        pr = services.assign_problem(
            request.user, pr, unit=unit, deadline_wd=payload.deadline_wd, note=payload.note
        )
    elif a == "start":
        pr = services.start_problem(request.user, pr, note=payload.note)
    elif a == "resolve":
        pr = services.resolve_problem(request.user, pr, answer=payload.answer)
    elif a == "close":
        pr = services.close_problem(
            request.user, pr, satisfaction=payload.satisfaction, note=payload.note
        )
    elif a == "return":
        pr = services.return_problem(request.user, pr, reason=payload.reason)
    elif a == "escalate":
        pr = services.escalate_problem(request.user, pr, note=payload.note)
    elif a == "rate":
        pr = services.rate_problem(request.user, pr, payload.satisfaction, payload.note)
    else:
        raise ValidationError(
            {
                "action": f"未知的操作“{a}”：可用 assign、start、resolve、close、return、escalate、rate。"
            }
        )
    pr = queries.get_problem(request.user, pr.pk)
    return _problem(pr, queries.problem_events(pr))

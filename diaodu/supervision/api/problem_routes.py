"""Problem endpoints (问题清单): list, statistics, raise, detail, moves."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from ninja import File, Form, UploadedFile
from ninja.pagination import paginate

from diaodu.org.scope import require, scope_for
from diaodu.pagination import Paged, Rows
from diaodu.projects import queries as project_queries
from diaodu.supervision import queries, services
from diaodu.supervision.filters import ProblemFilterSet

from .common import _problem, router
from .schemas import MoveIn, ProblemIn, ProblemOut, StatOut


# ---------------------------------------------------------------- problems
@router.get("/problems", response=list[ProblemOut], summary="问题清单（分页，筛选同问题清单页面）")
@paginate(Paged)
def list_problems(
    request,
    status: str = "",
    unit: int | None = None,
    responsible: int | None = None,
    type: str = "",
    overdue: bool = False,
    escalated: bool = False,
    open: bool = False,
    mine: bool = False,
    requests: bool = False,
    q: str = "",
):
    s = scope_for(request.user)
    if not (s.has("projects.view") or s.has("problems.handle")):
        require(request.user, "projects.view")
    # the page's FilterSet over the same query string (the parameters above document it)
    fs = ProblemFilterSet(request.GET, request=request)
    fs.raise_errors()
    return Rows(fs.qs, page=lambda rows: [_problem(p) for p in rows])


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
    return 201, _detail(request, pr)


def _detail(request, pr):
    pr = queries.get_problem(request.user, pr.pk)
    return _problem(
        pr, queries.problem_events(pr), user=request.user, files=queries.problem_files(pr)
    )


@router.get(
    "/problems/{problem_id}",
    response=ProblemOut,
    summary="问题详情（含办理过程、办结附件和此人现在可进行的操作）",
)
def get_problem(request, problem_id: int):
    return _detail(request, queries.get_problem(request.user, problem_id))


@router.post(
    "/problems/{problem_id}/resolve",
    response=ProblemOut,
    summary="办结（multipart：answer 办理结果，files 佐证附件，evidence_kind 类别，evidence_note 说明）",
)
def resolve_problem(
    request,
    problem_id: int,
    answer: Form[str] = "",
    evidence_kind: Form[str] = "",
    evidence_note: Form[str] = "",
    version: Form[str] = "",
    files: File[list[UploadedFile]] = None,
):
    pr = queries.get_problem(request.user, problem_id)
    pr = services.resolve_problem(
        request.user,
        pr,
        answer=answer,
        files=files or [],
        evidence_kind=evidence_kind,
        evidence_note=evidence_note,
        version=version,
    )
    return _detail(request, pr)


@router.post(
    "/problems/{problem_id}/transition",
    response=ProblemOut,
    summary="问题流转：assign 交办 / start 签收 / resolve 办结 / close 销号 / return 退回 / "
    "send_back 退回交办 / request_extension 申请延期 / approve_extension 批准延期 / "
    "refuse_extension 不予延期 / escalate 督办 / rate 评价",
)
def move_problem(request, problem_id: int, payload: MoveIn):
    pr = queries.get_problem(request.user, problem_id)
    a, v = payload.action, payload.version
    if a == "assign":
        unit = queries.departments().filter(pk=payload.unit_id).first() if payload.unit_id else None
        pr = services.assign_problem(
            request.user,
            pr,
            unit=unit,
            deadline_wd=payload.deadline_wd,
            note=payload.note,
            version=v,
        )
    elif a == "start":
        pr = services.start_problem(request.user, pr, note=payload.note, version=v)
    elif a == "resolve":
        pr = services.resolve_problem(request.user, pr, answer=payload.answer, version=v)
    elif a == "close":
        pr = services.close_problem(
            request.user, pr, satisfaction=payload.satisfaction, note=payload.note, version=v
        )
    elif a == "return":
        pr = services.return_problem(request.user, pr, reason=payload.reason, version=v)
    elif a == "send_back":
        pr = services.send_back_problem(request.user, pr, reason=payload.reason, version=v)
    elif a == "request_extension":
        pr = services.request_extension(
            request.user, pr, new_due=payload.new_due, reason=payload.reason, version=v
        )
    elif a in ("approve_extension", "refuse_extension"):
        pr = services.decide_extension(
            request.user,
            pr,
            approve=a == "approve_extension",
            reason=payload.reason,
            version=v,
        )
    elif a == "escalate":
        pr = services.escalate_problem(request.user, pr, note=payload.note, version=v)
    elif a == "rate":
        pr = services.rate_problem(request.user, pr, payload.satisfaction, payload.note, version=v)
    else:
        raise ValidationError(
            {
                "action": f"未知的操作“{a}”：可用 assign、start、resolve、close、return、"
                "send_back、request_extension、approve_extension、refuse_extension、escalate、rate。"
            }
        )
    if not queries.problems(request.user).filter(pk=pr.pk).exists():
        # 退回交办: the department no longer sees the problem; it gets what it just did
        return _problem(pr, queries.problem_events(pr))
    return _detail(request, pr)

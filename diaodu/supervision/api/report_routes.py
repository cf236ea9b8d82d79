"""Report endpoints: list, detail, file, resubmit, return, accept, 更正, photos; 催报."""

# No `from __future__ import annotations`: @paginate wraps the views, and ninja resolves
# their parameter annotations (Query[...]) in the wrapper's module, not this one.

from django.http import Http404, HttpResponse
from ninja import File, Form, Query, UploadedFile
from ninja.pagination import paginate

from diaodu.engine.locking import version_given
from diaodu.org.scope import require
from diaodu.pagination import Paged, Rows
from diaodu.projects import queries as project_queries
from diaodu.supervision import queries, services
from diaodu.supervision.filters import ReportFilterSet

from .common import _photo, _problems_json, _report, _where, router
from .schemas import (
    CorrectionIn,
    CorrectionOut,
    CorrectionReviewIn,
    MissingOut,
    PhotoOut,
    ReasonIn,
    RemindIn,
    ReportOut,
    VersionIn,
    Where,
)


# ---------------------------------------------------------------- reports
@router.get("/reports", response=list[ReportOut], summary="周报（按单位、期次、状态；分页）")
@paginate(Paged)
def list_reports(request, where: Query[Where], status: str = "", late: bool | None = None):
    require(request.user, "projects.view")
    unit, _cycle, period = _where(request, where.unit, where.period)
    qs = queries.period_reports(request.user, unit, period).prefetch_related("photos")
    fs = ReportFilterSet(request.GET, queryset=qs, request=request)
    fs.raise_errors()
    return Rows(fs.qs, page=lambda rows: [_report(r) for r in rows])


@router.get("/reports/{report_id}", response=ReportOut, summary="周报详情")
def get_report(request, report_id: int):
    require(request.user, "projects.view")
    return _report(queries.get_report(request.user, report_id))


@router.post(
    "/reports",
    response={200: ReportOut, 201: ReportOut},
    summary="报送周报（multipart：字段 + photos 多张照片；problems 为 JSON 数组）",
    description=(
        "幂等：请求头 Idempotency-Key（或字段 client_key）带上客户端为这次填报生成的编号（如 UUID）。"
        "超时后用同一编号重试时，若上次已保存，返回已保存的周报（200，响应头 Idempotent-Replayed: true），"
        "而不是“已报送”错误；首次保存返回 201。"
    ),
)
def file_report(
    request,
    response: HttpResponse,
    project_id: Form[int],
    progress_text: Form[str] = "",
    invested: Form[str] = "",
    reduction_note: Form[str] = "",
    next_plan: Form[str] = "",
    period: Form[str] = "",
    problems: Form[str] = "",
    client_key: Form[str] = "",
    photos: File[list[UploadedFile]] = None,
):
    require(request.user, "reports.file")
    project = project_queries.get(request.user, project_id)
    r = services.file_report(
        request.user,
        project,
        {
            "period": period,
            "progress_text": progress_text,
            "invested": invested,
            "reduction_note": reduction_note,
            "next_plan": next_plan,
        },
        photo_files=photos or [],
        problems=_problems_json(problems),
        client_key=request.headers.get("Idempotency-Key", "") or client_key,
    )
    if getattr(r, "replayed", False):
        response["Idempotent-Replayed"] = "true"
        return 200, _report(queries.get_report(request.user, r.pk))
    return 201, _report(queries.get_report(request.user, r.pk))


@router.post(
    "/reports/{report_id}/resubmit", response=ReportOut, summary="修改后重新报送（multipart）"
)
def resubmit_report(
    request,
    report_id: int,
    progress_text: Form[str] = "",
    invested: Form[str] = "",
    reduction_note: Form[str] = "",
    next_plan: Form[str] = "",
    version: Form[str] = "",
    remove_photos: Form[str] = "",
    problems: Form[str] = "",
    photos: File[list[UploadedFile]] = None,
):
    r = queries.get_report(request.user, report_id)
    version_given(version, "周报")  # required: a resubmission is an update
    removed = [x for x in remove_photos.replace("，", ",").split(",") if x.strip()]
    r = services.resubmit_report(
        request.user,
        r,
        {
            "progress_text": progress_text,
            "invested": invested,
            "reduction_note": reduction_note,
            "next_plan": next_plan,
            "version": version,
        },
        photo_files=photos or [],
        remove_photos=removed,
        problems=_problems_json(problems),
    )
    return _report(queries.get_report(request.user, r.pk))


@router.post("/reports/{report_id}/return", response=ReportOut, summary="退回周报（须写明原因）")
def return_report(request, report_id: int, payload: ReasonIn):
    r = services.return_report(
        request.user,
        queries.get_report(request.user, report_id),
        payload.reason,
        version=payload.version,
    )
    return _report(queries.get_report(request.user, r.pk))


@router.post("/reports/{report_id}/accept", response=ReportOut, summary="审核通过")
def accept_report(request, report_id: int, payload: VersionIn):
    r = services.accept_report(
        request.user, queries.get_report(request.user, report_id), version=payload.version
    )
    return _report(queries.get_report(request.user, r.pk))


def _correction(c) -> dict:
    return {
        "report_id": c.report_id,
        **{
            f: getattr(c, f)
            for f in (
                "number",
                "status",
                "reason",
                "before",
                "after",
                "filed_by_name",
                "filed_at",
                "reviewed_by_name",
                "reviewed_at",
                "review_note",
            )
        },
    }


@router.get(
    "/reports/{report_id}/corrections", response=list[CorrectionOut], summary="周报的更正记录"
)
def list_corrections(request, report_id: int):
    return [_correction(c) for c in queries.get_report(request.user, report_id).corrections.all()]


@router.post(
    "/reports/{report_id}/corrections",
    response={201: CorrectionOut},
    summary="提交更正（仅审核通过的周报；须写明原因，经他人审核后生效）",
)
def correct_report(request, report_id: int, payload: CorrectionIn):
    data = {
        k: v
        for k, v in payload.dict().items()
        if k in ("invested", "progress_text", "next_plan") and v is not None
    }
    c = services.correct_report(
        request.user, queries.get_report(request.user, report_id), data, reason=payload.reason
    )
    return 201, _correction(c)


@router.post(
    "/reports/{report_id}/corrections/{number}/review",
    response=CorrectionOut,
    summary="审核更正（通过后投资合计与亮灯随之更新）",
)
def review_correction(request, report_id: int, number: int, payload: CorrectionReviewIn):
    report = queries.get_report(request.user, report_id)
    c = report.corrections.filter(number=number).first()
    if c is None:
        raise Http404("更正不存在。")
    c = services.review_correction(request.user, c, accept=payload.accept, note=payload.note)
    return _correction(c)


@router.post(
    "/reports/{report_id}/photos", response={201: list[PhotoOut]}, summary="补充照片（multipart）"
)
def add_photos(request, report_id: int, photos: File[list[UploadedFile]]):
    added = services.add_photos(request.user, queries.get_report(request.user, report_id), photos)
    return 201, [_photo(p) for p in added]


# ---------------------------------------------------------------- 催报
@router.get("/missing", response=list[MissingOut], summary="未报送名单（催报）")
def list_missing(request, where: Query[Where]):
    require(request.user, "projects.view")
    unit, _cycle, period = _where(request, where.unit, where.period)
    return [
        {
            "project_id": r.project.pk,
            "project_name": r.project.name,
            "unit_name": r.project.unit.name,
            "person": r.person,
            "reminders": r.reminders,
        }
        for r in queries.missing(request.user, unit, period)
    ]


@router.post("/reminders", response={201: dict}, summary="催报（全部未报送，或指定项目）")
def send_reminders(request, payload: RemindIn):
    unit, _cycle, period = _where(request, payload.unit_id, payload.period)
    sent = services.remind(request.user, unit, period, payload.project_ids)
    return 201, {"sent": len(sent), "projects": [r.project_id for r in sent]}

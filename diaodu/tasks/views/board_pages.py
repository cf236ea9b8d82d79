"""The 督办 board (by lead unit, by responsible leader, by source document), the files (任务分解表
.xlsx/.docx, 督办单 .docx) and the import of an office's .xlsx 任务分解表 (dry run, then confirm)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header

from diaodu import clock
from diaodu.org.scope import require
from diaodu.tasks import exports, figures, queries, services
from diaodu.tasks.filters import TaskFilterSet
from diaodu.viewkit import error_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BOARDS = (("unit", "按牵头单位"), ("leader", "按责任领导"), ("document", "按来源文件"))


def _file(data: bytes, name: str, kind: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=kind)
    resp["Content-Disposition"] = content_disposition_header(True, name)
    return resp


@login_required
def board(request):
    require(request.user, "tasks.view")
    by = request.GET.get("by", "unit")
    by = by if by in dict(BOARDS) else "unit"
    today = clock.today()
    return render(
        request,
        "tasks/board.html",
        {
            "rows": figures.board(request.user, by, today=today),
            "totals": figures.totals(request.user, today=today),
            "by": by,
            "boards": BOARDS,
            "definitions": figures.DEFINITIONS,
            "today": today,
        },
    )


@login_required
def table_export(request, fmt):
    """The 任务分解表 of the list's filter (or of one document: ?document=ID) as .xlsx or .docx."""
    require(request.user, "tasks.view")
    fs = TaskFilterSet(request.GET, request=request)
    qs = fs.qs.prefetch_related("support_units", "milestones")[:5000]
    title = "重点任务分解表"
    if fs.filter.document:
        doc = (
            queries.visible(request.user)
            .filter(document_id=fs.filter.document)
            .select_related("document")
            .first()
        )
        if doc is not None:
            title = f"《{doc.document.title}》任务分解表"
    rows = exports.table_rows_of_tasks(qs)
    if fmt == "docx":
        return _file(exports.table_docx(title, rows), "任务分解表.docx", DOCX)
    return _file(exports.table_xlsx(title, rows), "任务分解表.xlsx", XLSX)


@login_required
def draft_export(request, pk, fmt):
    """A document's draft (or approved) 任务分解表 as the review screen holds it."""
    require(request.user, "tasks.manage")
    doc = queries.get_document(request.user, pk)
    rows = exports.table_rows_of_draft(doc.rows)
    title = f"《{doc.title}》任务分解表"
    if fmt == "docx":
        return _file(exports.table_docx(title, rows), "任务分解表.docx", DOCX)
    return _file(exports.table_xlsx(title, rows), "任务分解表.xlsx", XLSX)


@login_required
def notice_docx(request, pk):
    require(request.user, "tasks.view")
    notice = queries.get_notice(request.user, pk)
    return _file(exports.notice_docx(notice), f"督办单{notice.number}.docx", DOCX)


SESSION_KEY = "tasks_import"


@login_required
def table_import(request):
    """试导入 (the rows and each bad row named, nothing stored) → 确认导入 (all rows become tasks,
    or nothing) or 转到审核页 (a draft the review screen edits)."""
    require(request.user, "tasks.manage")
    zones = list(queries.zones(request.user))
    ctx = {"zones": zones, "rows": None, "errors": {}, "data": {}}
    if request.method == "POST":
        p = request.POST
        zone = next((z for z in zones if str(z.pk) == p.get("zone")), None)
        ctx["data"] = {k: p.get(k, "") for k in ("zone", "title", "doc_date")}
        if p.get("step") in ("confirm", "draft"):
            saved = request.session.get(SESSION_KEY) or {}
            zone = next((z for z in zones if z.pk == saved.get("zone")), None)
            if zone is None or not saved.get("rows"):
                messages.error(request, "没有待确认的导入，请重新上传。")
                return redirect("tasks:import")
            try:
                doc, tasks = services.import_table(
                    request.user, zone, saved["rows"], title=saved["title"],
                    doc_date=saved["doc_date"], approve=p.get("step") == "confirm",
                )  # fmt: skip
            except ValidationError as exc:
                messages.error(request, error_text(exc))
                return redirect("tasks:import")
            request.session.pop(SESSION_KEY, None)
            if tasks:
                messages.success(request, f"已导入并下达 {len(tasks)} 项任务。")
                return redirect(f"/tasks/?document={doc.pk}")
            messages.success(request, "已导入为草稿，请在审核页核对后下达。")
            return redirect("tasks:review", doc.pk)
        if zone is None:
            messages.error(request, "请选择单位。")
        else:
            try:
                rows, errors, on = services.preview_table(
                    request.user, zone, request.FILES.get("file"), p.get("doc_date")
                )
            except ValidationError as exc:
                ctx["errors"] = {k: "；".join(v) for k, v in exc.message_dict.items()}
                messages.error(request, error_text(exc))
            else:
                name = getattr(request.FILES.get("file"), "name", "") or "任务分解表"
                title = (p.get("title") or "").strip() or name.rsplit(".", 1)[0]
                request.session[SESSION_KEY] = {
                    "zone": zone.pk, "rows": rows, "title": title[:200], "doc_date": on.isoformat()
                }  # fmt: skip
                ctx.update(rows=rows, errors=errors, title=title, bad=sorted(set(errors.values())))
    return render(request, "tasks/import.html", ctx)

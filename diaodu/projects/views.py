"""Ledger pages: list with filters/columns/saved filters, project page, forms, stage moves,
funnel, Excel import with progress and export."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_POST

from diaodu import clock, uploads
from diaodu.engine import cleaning
from diaodu.engine import stages as S
from diaodu.org import queries as org_queries
from diaodu.org.models import Unit, UnitKind, User
from diaodu.org.scope import require, restrict_people, scope_for, visible_unit_ids
from diaodu.projects import exports, figures, queries, services
from diaodu.projects.filters import LedgerFilterSet
from diaodu.projects.forms import ImportForm, ProjectForm, StageForm
from diaodu.projects.models import ImportJob, Level, PlanCategory, SavedFilter
from diaodu.viewkit import attach_errors, run_action

COLUMNS = [
    ("unit", gettext_noop("所属园区")),
    ("stage", gettext_noop("阶段")),
    ("category", gettext_noop("年度类别")),
    ("level", gettext_noop("级别")),
    ("industry", gettext_noop("行业")),
    ("total", gettext_noop("总投资（万元）")),
    ("annual", gettext_noop("年度计划（万元）")),
    ("completed", gettext_noop("本年完成（万元）")),
    ("planned_start", gettext_noop("计划开工")),
    ("actual_start", gettext_noop("开工日期")),
    ("leads", gettext_noop("包保领导")),
    ("secretary", gettext_noop("项目秘书")),
    ("responsible", gettext_noop("责任单位")),
    ("progress", gettext_noop("形象进度")),
    ("code", gettext_noop("项目代码")),
    ("investor", gettext_noop("建设单位")),
    ("updated", gettext_noop("更新时间")),
]
DEFAULT_COLUMNS = [
    "unit",
    "stage",
    "category",
    "total",
    "annual",
    "planned_start",
    "leads",
    "secretary",
]
COLUMN_KEYS = {k for k, _ in COLUMNS}
FILTER_KEYS = ("unit", "stage", "category", "level", "industry", "person", "q", "sort", "cols")


def _int(value):
    return cleaning.integer_or(value, None)


def parse_filter(request) -> tuple[queries.LedgerFilter, list[str]]:
    """The ledger's filter from the query string (the FilterSet the API list shares), and the
    messages of what it could not use."""
    fs = LedgerFilterSet(request.GET, request=request)
    return fs.filter, fs.stage_errors


def _scope_key(user) -> str:
    import hashlib

    ids = visible_unit_ids(user)
    raw = "all" if ids is None else ",".join(map(str, sorted(ids)))
    # the unit tree's last change, so a renamed or moved unit shows at once
    stamp = Unit.objects.aggregate(m=Max("updated_at"), n=Count("id"))
    raw += f"|{stamp['m']}|{stamp['n']}"
    return hashlib.sha1(raw.encode()).hexdigest()[:16]


def _columns(request) -> list[str]:
    raw = request.GET.get("cols", "")
    cols = [c for c in raw.split(",") if c in COLUMN_KEYS] if raw else []
    return cols or DEFAULT_COLUMNS


def _people_choices(user):
    return restrict_people(User.objects.filter(is_active=True), user).order_by("name")[:500]


@login_required
def ledger(request):
    require(request.user, "projects.view")
    f, errors = parse_filter(request)
    qs = queries.ledger(request.user, f)
    pg = queries.page(qs, _int(request.GET.get("page")) or 1, count=False)
    cols = _columns(request)
    base = request.GET.copy()
    base.pop("page", None)
    s = scope_for(request.user)
    return render(
        request,
        "projects/ledger.html",
        {
            "heads": _heads(request, f, cols),
            "totals": figures.ledger_totals(qs),
            "page": pg,
            "f": f,
            "errors": errors,
            "cols": cols,
            "columns": COLUMNS,
            "stages": [(st, S.label(st)) for st in S.ALL],
            "categories": PlanCategory.choices,
            "levels": Level.choices,
            "units": queries.units_for_filter(request.user),
            "scope_key": _scope_key(request.user),
            "person_name": (request.GET.get("person_name") or "").strip()[:50],
            "query": base.urlencode(),
            "saved": SavedFilter.objects.filter(user=request.user),
            "can_change": s.has("projects.change"),
            "can_export": s.has("projects.export"),
            "can_import": s.has("projects.import"),
        },
    )


def _heads(request, f, cols) -> list[dict]:
    """The ledger's column heads: a click sorts by the column, a second click reverses."""
    base = request.GET.copy()
    base.pop("page", None)
    heads = []
    for key, label in [
        ("name", gettext_noop("项目名称")),
        *[(k, lb) for k, lb in COLUMNS if k in cols],
    ]:
        sort = queries.SORTABLE.get(key)
        head = {
            "key": key,
            "label": label,
            "url": "",
            "arrow": "",
            "num": key in figures.LEDGER_SUMS,
        }
        if sort:
            base["sort"] = f"-{sort}" if f.sort == sort else sort
            head["url"] = "?" + base.urlencode()
            head["arrow"] = "▲" if f.sort == sort else "▼" if f.sort == f"-{sort}" else ""
        heads.append(head)
    return heads


@login_required
def ledger_count(request):
    """The number of matching projects, loaded after the page (HTMX): counting a broad text
    search costs more than showing its first page, so the rows never wait for it."""
    require(request.user, "projects.view")
    f, _errors = parse_filter(request)
    count, capped = queries.capped_count(queries.ledger(request.user, f))
    text = f"超过 {count} 个项目" if capped else f"共 {count} 个项目"
    return HttpResponse(text)


@login_required
@require_POST
def filter_save(request):
    query = request.POST.get("query", "")
    return run_action(
        request,
        lambda: services.save_filter(request.user, request.POST.get("name", ""), query),
        success=gettext("筛选已保存。"),
        to=f"/projects/?{query}",
    )


@login_required
@require_POST
def filter_delete(request, pk: int):
    sf = get_object_or_404(SavedFilter, pk=pk, user=request.user)
    services.delete_filter(request.user, sf)
    messages.success(request, gettext("已删除筛选“%(sf_name)s”。") % {"sf_name": sf.name})
    return redirect("projects:list")


def _known_stage_date(project, stage: str):
    field_name = S.DATE_FIELD.get(stage)
    return getattr(project, field_name) if field_name else None


@login_required
def detail(request, pk: int):
    require(request.user, "projects.view")
    project = queries.get(request.user, pk)
    s = scope_for(request.user)
    changes = project.stage_changes.select_related("person").order_by("on", "id")
    targets = S.allowed_targets(project.stage, project.resume_stage or None)
    return render(
        request,
        "projects/detail.html",
        {
            "p": project,
            "changes": changes,
            "history": queries.history(project)[:50],
            "leads": project.lead_officials.all(),
            # the date the event happened: entered by the person (or the date the ledger already
            # has for it), never defaulted to today
            "stage_form": StageForm(
                initial={
                    "on": _known_stage_date(project, targets[0]) if targets else None,
                    "to_stage": targets[0] if targets else "",
                }
            ),
            "targets": [(t, S.label(t)) for t in targets],
            "can_change": s.has("projects.change"),
            "can_stage": s.has("projects.stage"),
            "stage_rank": S.rank(project.stage),
            "main_line": [(st, S.label(st)) for st in S.MAIN_LINE],
        },
    )


def _form_context(request):
    units = [
        u for u in queries.units_for_filter(request.user) if queries.can_write_unit(request.user, u)
    ]
    departments = Unit.objects.filter(
        is_active=True, kind__in=[UnitKind.DEPARTMENT, UnitKind.OFFICE]
    ).order_by("path")
    return {"units": units, "people": _people_choices(request.user), "departments": departments}


def _people_from(ids, request):
    allowed = {p.pk: p for p in _people_choices(request.user)}
    return [allowed[i] for i in ids if i in allowed]


@login_required
def create(request):
    require(request.user, "projects.change")
    ctx = _form_context(request)
    form = ProjectForm(request.POST or None, **ctx)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        unit = next((u for u in ctx["units"] if u.pk == cd["unit"]), None)
        if unit is None:
            raise Http404("单位不存在或无权使用。")
        try:
            project = services.create_project(
                request.user,
                unit=unit,
                data=form.payload(),
                lead_officials=_people_from(cd["lead_officials"], request),
                secretary=(_people_from([cd["secretary"]], request) or [None])[0]
                if cd["secretary"]
                else None,
                responsible_unit=ctx["departments"].filter(pk=cd["responsible_unit"]).first()
                if cd["responsible_unit"]
                else None,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request, gettext("项目“%(project_name)s”已创建。") % {"project_name": project.name}
            )
            return redirect("projects:detail", project.pk)
    return render(request, "projects/form.html", {"form": form, "project": None})


@login_required
def edit(request, pk: int):
    require(request.user, "projects.change")
    project = queries.get(request.user, pk)
    ctx = _form_context(request)
    if request.method == "POST":
        form = ProjectForm(request.POST, **ctx)
    else:
        initial = {
            k: getattr(project, k, None) for k in ProjectForm.DATA_FIELDS if hasattr(project, k)
        }
        initial.update(
            industry=project.industry,
            unit=project.unit_id,
            lead_officials=list(project.lead_officials.values_list("pk", flat=True)),
            secretary=project.secretary_id,
            responsible_unit=project.responsible_unit_id,
            version=project.version,
            national_code=project.national_code or "",
        )
        form = ProjectForm(initial=initial, **ctx)
    conflict = None
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        unit = next((u for u in ctx["units"] if u.pk == cd["unit"]), None)
        if unit is None:
            raise Http404("单位不存在或无权使用。")
        try:
            project = services.update_project(
                request.user,
                project,
                data=form.payload(),
                version=cd.get("version") or 0,
                lead_officials=_people_from(cd["lead_officials"], request),
                secretary=(_people_from([cd["secretary"]], request) or [None])[0]
                if cd["secretary"]
                else None,
                responsible_unit=ctx["departments"].filter(pk=cd["responsible_unit"]).first()
                if cd["responsible_unit"]
                else None,
                unit=unit,
            )
        except services.ConflictError as exc:
            conflict = exc
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, gettext("项目已保存。"))
            return redirect("projects:detail", project.pk)
    return render(
        request, "projects/form.html", {"form": form, "project": project, "conflict": conflict}
    )


@login_required
@require_POST
def stage(request, pk: int):
    project = queries.get(request.user, pk)
    form = StageForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "；".join(f"{form.fields[k].label}：{'，'.join(v)}" for k, v in form.errors.items()),
        )
        return redirect("projects:detail", project.pk)
    cd = form.cleaned_data
    return run_action(
        request,
        lambda: services.transition(
            request.user,
            project,
            cd["to_stage"],
            cd["on"],
            note=cd["note"],
            reason=cd["reason"],
            version=request.POST.get("version"),  # the page's hidden field
        ),
        success=gettext("项目阶段已变更为“%(S_label)s”。") % {"S_label": S.label(cd["to_stage"])},
        to=("projects:detail", project.pk),
    )


@login_required
def funnel(request):
    require(request.user, "projects.view")
    unit = None
    if request.GET.get("unit"):
        unit = org_queries.get_unit(request.user, request.GET["unit"])
    rows = queries.funnel(request.user, unit)
    main = [r for r in rows if not r["side"]]
    return render(
        request,
        "projects/funnel.html",
        {
            "rows": rows,
            "unit": unit,
            "units": queries.units_for_filter(request.user),
            "chart": [
                {
                    "name": r["label"],
                    "value": r["count"],
                    "stage": r["stage"],
                    "investment": float(r["investment"]),
                }
                for r in main
            ],
            "total_count": sum(r["count"] for r in rows),
            "total_investment": sum(r["investment"] for r in rows),
        },
    )


def _exporting_unit_name(user) -> str:
    """Whose ledger an export is: the 管委会 (or district) of the person's primary unit, not the
    office inside it — a 督查室 exports the 管委会's 台账."""
    primary = user.memberships.select_related("unit").order_by("-is_primary", "id").first()
    if primary is None:
        return "全部单位"
    unit = primary.unit
    ids = [int(x) for x in unit.path.strip("/").split("/") if x]
    owner = (
        Unit.objects.filter(pk__in=ids, kind__in=[UnitKind.ZONE, UnitKind.PARK, UnitKind.DISTRICT])
        .order_by("-depth")
        .first()
    )
    return (owner or unit).name


@login_required
def export(request):
    require(request.user, "projects.export")
    f, _errors = parse_filter(request)
    qs = queries.with_related(queries.ledger(request.user, f))
    if f.unit is not None:
        label = f.unit.name
    else:
        label = _exporting_unit_name(request.user)
    data = exports.workbook(qs, unit_label=label)
    filename = f"项目台账_{clock.today():%Y%m%d}.xlsx"
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# ---------------------------------------------------------------- import
@login_required
def import_start(request):
    require(request.user, "projects.import")
    units = [
        u for u in queries.units_for_filter(request.user) if queries.can_write_unit(request.user, u)
    ]
    form = ImportForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        unit = next((u for u in units if u.pk == form.cleaned_data["unit"]), None)
        if unit is None:
            raise Http404("单位不存在或无权使用。")
        if uploads.over_limit(upload):
            form.add_error(
                "file",
                f"文件过大（{uploads.size_text(upload.size)}），上限 {uploads.limit_text()}。",
            )
        elif not upload.name.lower().endswith((".xlsx", ".xlsm")):
            form.add_error("file", "请上传 .xlsx 格式的 Excel 文件（旧版 .xls 请先另存为 .xlsx）。")
        else:
            job = services.start_import(
                request.user, unit, upload, skip_errors=form.cleaned_data["skip_errors"]
            )
            return redirect("projects:import_job", job.pk)
    jobs = ImportJob.objects.filter(user=request.user)[:10]
    return render(
        request,
        "projects/import.html",
        {"form": form, "jobs": jobs, "marker": services.CLEAR_MARKER},
    )


def _job(request, pk) -> ImportJob:
    from diaodu.projects.tasks import live_progress

    return live_progress(
        get_object_or_404(ImportJob.objects.select_related("unit"), pk=pk, user=request.user)
    )


@login_required
def import_job(request, pk: int):
    job = _job(request, pk)
    return render(request, "projects/import_job.html", {"job": job})


@login_required
def import_status(request, pk: int):
    job = _job(request, pk)
    if request.headers.get("HX-Request"):
        return render(request, "projects/_import_progress.html", {"job": job})
    return JsonResponse(
        {
            "status": job.status,
            "phase": job.phase,
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "result": job.result,
        }
    )


@login_required
@require_POST
def import_confirm(request, pk: int):
    require(request.user, "projects.import")
    new = services.confirm_import(request.user, _job(request, pk))
    return redirect("projects:import_job", new.pk)


@login_required
@require_POST
def import_retry(request, pk: int):
    from diaodu.projects import jobs

    job = jobs.retry(request.user, _job(request, pk))
    return redirect("projects:import_job", job.pk)

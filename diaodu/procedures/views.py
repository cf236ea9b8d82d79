"""Screens: a project's procedure chain with its Gantt chart, item forms and attachments, the
"waiting on my department" list, the projects that will miss their start date, templates and
the holiday calendar. Reads through queries (scoped), writes through services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from diaodu import clock
from diaodu.engine import cleaning
from diaodu.engine.cleaning import CleaningError
from diaodu.engine.locking import version_given
from diaodu.org.models import Unit
from diaodu.org.scope import require, restrict_units, scope_for
from diaodu.procedures import exports, gantt, queries, services, workcal
from diaodu.procedures.models import (
    DurationUnit,
    HolidayYear,
    Stage,
    Status,
    format_predecessors,
)
from diaodu.viewkit import error_dict, run_action


def _project_url(project) -> str | None:
    try:
        return reverse("projects:detail", args=[project.pk])
    except NoReverseMatch:
        return None


def _require_view(user):
    if not queries.can_view(user):
        raise PermissionDenied("没有查看项目的权限。")


# ---------------------------------------------------------------- chain and Gantt
@login_required
def chain(request, project_id: int):
    _require_view(request.user)
    project, ch = queries.project_and_chain(request.user, project_id)
    s = scope_for(request.user)
    can_write = s.has("projects.change")
    ctx = {
        "project": project,
        "chain": ch,
        "can_write": can_write,
        "project_url": _project_url(project),
        "today": clock.today(),
        "errors": {},
    }
    if ch is None:
        ctx["templates"] = [
            (t, list(t.items.all())) for t in queries.templates().prefetch_related("items")
        ]
        return render(request, "procedures/chain.html", ctx)
    services.ensure_fresh(ch)
    items = queries.chain_items(ch)
    pre = [it for it in items if it.stage != Stage.ACCEPTANCE]
    post = [it for it in items if it.stage == Stage.ACCEPTANCE]
    ctx.update(
        {
            "items": items,
            "pre_items": pre,
            "post_items": post,
            "chart": gantt.build(
                pre, today=ctx["today"], target=ch.target_start, expected=ch.expected_start
            ),
            "critical_names": [
                it.name for code in ch.critical_path for it in pre if it.code == code
            ],
            "overdue": [it for it in pre if it.overdue],
            "at_risk": [it for it in pre if it.at_risk],
            "threshold": services.at_risk_threshold(),
            "started": project.actual_start_date,
            "can_delete": can_write and not services.chain_has_records(ch),
        }
    )
    return render(request, "procedures/chain.html", ctx)


@login_required
def chain_export(request, project_id: int):
    """The 倒排工期表 as .xlsx (what the page shows, with each time limit's unit)."""
    _require_view(request.user)
    project, ch = queries.project_and_chain(request.user, project_id)
    if ch is None:
        raise Http404("该项目尚未建立前期手续链条。")
    services.ensure_fresh(ch)
    body = exports.chain_xlsx(project, ch, queries.chain_items(ch), today=clock.today())
    resp = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f"attachment; filename=procedures-{project.pk}.xlsx"
    return resp


@login_required
@require_POST
def chain_create(request, project_id: int):
    project, ch = queries.project_and_chain(request.user, project_id)
    template = queries.get_template(request.POST.get("template", ""))
    return run_action(
        request,
        lambda: services.create_chain(request.user, project, template),
        success=lambda _: f"已按“{template.name}”建立前期手续链条，可逐项调整。",
        to=lambda _: redirect("procedures:chain", project_id=project.pk),
    )


@login_required
@require_POST
def chain_delete(request, project_id: int):
    project, ch = queries.project_and_chain(request.user, project_id)
    if ch is None:
        raise Http404("该项目尚未建立前期手续链条。")
    return run_action(
        request,
        lambda: services.delete_chain(request.user, ch),
        success="已删除前期手续链条，可重新选择模板。",
        to=lambda _: redirect("procedures:chain", project_id=project.pk),
    )


ITEM_FORM_FIELDS = (
    "name",
    "stage",
    "duration_wd",
    "duration_unit",
    "duration_source",
    "predecessors",
    "responsible_text",
    "documents",
    "status",
    "actual_start",
    "actual_finish",
    "doc_number",
    "note",
)


def _item_form_data(post) -> dict:
    data = {k: post.get(k, "") for k in ITEM_FORM_FIELDS if k in post}
    return data


def _item_initial(item) -> dict:
    return {
        "name": item.name,
        "stage": item.stage,
        "duration_wd": item.duration_wd,
        "duration_unit": item.duration_unit,
        "duration_source": item.duration_source,
        "predecessors": format_predecessors(item.predecessors),
        "responsible_text": item.responsible_text,
        "documents": "\n".join(item.documents or []),
        "status": item.status,
        "actual_start": item.actual_start.isoformat() if item.actual_start else "",
        "actual_finish": item.actual_finish.isoformat() if item.actual_finish else "",
        "doc_number": item.doc_number,
        "note": item.note,
        "responsible_unit": item.responsible_unit_id or "",
    }


def _pick_unit(request, choices) -> tuple[bool, Unit | None]:
    raw = request.POST.get("responsible_unit", None)
    if raw is None:
        return False, None
    if raw == "":
        return True, None
    for u in choices:
        if str(u.pk) == raw:
            return True, u
    raise Http404("单位不存在。")


def _item_context(request, project, ch, item, data, errors):
    siblings = [s for s in queries.chain_items(ch) if item is None or s.pk != item.pk]
    return {
        "project": project,
        "chain": ch,
        "item": item,
        "data": data,
        "errors": errors,
        "statuses": Status.choices,
        "stages": Stage.choices,
        "duration_units": DurationUnit.choices,
        "siblings": siblings,
        "units": queries.department_choices(project),
        "today": clock.today(),
        "attachments": list(item.attachments.all()) if item else [],
        "accept": ",".join(f".{e}" for e in services.ALLOWED_FILES),
    }


@login_required
def item_edit(request, pk: int):
    item = queries.get_item(request.user, pk)
    full = services.check_item_write(request.user, item)  # False: the department's own part
    project, ch = item.project, item.chain
    data, errors = _item_initial(item), {}
    if request.method == "POST":
        data = {**data, **_item_form_data(request.POST)}
        payload = _item_form_data(request.POST)
        has_unit, unit = _pick_unit(request, queries.department_choices(project))
        if has_unit and full:
            payload["responsible_unit"] = unit
            data["responsible_unit"] = unit.pk if unit else ""
        try:
            version = version_given(request.POST.get("version"), "该手续")
            services.update_item(request.user, item, payload, version=version)
        except CleaningError as exc:
            errors = {exc.field: [exc.message], "general": [exc.message]}
        except ValidationError as exc:
            errors = error_dict(exc)
        else:
            messages.success(
                request,
                gettext("“%(item_name)s”已保存，排期已重新计算。") % {"item_name": item.name},
            )
            if not full:
                return redirect("procedures:waiting")
            return redirect(reverse("procedures:chain", args=[project.pk]) + f"#item-{item.pk}")
    return render(
        request,
        "procedures/item_form.html",
        {**_item_context(request, project, ch, item, data, errors), "full": full},
    )


@login_required
def item_add(request, project_id: int):
    require(request.user, "projects.change")
    project, ch = queries.project_and_chain(request.user, project_id)
    if ch is None:
        raise Http404("该项目尚未建立前期手续链条。")
    data = {
        "stage": Stage.LAND_PLANNING,
        "status": Status.NOT_STARTED,
        "duration_wd": "",
        "duration_unit": DurationUnit.WORKING_DAYS,
        "responsible_unit": "",
    }
    errors = {}
    if request.method == "POST":
        payload = _item_form_data(request.POST)
        payload["code"] = request.POST.get("code", "")
        data = {**data, **payload}
        has_unit, unit = _pick_unit(request, queries.department_choices(project))
        if has_unit:
            payload["responsible_unit"] = unit
            data["responsible_unit"] = unit.pk if unit else ""
        try:
            item = services.add_item(request.user, ch, payload)
        except ValidationError as exc:
            errors = error_dict(exc)
        else:
            messages.success(request, gettext("已添加“%(item_name)s”。") % {"item_name": item.name})
            return redirect(reverse("procedures:chain", args=[project.pk]) + f"#item-{item.pk}")
    return render(
        request,
        "procedures/item_form.html",
        {**_item_context(request, project, ch, None, data, errors), "full": True},
    )


@login_required
@require_POST
def item_remove(request, pk: int):
    item = queries.get_item(request.user, pk)
    return run_action(
        request,
        lambda: services.remove_item(request.user, item, reason=request.POST.get("reason", "")),
        success=lambda result: (
            f"“{item.name}”已{'删除' if result == 'removed' else '标记为不适用'}。"
        ),
        to=lambda _: redirect("procedures:chain", project_id=item.project_id),
    )


@login_required
@require_POST
def item_upload(request, pk: int):
    item = queries.get_item(request.user, pk)
    files = request.FILES.getlist("file")
    if not files:
        messages.error(request, gettext("请选择要上传的文件。"))
    for upload in files:
        try:
            services.add_attachment(request.user, item, upload)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(
                request, gettext("已上传“%(upload_name)s”。") % {"upload_name": upload.name}
            )
    return redirect("procedures:item", pk=item.pk)


@login_required
def attachment(request, pk: int):
    att = queries.get_attachment(request.user, pk)
    inline = att.content_type in ("application/pdf", "image/jpeg", "image/png")
    try:
        fh = att.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件已丢失。") from None
    return FileResponse(
        fh, as_attachment=not inline, filename=att.original_name, content_type=att.content_type
    )


@login_required
@require_POST
def attachment_delete(request, pk: int):
    att = queries.get_attachment(request.user, pk)
    item_pk = att.item_id
    services.delete_attachment(request.user, att)
    messages.success(
        request, gettext("已删除附件“%(original_name)s”。") % {"original_name": att.original_name}
    )
    return redirect("procedures:item", pk=item_pk)


# ---------------------------------------------------------------- lists
def _page_number(request) -> int:
    return max(1, cleaning.integer_or(request.GET.get("page"), 1))


@login_required
def waiting(request):
    _require_view(request.user)
    units = queries.waiting_units(request.user, request.GET.get("unit"))
    page = queries.page(queries.waiting_on_units(units), _page_number(request))
    visible = queries.visible_project_ids_among(request.user, {it.project_id for it in page.rows})
    s = scope_for(request.user)
    own = list(Unit.objects.filter(pk__in=s.member_unit_ids).order_by("path"))
    return render(
        request,
        "procedures/waiting.html",
        {
            "units": units,
            "page": page,
            "visible": visible,
            "own_units": own,
            "today": clock.today(),
            "chosen": request.GET.get("unit", ""),
        },
    )


@login_required
def late(request):
    _require_view(request.user)
    unit = None
    if request.GET.get("unit"):
        pk = cleaning.integer_or(request.GET["unit"])
        unit = restrict_units(Unit.objects.filter(pk=pk), request.user).first() if pk else None
        if unit is None:
            raise Http404("单位不存在或无权查看。")
    page = queries.page(queries.late_projects(request.user, unit), _page_number(request))
    return render(
        request,
        "procedures/late.html",
        {
            "page": page,
            "unit": unit,
            "today": clock.today(),
            "unit_choices": list(
                restrict_units(
                    Unit.objects.filter(is_active=True, kind__in=["zone", "park"]), request.user
                ).order_by("path")
            ),
        },
    )


# ---------------------------------------------------------------- templates
def _can_see_templates(user) -> bool:
    s = scope_for(user)
    return s.has("projects.view") or s.has("procedures.templates")


@login_required
def templates(request):
    if not _can_see_templates(request.user):
        raise PermissionDenied("没有查看前期手续模板的权限。")
    rows = list(queries.templates().prefetch_related("items"))
    return render(
        request,
        "procedures/templates.html",
        {"rows": rows, "can_edit": scope_for(request.user).has("procedures.templates")},
    )


@login_required
def template_detail(request, pk: int):
    if not _can_see_templates(request.user):
        raise PermissionDenied("没有查看前期手续模板的权限。")
    tpl = queries.get_template(pk)
    return render(
        request,
        "procedures/template_detail.html",
        {
            "tpl": tpl,
            "items": list(tpl.items.all()),
            "versions": list(queries.template_versions(tpl)),
            "can_edit": scope_for(request.user).has("procedures.templates") and tpl.is_current,
            "stages": dict(Stage.choices),
        },
    )


TEMPLATE_ROW_FIELDS = (
    "code",
    "name",
    "stage",
    "duration_wd",
    "duration_unit",
    "duration_source",
    "predecessors",
    "responsible_text",
    "documents",
)


@login_required
def template_edit(request, pk: int | None = None):
    require(request.user, "procedures.templates")
    tpl = queries.get_template(pk) if pk else None
    errors: dict = {}
    if tpl:
        head = {
            "code": tpl.code,
            "name": tpl.name,
            "description": tpl.description,
            "change_note": "",
        }
        rows = [
            {
                "code": p.code,
                "name": p.name,
                "stage": p.stage,
                "duration_wd": p.duration_wd,
                "duration_unit": p.duration_unit,
                "duration_source": p.duration_source,
                "predecessors": format_predecessors(p.predecessors),
                "responsible_text": p.responsible_text,
                "documents": "；".join(p.documents),
            }
            for p in tpl.items.all()
        ]
    else:
        head, rows = {"code": "", "name": "", "description": "", "change_note": ""}, []
    if request.method == "POST":
        head = {
            k: request.POST.get(k, "").strip()
            for k in ("code", "name", "description", "change_note")
        }
        columns = {k: request.POST.getlist(f"row_{k}") for k in TEMPLATE_ROW_FIELDS}
        deleted = set(request.POST.getlist("row_delete"))
        rows = []
        for i in range(len(columns["code"])):
            row = {k: (columns[k][i] if i < len(columns[k]) else "") for k in TEMPLATE_ROW_FIELDS}
            if str(i) in deleted or not any(
                str(v).strip() for k, v in row.items() if k not in ("stage", "duration_unit")
            ):
                continue
            rows.append(row)
        try:
            new = services.save_template(
                request.user,
                tpl,
                name=head["name"],
                description=head["description"],
                change_note=head["change_note"],
                code=head["code"],
                items=rows,
            )
        except ValidationError as exc:
            errors = error_dict(exc)
        else:
            messages.success(
                request,
                gettext("模板“%(new_name)s”已保存为第 %(new_version)s 版；已建立的链条保留原版本。")
                % {"new_name": new.name, "new_version": new.version},
            )
            return redirect("procedures:template", pk=new.pk)
    blank = {
        "code": "",
        "name": "",
        "stage": Stage.LAND_PLANNING,
        "duration_wd": "",
        "duration_unit": DurationUnit.WORKING_DAYS,
        "duration_source": "",
        "predecessors": "",
        "responsible_text": "",
        "documents": "",
    }
    rows = rows + [dict(blank) for _ in range(3)]
    return render(
        request,
        "procedures/template_form.html",
        {
            "tpl": tpl,
            "head": head,
            "rows": rows,
            "errors": errors,
            "stages": Stage.choices,
            "duration_units": DurationUnit.choices,
            "dept_names": ["发改局", "自然资源局", "住建局", "征收办", "招商局", "生态环境分局"],
        },
    )


# ---------------------------------------------------------------- calendar
@login_required
def calendar(request):
    require(request.user, "sys.calendar")
    entered = {row.year: row for row in queries.holiday_years()}
    known = set(workcal.package_years())
    this_year = clock.today().year
    years = sorted(
        set(range(this_year - 1, this_year + 3))
        | set(entered)
        | {y for y in known if y >= this_year - 1},
        reverse=True,
    )
    rows = [{"year": y, "entered": entered.get(y), "package": y in known} for y in years]
    return render(request, "procedures/calendar.html", {"rows": rows})


@login_required
def calendar_edit(request, year: int):
    require(request.user, "sys.calendar")
    if not 2000 <= year <= 2100:
        raise Http404("年份超出范围。")
    row = HolidayYear.objects.filter(year=year).first()
    errors: dict = {}
    if row:
        data = {
            "holidays": workcal.format_days(row.holidays),
            "makeup_workdays": workcal.format_days(row.makeup_workdays),
            "source": row.source,
        }
    else:
        data = {"holidays": "", "makeup_workdays": "", "source": ""}
        rule = workcal.load().rule_for(year) if year in workcal.package_years() else None
        if rule is not None:  # start from what the package knows, for corrections
            data = {
                "holidays": workcal.format_days([d.isoformat() for d in rule.holidays]),
                "makeup_workdays": workcal.format_days(
                    [d.isoformat() for d in rule.makeup_workdays]
                ),
                "source": "",
            }
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in ("holidays", "makeup_workdays", "source")}
        try:
            services.save_holiday_year(request.user, year=year, **data)
        except ValidationError as exc:
            errors = error_dict(exc)
        else:
            messages.success(
                request,
                gettext("%(year)s年节假日安排已保存；全部项目的排期将在后台重新计算。")
                % {"year": year},
            )
            return redirect("procedures:calendar")
    return render(
        request,
        "procedures/calendar_form.html",
        {
            "year": year,
            "row": row,
            "data": data,
            "errors": errors,
            "package": year in workcal.package_years(),
        },
    )

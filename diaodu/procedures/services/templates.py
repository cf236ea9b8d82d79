"""Procedure templates (审批模板), versioned."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from diaodu.audit.services import record, snapshot
from diaodu.engine.schedule import UNIT_LABELS
from diaodu.org.scope import require
from diaodu.procedures.models import (
    Procedure,
    ProcedureTemplate,
    Stage,
)

from .common import (
    CODE_RE,
    TEMPLATE_CODE_RE,
    _actor,
    _chain_check,
    parse_documents,
    parse_duration,
    parse_duration_unit,
    parse_predecessors,
)


# ================================================================ templates
def _clean_template_items(rows: list[dict]) -> list[dict]:
    """Validate template rows; errors name the row (第 n 行) and the item code."""
    problems: list[str] = []
    out: list[dict] = []
    codes: set[str] = set()
    for n, row in enumerate(rows, 1):
        errs: dict[str, str] = {}
        code = (row.get("code") or "").strip()
        name = (row.get("name") or "").strip()
        where = f"第 {n} 行" + (f"（{code}）" if code else "")
        if not CODE_RE.match(code):
            errs["code"] = "编码只能包含字母、数字、横线和下划线，最长 20 位"
        elif code in codes:
            errs["code"] = f"编码 {code} 重复"
        codes.add(code)
        if not name:
            errs["name"] = "手续名称必填"
        stage = row.get("stage") or ""
        if stage not in Stage.values:
            errs["stage"] = "阶段无效"
        duration = parse_duration(row.get("duration_wd"), errs)
        unit = parse_duration_unit(row.get("duration_unit"), errs)
        preds = parse_predecessors(row.get("predecessors"), errs)
        if errs:
            problems.append(f"{where}：" + "；".join(errs.values()) + "。")
            continue
        out.append(
            {
                "code": code,
                "name": name[:100],
                "stage": stage,
                "duration_wd": duration,
                "duration_unit": unit,
                "duration_source": (row.get("duration_source") or "").strip()[:200] or "地方实践",
                "predecessors": preds,
                "responsible_text": (row.get("responsible_text") or "").strip()[:100],
                "documents": parse_documents(row.get("documents")),
            }
        )
    if problems:
        raise ValidationError({"items": problems})
    if not out:
        raise ValidationError({"items": ["模板至少要有一项手续。"]})
    message = _chain_check(out)
    if message:
        raise ValidationError({"items": [message]})
    return out


def _template_snapshot(tpl: ProcedureTemplate) -> dict:
    data = snapshot(tpl, ["code", "name", "description", "version", "is_current", "change_note"])
    data["items"] = [
        f"{p.code} {p.name} {p.duration_wd}{UNIT_LABELS[p.duration_unit]} "
        f"前置[{','.join(d['code'] for d in p.predecessors)}]"
        for p in tpl.items.all()
    ]
    return data


@transaction.atomic
def save_template(
    by,
    template: ProcedureTemplate | None,
    *,
    name: str,
    items: list[dict],
    description: str = "",
    change_note: str = "",
    code: str | None = None,
) -> ProcedureTemplate:
    """Create a template (`template` None, `code` required) or revise one: a revision is a new
    version of the same code; the edited version stops being current and keeps its chains."""
    require(by, "procedures.templates")
    errors: dict = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "模板名称必填。"
    if template is None:
        code = (code or "").strip()
        if not TEMPLATE_CODE_RE.match(code):
            errors["code"] = "模板编码只能包含字母、数字、横线和下划线，最长 40 位。"
        elif ProcedureTemplate.objects.filter(code=code).exists():
            errors["code"] = f"模板编码“{code}”已存在。"
    try:
        clean = _clean_template_items(items)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if template is not None:
        family = list(
            ProcedureTemplate.objects.select_for_update()
            .filter(code=template.code)
            .order_by("version")
        )
        current = next((t for t in family if t.is_current), None)
        if current is None or current.pk != template.pk:
            raise ValidationError(
                {"general": f"“{template.name}”已有更新的版本，请在现行版本的基础上修订。"}
            )
        code, version, sort_order = template.code, family[-1].version + 1, template.sort_order
        before = _template_snapshot(template)
        ProcedureTemplate.objects.filter(pk=template.pk).update(is_current=False)
    else:
        version, before = 1, None
        sort_order = (ProcedureTemplate.objects.aggregate(m=Max("sort_order"))["m"] or 0) + 1
    tpl = ProcedureTemplate.objects.create(
        code=code,
        name=name[:100],
        description=(description or "").strip(),
        version=version,
        is_current=True,
        sort_order=sort_order,
        change_note=(change_note or "").strip()[:300],
        created_by=_actor(by),
    )
    Procedure.objects.bulk_create(
        [Procedure(template=tpl, sort_order=i, **row) for i, row in enumerate(clean)]
    )
    record(
        "procedures.template_save",
        tpl,
        before=before,
        after=_template_snapshot(tpl),
        only_changes=False,
    )
    return tpl

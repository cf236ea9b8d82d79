"""Turn submitted project data into clean values (Chinese errors naming the field); shared checks."""

from __future__ import annotations

import contextvars
import re
from contextlib import contextmanager
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from diaodu import clock
from diaodu.audit.services import snapshot
from diaodu.engine import cleaning, ledger
from diaodu.engine.textnorm import normalise_name, to_simplified
from diaodu.org.models import DictItem, Unit, User
from diaodu.org.scope import require
from diaodu.projects import queries
from diaodu.projects.models import (
    Level,
    PlanCategory,
    Project,
    ProjectYearPlan,
)

from .fields import DATE_FIELDS, FIELD_LABELS, INDUSTRY_RE, MONEY_FIELDS, TEXT_FIELDS

# ---------------------------------------------------------------- validation
MAX_NUMBER = Decimal(10) ** 12  # the columns hold 14 digits, 2 after the point


def _take(errors: dict, field: str, fn, *args, **kwargs):
    """A value cleaned by diaodu.engine.cleaning (the label is the field's verbose name), or None
    with the Chinese error under *field*."""
    try:
        return fn(*args, FIELD_LABELS.get(field, field), field=field, **kwargs)
    except cleaning.CleaningError as exc:
        errors[field] = exc.message
        return None


def parse_industry(text: str) -> tuple[str, str]:
    """'C36 汽车制造业' / 'C3611' / '3611' / '汽车制造业' / '制造业' → (code, display text)."""
    raw = (text or "").strip()
    if not raw:
        return "", ""
    simple = to_simplified(raw).replace("（", "(").replace("）", ")")
    m = re.match(r"^([A-Ta-t]?\d{0,4})\s*(.*)$", simple)
    code, rest = (m.group(1).upper(), m.group(2).strip(" -:：()")) if m else ("", simple)
    if code and not INDUSTRY_RE.match(code):
        code = ""
    if code and not code[0].isalpha():
        # a bare division code: find its section from the dictionary
        parent = (
            DictItem.objects.filter(dict_type__code="industry", code=code[:2])
            .values_list("parent_code", flat=True)
            .first()
        )
        code = f"{parent}{code}" if parent else code
    if not code and rest:
        hit = DictItem.objects.filter(dict_type__code="industry", label=rest).first()
        if hit:
            code = f"{hit.parent_code}{hit.code}" if hit.parent_code else hit.code
    if code and not rest:
        key = code[1:] if code[0].isalpha() and len(code) > 1 else code
        label = (
            DictItem.objects.filter(
                dict_type__code="industry", code=key[:2] if key[0].isdigit() else key
            )
            .values_list("label", flat=True)
            .first()
        )
        rest = label or ""
    return code, (rest or raw)[:100]


# An import asks for the same 包保领导, 项目秘书 and 园区 names on row after row: within one
# import (:func:`lookups_remembered`) each name is looked up once.
_remembered: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "import_lookups", default=None
)


@contextmanager
def lookups_remembered():
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def _remember(key, compute):
    memo = _remembered.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _match_people(names: list[str]) -> tuple[list[User], list[str]]:
    users, unmatched = [], []
    for name in names:
        name = name.strip()
        if not name:
            continue
        hits = _remember(
            ("person", name),
            lambda name=name: list(User.objects.filter(name=name, is_active=True)[:2]),
        )
        if len(hits) == 1:
            users.append(hits[0])
        else:
            unmatched.append(name)
    return users, unmatched


def _match_unit(text: str, within: Unit | None = None) -> Unit | None:
    text = (text or "").strip()
    if not text:
        return None
    return _remember(
        ("unit", text, within.pk if within is not None else None),
        lambda: _find_unit(text, within),
    )


def _find_unit(text: str, within: Unit | None) -> Unit | None:
    qs = Unit.objects.filter(is_active=True)
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    hits = list(qs.filter(name=text)[:2]) or list(qs.filter(short_name=text)[:2])
    if not hits and "·" in text:  # 上级简称·园区名, as the export writes a name two units share
        upper, _, name = text.rpartition("·")
        hits = list(
            qs.filter(Q(name=name) | Q(short_name=name)).filter(
                Q(parent__short_name=upper) | Q(parent__name=upper)
            )[:2]
        )
    return hits[0] if len(hits) == 1 else None


def clean(data: dict, *, instance: Project | None = None, code_owners: dict | None = None) -> dict:
    """Validate and normalise project fields. Raises ValidationError naming each bad field.

    `code_owners` (an import's index: 项目代码 → the id of the project holding it, or None) answers
    the uniqueness check without a query for the codes it knows."""
    errors: dict[str, str] = {}
    out: dict = {}
    for f in TEXT_FIELDS:
        if f in data:
            out[f] = _take(errors, f, cleaning.text, data[f], max_length=None) or ""
    if ("name" in out or instance is None) and "name" not in errors:
        if not out.get("name"):
            errors["name"] = "项目名称必填。"
        elif len(out["name"]) > 200:
            errors["name"] = "项目名称不能超过 200 字。"
    if "national_code" in data:
        code = (data["national_code"] or "").strip()
        if code:
            try:
                code = ledger.validate_national_code(code)
            except ValueError as exc:
                errors["national_code"] = str(exc)
            else:
                if code_owners is not None and code in code_owners:
                    owner = code_owners[code]
                    taken = owner is not None and (instance is None or owner != instance.pk)
                else:
                    clash = Project.objects.filter(national_code=code)
                    if instance is not None:
                        clash = clash.exclude(pk=instance.pk)
                    taken = clash.exists()
                if taken:
                    errors["national_code"] = f"项目代码“{code}”已被其他项目使用。"
        out["national_code"] = code or None
    for f in MONEY_FIELDS:  # 万元
        if f in data:
            out[f] = _take(errors, f, cleaning.amount, data[f], limit=MAX_NUMBER)
    if "land_area_mu" in data:
        out["land_area_mu"] = _take(
            errors,
            "land_area_mu",
            cleaning.decimal_value,
            data["land_area_mu"],
            limit=Decimal(10) ** 10,  # 12 digits, 2 after the point
        )
    for f, lo, hi in (("latitude", -90, 90), ("longitude", -180, 180)):
        if f in data:
            v = _take(errors, f, cleaning.decimal_value, data[f], minimum=None, places=6)
            if v is not None and not (lo <= v <= hi):
                errors[f] = f"{FIELD_LABELS[f]}应在 {lo} 到 {hi} 之间。"
            out[f] = v
    if "expected_jobs" in data:
        out["expected_jobs"] = _take(
            errors,
            "expected_jobs",
            cleaning.integer,
            data["expected_jobs"],
            minimum=0,
            maximum=2_147_483_647,  # the column's range
        )
        if "expected_jobs" in errors:
            errors["expected_jobs"] = "带动就业应为非负整数。"
    for f in DATE_FIELDS:
        if f in data:
            out[f] = _take(errors, f, cleaning.date_value, data[f])
    if "plan_category" in data:
        v = data["plan_category"] or ""
        if v and v not in PlanCategory.values:
            errors["plan_category"] = "年度类别无效。"
        out["plan_category"] = v
    if "level" in data:
        v = data["level"] or ""
        if v and v not in Level.values:
            errors["level"] = "项目级别无效。"
        out["level"] = v
    if "industry" in data:
        out["industry_code"], out["industry_text"] = parse_industry(data["industry"] or "")
    for f in ("lead_officials_text", "secretary_text", "responsible_unit_text"):
        if f in data:
            out[f] = (data[f] or "").strip()
    if "date_precision" in data:
        out["date_precision"] = {
            k: v for k, v in (data["date_precision"] or {}).items() if k in DATE_FIELDS
        }
    if "plan_year" in data:
        out["plan_year"] = data["plan_year"]

    # cross-field rules, on the values the project will have after the change
    def final(f):
        return out[f] if f in out else getattr(instance, f, None)

    order = [
        ("planned_signing_date", "planned_start_date"),
        ("planned_start_date", "planned_completion_date"),
        ("planned_completion_date", "planned_production_date"),
        ("actual_signing_date", "actual_start_date"),
        ("actual_start_date", "actual_completion_date"),
        ("actual_completion_date", "actual_production_date"),
    ]
    for a, b in order:
        if b not in errors:
            try:
                cleaning.check_date_order(
                    final(a), final(b), FIELD_LABELS[a], FIELD_LABELS[b], field=b
                )
            except cleaning.CleaningError as exc:
                errors[b] = exc.message
    today = clock.today()
    for f in DATE_FIELDS[4:]:
        v = final(f)
        if v and v > today and f not in errors:
            errors[f] = f"{FIELD_LABELS[f]}（{v:%Y-%m-%d}）晚于今天：实际日期不能预填。"
    total, annual = final("total_investment"), final("annual_plan_investment")
    if (
        total is not None
        and annual is not None
        and annual > total
        and "annual_plan_investment" not in errors
    ):
        errors["annual_plan_investment"] = (
            f"年度计划投资（{annual}万元）超过总投资（{total}万元）。"
        )
    since = final("completed_since_start")
    if (
        total is not None
        and since is not None
        and since > total
        and "completed_since_start" not in errors
    ):
        errors["completed_since_start"] = f"累计完成投资（{since}万元）超过总投资（{total}万元）。"
    if errors:
        raise ValidationError(errors)
    if "name" in out:
        out["name_key"] = normalise_name(out["name"])
    return out


def _snapshot(p: Project, leads: list[User] | None = None) -> dict:
    """The audit picture of a project; `leads` (its 包保领导, when the caller holds them) spares
    the query."""
    data = snapshot(p, exclude=("updated_at", "created_at", "name_key"))
    if leads is not None:
        data["lead_officials"] = sorted(u.name for u in leads)
    else:
        data["lead_officials"] = (
            sorted(p.lead_officials.values_list("name", flat=True)) if p.pk else []
        )
    return data


def _check_unit(by, unit: Unit) -> None:
    if unit is None:
        raise ValidationError({"unit": "请选择所属园区。"})
    if not queries.can_write_unit(by, unit):
        raise PermissionDenied(f"无权在“{unit.name}”下维护项目。")


def _check_responsible_unit(by, unit: Unit | None, project_unit: Unit) -> None:
    """A 责任单位 the person may name (queries.can_make_responsible); a change only, so a value
    set earlier by someone with a wider scope stays when others edit the project."""
    if unit is None or not isinstance(by, User):
        return
    if not queries.can_make_responsible(by, unit, project_unit):
        raise ValidationError(
            {
                "responsible_unit": f"不能把“{unit.name}”设为责任单位：只能选择本人数据范围内的"
                "单位，或项目所在园区/开发区/区的部门、科室。"
            }
        )


def _check_project(by, project: Project, key: str = "projects.change") -> Project:
    require(by, key)
    if not queries.visible(by).filter(pk=project.pk).exists():
        raise PermissionDenied("无权修改此项目。")
    return project


def _set_leads(project: Project, lead_officials) -> None:
    if lead_officials is not None:
        project.lead_officials.set(lead_officials)


def _year_plan(project: Project) -> None:
    if project.plan_year and project.plan_category:
        ProjectYearPlan.objects.update_or_create(
            project=project,
            year=project.plan_year,
            defaults={
                "plan_category": project.plan_category,
                "annual_plan_investment": project.annual_plan_investment,
            },
        )

"""Projects API: list (filtered, paginated), fetch, create, update, stage transition, funnel.
Same queries (scoped) and services (validated, audited) as the pages."""

# No `from __future__ import annotations`: @paginate wraps the views, and ninja resolves
# their parameter annotations (Query[...]) in the wrapper's module, not this one.

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from diaodu.cleanfields import cleaned
from diaodu.engine import cleaning
from diaodu.engine import stages as S
from diaodu.engine.locking import MAX_VERSION
from diaodu.org import queries as org_queries
from diaodu.org.models import Unit
from diaodu.org.scope import require
from diaodu.pagination import Paged, Rows
from diaodu.projects import queries, services
from diaodu.projects.filters import LedgerFilterSet
from diaodu.projects.models import Project

router = Router(tags=["项目"])


class ProjectOut(Schema):
    id: int
    name: str
    national_code: str | None
    unit_id: int
    unit_name: str
    stage: str
    stage_label: str
    plan_category: str
    level: str
    industry_code: str
    industry_text: str
    investor: str
    total_investment: Decimal | None
    annual_plan_investment: Decimal | None
    completed_this_year: Decimal | None
    completed_since_start: Decimal | None
    land_area_mu: Decimal | None
    latitude: Decimal | None
    longitude: Decimal | None
    planned_start_date: date | None
    actual_start_date: date | None
    planned_completion_date: date | None
    secretary_id: int | None
    secretary_name: str
    lead_officials: list[str]
    responsible_unit_id: int | None
    responsible_unit_name: str
    progress_text: str
    issues_text: str
    version: int


class ProjectIn(Schema):
    name: str | None = None
    national_code: str | None = None
    unit_id: int | None = None
    investor: str | None = None
    content_scale: str | None = None
    industry: str | None = None
    address: str | None = None
    latitude: cleaned(cleaning.decimal_value, "纬度", Decimal | None, minimum=None, places=6) = None
    longitude: cleaned(cleaning.decimal_value, "经度", Decimal | None, minimum=None, places=6) = (
        None
    )
    land_area_mu: cleaned(cleaning.decimal_value, "用地面积", Decimal | None, minimum=None) = None
    total_investment: cleaned(cleaning.amount, "总投资", Decimal | None, minimum=None) = None
    annual_plan_investment: cleaned(
        cleaning.amount, "年度计划投资", Decimal | None, minimum=None
    ) = None
    plan_category: str | None = None
    level: str | None = None
    planned_signing_date: cleaned(cleaning.date_value, "计划签约", date | None) = None
    planned_start_date: cleaned(cleaning.date_value, "计划开工", date | None) = None
    planned_completion_date: cleaned(cleaning.date_value, "计划竣工", date | None) = None
    planned_production_date: cleaned(cleaning.date_value, "计划投产", date | None) = None
    actual_signing_date: cleaned(cleaning.date_value, "签约日期", date | None) = None
    actual_start_date: cleaned(cleaning.date_value, "开工日期", date | None) = None
    actual_completion_date: cleaned(cleaning.date_value, "竣工日期", date | None) = None
    actual_production_date: cleaned(cleaning.date_value, "投产日期", date | None) = None
    expected_output: cleaned(cleaning.amount, "预计年产值", Decimal | None, minimum=None) = None
    expected_tax: cleaned(cleaning.amount, "预计年税收", Decimal | None, minimum=None) = None
    expected_jobs: cleaned(cleaning.integer, "带动就业", int | None) = None
    progress_text: str | None = None
    issues_text: str | None = None
    remarks: str | None = None
    secretary_id: int | None = None
    lead_official_ids: list[int] | None = None
    responsible_unit_id: int | None = None
    version: int | None = None


class StageIn(Schema):
    to_stage: str
    on: cleaned(cleaning.date_value, "发生日期", date, required=True)
    note: str = ""
    reason: str = ""
    version: int = Field(
        ge=1,
        le=MAX_VERSION,
        description="项目的 version（乐观锁）：他人在此期间修改过则拒绝（409）",
    )


class FunnelRow(Schema):
    stage: str
    label: str
    count: int
    investment: Decimal
    side: bool


class Filters(Schema):
    unit: int | None = None
    stage: list[str] = []
    category: str = ""
    level: str = ""
    industry: str = ""
    person: int | None = None
    q: str = ""
    sort: str = "-id"
    with_count: bool = True


def _out(p: Project) -> dict:
    leads = [u.name for u in p.lead_officials.all()]
    if p.lead_officials_text:
        leads += p.lead_officials_text.split("、")
    return {
        **{
            f: getattr(p, f)
            for f in (
                "id",
                "name",
                "national_code",
                "unit_id",
                "stage",
                "plan_category",
                "level",
                "industry_code",
                "industry_text",
                "investor",
                "total_investment",
                "annual_plan_investment",
                "completed_this_year",
                "completed_since_start",
                "land_area_mu",
                "latitude",
                "longitude",
                "planned_start_date",
                "actual_start_date",
                "planned_completion_date",
                "secretary_id",
                "responsible_unit_id",
                "progress_text",
                "issues_text",
                "version",
            )
        },
        "unit_name": p.unit.name,
        "stage_label": S.label(p.stage),
        "secretary_name": p.secretary.name if p.secretary else p.secretary_text,
        "lead_officials": leads,
        "responsible_unit_name": p.responsible_unit.name
        if p.responsible_unit
        else p.responsible_unit_text,
    }


def _filter(request, f: Filters) -> queries.LedgerFilter:
    """The ledger page's FilterSet over the same query string (``Filters`` documents and types
    it); a bad value is refused with a Chinese message naming the filter."""
    fs = LedgerFilterSet(request.GET, request=request)
    fs.raise_errors()
    return fs.filter


@router.get(
    "/",
    response=list[ProjectOut],
    summary="项目台账（筛选、分页；count 最多统计到上限，with_count=false 时为 -1）",
)
@paginate(Paged)
def list_projects(request, filters: Query[Filters]):
    require(request.user, "projects.view")
    qs = queries.ledger(request.user, _filter(request, filters))
    return Rows(
        # The page's ids on the project table alone (an index walk for deep pages), then those
        # rows with their related objects; never an exact COUNT(*) over the whole table.
        qs.values_list("pk", flat=True),
        page=_rows_by_id,
        count=(lambda: queries.capped_count(qs)) if filters.with_count else (lambda: (-1, False)),
    )


def _rows_by_id(ids: list[int]) -> list[dict]:
    by_id = {p.pk: p for p in queries.for_list(Project.objects.filter(pk__in=ids))}
    return [_out(by_id[i]) for i in ids if i in by_id]


@router.get("/funnel", response=list[FunnelRow], summary="项目漏斗：各阶段项目数与总投资")
def funnel(request, unit: int | None = None):
    require(request.user, "projects.view")
    u = org_queries.get_unit(request.user, unit) if unit else None
    return queries.funnel(request.user, u)


@router.get("/{project_id}", response=ProjectOut, summary="项目详情")
def get_project(request, project_id: int):
    require(request.user, "projects.view")
    return _out(queries.get(request.user, project_id))


def _people(request, ids, field: str = "lead_official_ids", label: str = "包保领导"):
    if ids is None:
        return None
    found = {u.pk: u for u in org_queries.people(request.user).filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({field: f"{label}不存在或无权选择：{missing}"})
    return [found[i] for i in ids]


def _one_person(request, pk):
    if pk is None:
        return None
    return _people(request, [pk], "secretary_id", "项目秘书")[0]


def _resp_unit(pk):
    if pk is None:
        return None
    unit = Unit.objects.filter(pk=pk, is_active=True).first()
    if unit is None:
        raise ValidationError({"responsible_unit_id": "责任单位不存在。"})
    return unit


DATA_KEYS = [
    k
    for k in ProjectIn.model_fields
    if k not in ("unit_id", "secretary_id", "lead_official_ids", "responsible_unit_id", "version")
]


@router.post("/", response={201: ProjectOut}, summary="新建项目")
def create_project(request, payload: ProjectIn):
    require(request.user, "projects.change")
    if payload.unit_id is None:
        raise ValidationError({"unit_id": "请选择所属园区。"})
    unit = org_queries.get_unit(request.user, payload.unit_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if k in DATA_KEYS}
    p = services.create_project(
        request.user,
        unit=unit,
        data=data,
        lead_officials=_people(request, payload.lead_official_ids),
        secretary=_one_person(request, payload.secretary_id),
        responsible_unit=_resp_unit(payload.responsible_unit_id),
    )
    return 201, _out(queries.get(request.user, p.pk))


@router.patch(
    "/{project_id}",
    response={200: ProjectOut, 409: dict},
    summary="修改项目（须带 version，乐观锁）",
)
def update_project(request, project_id: int, payload: ProjectIn):
    require(request.user, "projects.change")
    project = queries.get(request.user, project_id)
    if payload.version is None:
        raise ValidationError({"version": "请提供项目的 version（乐观锁）。"})
    given = payload.dict(exclude_unset=True)
    data = {k: v for k, v in given.items() if k in DATA_KEYS}
    kwargs = {}
    if "secretary_id" in given:
        kwargs["secretary"] = _one_person(request, payload.secretary_id)
    if "responsible_unit_id" in given:
        kwargs["responsible_unit"] = _resp_unit(payload.responsible_unit_id)
    unit = org_queries.get_unit(request.user, payload.unit_id) if payload.unit_id else None
    try:
        p = services.update_project(
            request.user,
            project,
            data=data,
            version=payload.version,
            lead_officials=_people(request, payload.lead_official_ids),
            unit=unit,
            **kwargs,
        )
    except services.ConflictError as exc:
        return 409, {
            "detail": str(exc),
            "changes": [
                {k: str(v) if v is not None else None for k, v in c.items()} for c in exc.changes
            ],
        }
    return 200, _out(queries.get(request.user, p.pk))


@router.post("/{project_id}/stage", response=ProjectOut, summary="项目阶段变更")
def change_stage(request, project_id: int, payload: StageIn):
    project = queries.get(request.user, project_id)
    p = services.transition(
        request.user,
        project,
        payload.to_stage,
        payload.on,
        note=payload.note,
        reason=payload.reason,
        version=payload.version,
    )
    return _out(queries.get(request.user, p.pk))

"""Every read of projects goes through `restrict()`: the person's data scope.

Scope rules for projects: 全部数据 sees everything; otherwise a project is visible when its
unit (park) or its 责任单位 is among the person's visible units; 仅本人 adds the projects where
the person is 项目秘书 or 包保领导.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.http import Http404

from diaodu.engine import stages as S
from diaodu.org.models import Unit, UnitKind
from diaodu.org.scope import scope_for, sees_unit
from diaodu.projects.models import Project

PAGE_SIZE = 50
COUNT_CAP = 10_000


def restrict(qs, user):
    s = scope_for(user)
    if not s.has("projects.view"):
        return qs.none()
    if s.all_units:
        return qs
    q = Q(pk__in=[])
    if s.unit_ids:
        ids = list(s.unit_ids)
        q |= Q(unit_id__in=ids) | Q(responsible_unit_id__in=ids)
    if s.self_only and s.user_id:
        led = Project.lead_officials.through.objects.filter(user_id=s.user_id).values("project_id")
        q |= Q(secretary_id=s.user_id) | Q(pk__in=led)
    return qs.filter(q)


def visible(user):
    return restrict(Project.objects.all(), user)


def can_write_unit(user, unit: Unit) -> bool:
    """May this person put projects under this unit (create, import)?"""
    return sees_unit(user, unit)


def can_make_responsible(user, unit: Unit, project_unit: Unit) -> bool:
    """May this person name *unit* 责任单位 of a project under *project_unit*? A unit of their own
    scope, or a department/office of the administration the project sits in (a unit directly
    under the project's park, zone or district, as 招商局 under the zone): never a unit of another
    zone, nor one that is closed."""
    if not unit.is_active:
        return False
    if sees_unit(user, unit):
        return True
    return unit.kind in (UnitKind.DEPARTMENT, UnitKind.OFFICE) and unit.parent_id in (
        *project_unit.ancestor_ids(),
        project_unit.pk,
    )


def get(user, pk, *, for_update: bool = False) -> Project:
    try:
        return visible(user).select_related("unit", "secretary", "responsible_unit").get(pk=int(pk))
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404("项目不存在或无权查看。") from None


def units_for_filter(user):
    """Units a person can filter the ledger by: their visible units, or all when scope is full."""
    from diaodu.org.scope import restrict_units

    return restrict_units(Unit.objects.filter(is_active=True), user).order_by("path")


@dataclass
class LedgerFilter:
    unit: Unit | None = None
    stages: tuple[str, ...] = ()
    category: str = ""
    level: str = ""
    industry: str = ""
    person: int | None = None
    text: str = ""
    sort: str = "-id"


SORTS = {
    "-id": ("-id",),
    "id": ("id",),
    "name": ("name_key", "id"),
    "-name": ("-name_key", "-id"),
    "total": ("total_investment", "id"),
    "-total": ("-total_investment", "-id"),
    "start": ("planned_start_date", "id"),
    "-start": ("-planned_start_date", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "stage": ("stage", "id"),
    "-stage": ("-stage", "-id"),
    "unit": ("unit__path", "id"),
    "-unit": ("-unit__path", "-id"),
    "annual": ("annual_plan_investment", "id"),
    "-annual": ("-annual_plan_investment", "-id"),
    "completed": ("completed_this_year", "id"),
    "-completed": ("-completed_this_year", "-id"),
    "actual_start": ("actual_start_date", "id"),
    "-actual_start": ("-actual_start_date", "-id"),
}
# The ledger's column heads that sort (column key → sort key), as an Excel 台账's filter arrows do.
SORTABLE = {
    "name": "name",
    "unit": "unit",
    "stage": "stage",
    "total": "total",
    "annual": "annual",
    "completed": "completed",
    "planned_start": "start",
    "actual_start": "actual_start",
    "updated": "updated",
}


def subtree_ids(unit: Unit) -> list[int]:
    """Ids of a unit and everything below it: one indexed prefix query on the small unit table,
    so the project query filters on unit_id without joining the tree."""
    return list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))


def person_project_ids(person_id: int) -> list[int]:
    """Projects where the person is 项目秘书 or 包保领导: two index lookups instead of an OR that
    scans the project table."""
    ids = set(Project.objects.filter(secretary_id=person_id).values_list("pk", flat=True))
    ids.update(
        Project.lead_officials.through.objects.filter(user_id=person_id).values_list(
            "project_id", flat=True
        )
    )
    return sorted(ids)


def ledger(user, f: LedgerFilter):
    qs = visible(user)
    if f.unit is not None:
        qs = qs.filter(unit_id__in=subtree_ids(f.unit))
    if f.stages:
        qs = qs.filter(stage__in=f.stages)
    if f.category:
        qs = qs.filter(plan_category=f.category)
    if f.level:
        qs = qs.filter(level=f.level)
    if f.industry:
        qs = qs.filter(industry_code__startswith=f.industry)
    if f.person:
        qs = qs.filter(pk__in=person_project_ids(f.person))
    if f.text:
        t = f.text.strip()
        qs = qs.filter(
            Q(name__icontains=t) | Q(investor__icontains=t) | Q(national_code__icontains=t)
        )
    return qs.order_by(*SORTS.get(f.sort, SORTS["-id"]))


def with_related(qs):
    return qs.select_related("unit", "secretary", "responsible_unit").prefetch_related(
        "lead_officials"
    )


LIST_DEFER = ("content_scale", "remarks", "name_key", "date_precision", "created_at")
PERSON_COLUMNS = ("id", "name")
UNIT_COLUMNS = ("id", "name", "short_name")


def for_list(qs):
    """Rows for ledger pages and API lists: the related people and units with only the columns a
    list shows, and the long texts left out."""
    from django.db.models import Prefetch

    from diaodu.org.models import User

    only_related = [
        f"{rel}__{col}"
        for rel, cols in (
            ("unit", UNIT_COLUMNS),
            ("secretary", PERSON_COLUMNS),
            ("responsible_unit", UNIT_COLUMNS),
        )
        for col in cols
    ]
    concrete = [f.name for f in Project._meta.concrete_fields if f.name not in LIST_DEFER]
    return (
        qs.select_related("unit", "secretary", "responsible_unit")
        .only(*concrete, *only_related)
        .prefetch_related(Prefetch("lead_officials", queryset=User.objects.only(*PERSON_COLUMNS)))
    )


@dataclass
class Page:
    rows: list
    number: int
    has_next: bool
    has_previous: bool
    count: int
    count_capped: bool

    @property
    def start_index(self):
        return (self.number - 1) * PAGE_SIZE + 1 if self.rows else 0


MAX_PAGE = 1_000_000  # page numbers beyond this are read as this one (no offset past bigint)


def capped_count(qs) -> tuple[int, bool]:
    """Count matching rows, stopping at COUNT_CAP: never an exact COUNT(*) over the whole table."""
    n = qs.order_by()[: COUNT_CAP + 1].count()
    return min(n, COUNT_CAP), n > COUNT_CAP


def page(qs, number: int, size: int = PAGE_SIZE, *, count: bool = True) -> Page:
    """One page without an exact COUNT(*) over the whole table: fetch size+1 rows to know whether
    there is a next page, and count only up to COUNT_CAP matching rows."""
    number = min(max(1, number), MAX_PAGE)  # ?page=10**20 is the last page anyone could reach
    offset = (number - 1) * size
    # Pick the page's ids on the project table alone (an index walk for deep pages), then load
    # those rows with their related objects.
    ids = list(qs.values_list("pk", flat=True)[offset : offset + size + 1])
    has_next = len(ids) > size
    ids = ids[:size]
    by_id = {p.pk: p for p in for_list(Project.objects.filter(pk__in=ids))}
    rows = [by_id[i] for i in ids if i in by_id]
    total, capped = capped_count(qs) if count else (-1, False)
    return Page(rows, number, has_next, number > 1, total, capped)


def funnel(user, unit: Unit | None = None) -> list[dict]:
    """Projects and total investment per stage for a unit subtree (scoped)."""
    qs = visible(user)
    if unit is not None:
        qs = qs.filter(unit_id__in=subtree_ids(unit))
    rows = {
        r["stage"]: r
        for r in qs.order_by().values("stage").annotate(n=Count("id"), inv=Sum("total_investment"))
    }
    out = []
    for stage in S.MAIN_LINE + S.SIDE:
        r = rows.get(stage, {})
        out.append(
            {
                "stage": stage,
                "label": S.label(stage),
                "count": r.get("n", 0),
                "investment": r.get("inv") or Decimal("0"),
                "side": stage in S.SIDE,
            }
        )
    return out


def history(project: Project):
    from diaodu.audit.models import AuditEntry

    return AuditEntry.objects.filter(
        object_type="projects.project", object_id=str(project.pk)
    ).order_by("-id")

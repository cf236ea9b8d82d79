"""Every read of the procedures app, through the project scope (projects.queries.visible).

Scope rules:
* A chain, its items and attachments are visible when the project is (projects.view + scope).
* "Waiting on my department" (待我部门办理) lists the open items whose responsible unit is one
  of the person's own units, across all projects: being named the responsible department of a
  procedure is what makes it visible to that department (only the item and the project's name;
  the chain page still follows the project scope). A person may also look at the list of any
  unit inside their data scope (督查室 checking a department).
* procedure_warnings() takes project ids that the caller has already scoped (the weekly loop).
"""

from __future__ import annotations

from django.db.models import F, Q
from django.http import Http404

from diaodu import clock
from diaodu.engine import stages as S
from diaodu.org.models import Unit, UnitKind
from diaodu.org.scope import restrict_units, scope_for
from diaodu.procedures.models import (
    OPEN_STATUSES,
    HolidayYear,
    ProcedureAttachment,
    ProcedureChain,
    ProcedureTemplate,
    ProjectProcedure,
    Stage,
)
from diaodu.projects import queries as project_queries
from diaodu.projects.models import Project
from diaodu.projects.queries import PAGE_SIZE, Page

NOT_STARTED_STAGES = ("lead", "negotiating", "signed", "landed", "preparing")  # before 开工
CLOSED_STAGES = tuple(S.SIDE)  # 暂缓 / 终止: nothing is waiting on anyone


def can_view(user) -> bool:
    return scope_for(user).has("projects.view")


def _visible_project_ids(user):
    return project_queries.visible(user).values("pk")


# ---------------------------------------------------------------- one project
def project_and_chain(user, project_id) -> tuple[Project, ProcedureChain | None]:
    project = project_queries.get(user, project_id)  # 404 outside the scope
    chain = (
        ProcedureChain.objects.select_related("template", "project").filter(project=project).first()
    )
    return project, chain


def chain_items(chain: ProcedureChain) -> list[ProjectProcedure]:
    return list(
        chain.items.select_related("responsible_unit")
        .prefetch_related("attachments")
        .order_by("sort_order", "id")
    )


def handled_unit_ids(user) -> set[int]:
    """The units whose procedure items a person handles as a department (办理): the units they
    belong to and everything below them, for a person with problems.handle."""
    s = scope_for(user)
    if not s.has("problems.handle") or not s.member_unit_ids:
        return set()
    members = list(Unit.objects.filter(pk__in=s.member_unit_ids))
    return set(Unit.objects.subtrees(members).values_list("pk", flat=True))


def may_handle_item(user, item: ProjectProcedure) -> bool:
    """A department may record its own part of an item assigned to it (status, dates, 文号,
    attachments), even on a project outside its data scope."""
    return item.responsible_unit_id is not None and item.responsible_unit_id in handled_unit_ids(
        user
    )


def get_item(user, pk) -> ProjectProcedure:
    """An item of a visible project, or an item waiting on the person's department."""
    q = Q(project__in=_visible_project_ids(user))
    handled = handled_unit_ids(user)
    if handled:
        q |= Q(responsible_unit_id__in=list(handled))
    try:
        return (
            ProjectProcedure.objects.select_related(
                "project", "project__unit", "chain", "responsible_unit"
            )
            .filter(q)
            .get(pk=int(pk))
        )
    except (ProjectProcedure.DoesNotExist, ValueError, TypeError):
        raise Http404("手续不存在或无权查看。") from None


def get_item_of_project(user, project_id, pk) -> ProjectProcedure:
    item = get_item(user, pk)
    if item.project_id != int(project_id):
        raise Http404("手续不存在或无权查看。")
    return item


def get_attachment(user, pk) -> ProcedureAttachment:
    try:
        return (
            ProcedureAttachment.objects.select_related("item", "item__project")
            .filter(
                Q(item__project__in=_visible_project_ids(user))
                | Q(item__responsible_unit_id__in=list(handled_unit_ids(user)))
            )
            .get(pk=int(pk))
        )
    except (ProcedureAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404("附件不存在或无权查看。") from None


def department_choices(project: Project) -> list[Unit]:
    """Departments and offices of the project's zone (the units that hold procedures)."""
    ancestors = project.unit.ancestor_ids()
    root = ancestors[0] if ancestors else project.unit.pk
    root_path = f"/{root}/"
    return list(
        Unit.objects.filter(
            path__startswith=root_path,
            is_active=True,
            kind__in=[UnitKind.DEPARTMENT, UnitKind.OFFICE],
        ).order_by("path")
    )


# ---------------------------------------------------------------- templates and calendar
def templates(*, current_only: bool = True):
    qs = ProcedureTemplate.objects.all()
    if current_only:
        qs = qs.filter(is_current=True)
    return qs.order_by("sort_order", "code", "-version")


def get_template(pk) -> ProcedureTemplate:
    try:
        return ProcedureTemplate.objects.prefetch_related("items").get(pk=int(pk))
    except (ProcedureTemplate.DoesNotExist, ValueError, TypeError):
        raise Http404("模板不存在。") from None


def template_versions(template: ProcedureTemplate):
    return ProcedureTemplate.objects.filter(code=template.code).order_by("-version")


def holiday_years():
    return HolidayYear.objects.select_related("updated_by").order_by("-year")


# ---------------------------------------------------------------- lists
def page(qs, number: int, size: int = PAGE_SIZE) -> Page:
    """One page without an exact COUNT over everything (same rule as the ledger)."""
    number = min(max(1, number), project_queries.MAX_PAGE)
    offset = (number - 1) * size
    rows = list(qs[offset : offset + size + 1])
    total, capped = project_queries.capped_count(qs)
    return Page(rows[:size], number, len(rows) > size, number > 1, total, capped)


def waiting_units(user, unit_id=None) -> list[Unit]:
    """The units whose waiting list the person looks at: their own units by default, or one
    unit they ask for among their own units and the units of their data scope."""
    s = scope_for(user)
    if unit_id in (None, ""):
        return list(Unit.objects.filter(pk__in=s.member_unit_ids).order_by("path"))
    try:
        pk = int(unit_id)
    except (TypeError, ValueError):
        raise Http404("单位不存在或无权查看。") from None
    if pk in s.member_unit_ids:
        return list(Unit.objects.filter(pk=pk))
    unit = restrict_units(Unit.objects.filter(pk=pk), user).first()
    if unit is None:
        raise Http404("单位不存在或无权查看。")
    return [unit]


def waiting_on_units(units: list[Unit]):
    """Open items whose responsible unit is one of `units`, most urgent first (latest finish
    date ascending: overdue ones come first; then the smallest slack). 竣工验收 items count only
    once the project has started; suspended and dropped projects wait on nobody."""
    qs = (
        ProjectProcedure.objects.filter(
            responsible_unit__in=[u.pk for u in units], status__in=OPEN_STATUSES
        )
        .exclude(project__stage__in=CLOSED_STAGES)
        .filter(~Q(stage=Stage.ACCEPTANCE) | Q(project__actual_start_date__isnull=False))
    )
    return qs.select_related("project", "project__unit", "responsible_unit").order_by(
        F("latest_finish").asc(nulls_last=True),
        F("slack_wd").asc(nulls_last=True),
        "project_id",
        "sort_order",
        "id",
    )


def visible_project_ids_among(user, project_ids) -> set[int]:
    return set(
        project_queries.visible(user).filter(pk__in=list(project_ids)).values_list("pk", flat=True)
    )


def late_projects(user, unit: Unit | None = None):
    """Projects (scoped) that will miss their target start date, most days late first, with the
    procedure that causes it (ProcedureChain.delay_cause). Only projects not yet started."""
    qs = ProcedureChain.objects.filter(
        days_late_wd__gt=0,
        project__in=_visible_project_ids(user),
        project__actual_start_date__isnull=True,
        project__stage__in=NOT_STARTED_STAGES,
    )
    if unit is not None:
        qs = qs.filter(project__unit__path__startswith=unit.path)
    return qs.select_related("project", "project__unit", "template").order_by(
        "-days_late_wd", "project_id"
    )


def chain_summaries(user, unit: Unit | None = None):
    """All visible chains (for counts on the list page)."""
    qs = ProcedureChain.objects.filter(project__in=_visible_project_ids(user))
    if unit is not None:
        qs = qs.filter(project__unit__path__startswith=unit.path)
    return qs


# ---------------------------------------------------------------- for the weekly loop
def procedure_warnings(project_ids) -> dict[int, dict[str, list[str]]]:
    """{project_id: {"overdue": [procedure names], "at_risk": [names]}} for the given projects
    (every id gets an entry), from the stored schedules. Not scoped: pass ids already scoped.
    Chunked: one query per 5,000 projects."""
    ids = [int(p) for p in project_ids]
    out: dict[int, dict[str, list[str]]] = {pid: {"overdue": [], "at_risk": []} for pid in ids}
    for i in range(0, len(ids), 5000):
        chunk = ids[i : i + 5000]
        rows = (
            ProjectProcedure.objects.filter(project_id__in=chunk, status__in=OPEN_STATUSES)
            .filter(Q(overdue=True) | Q(at_risk=True))
            .order_by("project_id", "sort_order", "id")
            .values_list("project_id", "name", "overdue")
        )
        for pid, name, overdue in rows:
            out[pid]["overdue" if overdue else "at_risk"].append(name)
    return out


def today():
    return clock.today()

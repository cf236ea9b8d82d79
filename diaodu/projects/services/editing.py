"""Create and edit projects (optimistic locking), and move them between stages."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from diaodu import clock
from diaodu.audit.locking import UNCHECKED, require_version
from diaodu.audit.models import AuditEntry
from diaodu.audit.services import record
from diaodu.engine import stages as S
from diaodu.org.models import Unit, User
from diaodu.org.scope import require
from diaodu.projects.models import (
    Project,
    StageChange,
)

from .fields import FIELD_LABELS, ConflictError
from .validation import (
    _check_project,
    _check_responsible_unit,
    _check_unit,
    _set_leads,
    _snapshot,
    _year_plan,
    clean,
)


# ---------------------------------------------------------------- create / update
def _own_creation(by, project: Project) -> None:
    """A person who sees only their own projects (项目秘书, 仅本人) and creates one without naming
    a secretary becomes its secretary; naming someone else would hide it from them: refused."""
    from diaodu.projects import queries

    if not isinstance(by, User) or queries.visible(by).filter(pk=project.pk).exists():
        return
    if project.secretary_id is None:
        project.secretary = by
        project.save(update_fields=["secretary"])
        return
    raise ValidationError(
        {"secretary": "您只能查看本人包保的项目：请把自己填为项目秘书，或请园区/督查室录入。"}
    )


@transaction.atomic
def create_project(
    by,
    *,
    unit: Unit,
    data: dict,
    lead_officials: list[User] | None = None,
    secretary: User | None = None,
    responsible_unit: Unit | None = None,
    stage: str = "lead",
    stage_date: date | None = None,
    note: str = "",
    history: list[tuple[str, date | None]] | None = None,
) -> Project:
    """Create a project in `stage` entered on `stage_date` (default today). `history` (the
    ledger import) gives the moves instead, oldest first, each with the date it happened or
    None when that is not known (recorded as 日期未知); the last one is the project's stage."""
    require(by, "projects.change")
    _check_unit(by, unit)
    _check_responsible_unit(by, responsible_unit, unit)
    values = clean(data)
    today = clock.today()
    moves = history or [(stage, stage_date or today)]
    if any(st not in S.ALL for st, _ in moves):
        raise ValidationError({"stage": "项目阶段无效。"})
    if values.get("plan_category") and not values.get("plan_year"):
        values["plan_year"] = today.year
    stage, stage_date = moves[-1]
    project = Project(
        unit=unit,
        secretary=secretary,
        responsible_unit=responsible_unit,
        stage=stage,
        stage_date=stage_date,
        **values,
    )
    project.save()
    _set_leads(project, lead_officials)
    _own_creation(by, project)
    _year_plan(project)
    previous = ""
    for st, on in moves:
        StageChange.objects.create(
            project=project,
            from_stage=previous,
            to_stage=st,
            on=on or today,
            date_unknown=on is None,
            person=by if isinstance(by, User) else None,
            person_name=getattr(by, "name", "") or "系统",
            note=note or "新建项目",
        )
        previous = st
    record("project.create", project, after=_snapshot(project), only_changes=False)
    return project


@transaction.atomic
def update_project(
    by,
    project: Project,
    *,
    data: dict,
    version: int,
    lead_officials: list[User] | None = None,
    secretary: User | None | type(...) = ...,
    responsible_unit: Unit | None | type(...) = ...,
    unit: Unit | None = None,
) -> Project:
    """Save changes made on top of `version`. A newer save in between is refused with ConflictError."""
    _check_project(by, project)
    current = Project.objects.select_for_update().get(pk=project.pk)
    if current.version != version:
        raise ConflictError(conflict_message(current, version), changes_since(current, version))
    before = _snapshot(current)
    values = clean(data, instance=current)
    if unit is not None and unit.pk != current.unit_id:
        _check_unit(by, unit)
        current.unit = unit
    for k, v in values.items():
        setattr(current, k, v)
    if secretary is not ...:
        current.secretary = secretary
    if responsible_unit is not ... and responsible_unit != current.responsible_unit:
        _check_responsible_unit(by, responsible_unit, current.unit)
        current.responsible_unit = responsible_unit
    if current.plan_category and not current.plan_year:
        current.plan_year = clock.today().year
    current.version = version + 1
    current.save()
    _set_leads(current, lead_officials)
    _year_plan(current)
    after = _snapshot(current)
    record("project.update", current, before=before, after=after)
    settle_unknown_stage_dates(current)
    return current


def settle_unknown_stage_dates(project: Project) -> int:
    """A stage move recorded without its date (日期未知) takes the project's date for that stage
    (开工日期 for 在建 …) once the project has one: from then on it counts in that date's year.
    Returns the number of moves dated."""
    n = 0
    for change in project.stage_changes.filter(date_unknown=True).order_by("on", "id"):
        field_name = S.DATE_FIELD.get(change.to_stage)
        when = getattr(project, field_name) if field_name else None
        if when is None:
            continue
        recorded = change.on
        change.on, change.date_unknown = when, False
        change.save(update_fields=["on", "date_unknown"])
        if project.stage == change.to_stage and project.stage_date in (None, recorded):
            project.stage_date = when
            project.save(update_fields=["stage_date", "updated_at"])
        record(
            "project.stage_date",
            project,
            before={"stage": change.to_stage, "on": None, "recorded_on": recorded.isoformat()},
            after={"stage": change.to_stage, "on": when.isoformat()},
            only_changes=False,
        )
        n += 1
    return n


def changes_since(project: Project, version: int) -> list[dict]:
    """What others changed after `version`, read back from the audit log."""
    out = []
    entries = AuditEntry.objects.filter(
        object_type="projects.project",
        object_id=str(project.pk),
        action__in=["project.update", "project.stage"],
    ).order_by("id")
    for e in entries:
        after = e.after or {}
        if "version" in after and int(after["version"]) <= version:
            continue
        if "version" not in after and e.action == "project.update":
            continue
        for key in sorted(after):
            if key == "version":
                continue
            out.append(
                {
                    "who": e.actor_name,
                    "when": e.created_at,
                    "field": FIELD_LABELS.get(key, key),
                    "before": (e.before or {}).get(key),
                    "after": after.get(key),
                }
            )
    return out


def conflict_message(current: Project, version: int) -> str:
    changes = changes_since(current, version)
    if not changes:
        return "项目已被他人修改，请刷新后重新编辑。"
    parts = [
        f"{c['who']} 修改了“{c['field']}”：{c['before'] if c['before'] not in (None, '') else '（空）'} → "
        f"{c['after'] if c['after'] not in (None, '') else '（空）'}"
        for c in changes[:10]
    ]
    return "保存未成功：您打开此项目后，" + "；".join(parts) + "。请在最新内容的基础上重新修改。"


# ---------------------------------------------------------------- stage
@transaction.atomic
def transition(
    by,
    project: Project,
    to_stage: str,
    on: date,
    *,
    note: str = "",
    reason: str = "",
    version=UNCHECKED,
) -> Project:
    """A stage move; from a page or the API, on the version the request saw."""
    _check_project(by, project, "projects.stage")
    current = Project.objects.select_for_update().get(pk=project.pk)
    require_version(version, current, "项目")
    # the previous move with a known date (a move recorded without its date says nothing of when
    # it happened)
    last = current.stage_changes.filter(date_unknown=False).order_by("-on", "-id").first()
    try:
        move = S.check(
            current.stage,
            to_stage,
            on,
            last_move_on=last.on if last else None,
            today=clock.today(),
            reason=reason,
            resume_stage=current.resume_stage or None,
        )
    except S.TransitionError as exc:
        raise ValidationError({"stage": str(exc)}) from None
    before = _snapshot(current)
    if to_stage in S.SIDE and current.stage not in S.SIDE:
        current.resume_stage = current.stage
    elif to_stage in S.MAIN_LINE:
        current.resume_stage = ""
    current.stage, current.stage_date = to_stage, on
    date_field = S.DATE_FIELD.get(to_stage)
    if date_field and getattr(current, date_field) is None:
        setattr(current, date_field, on)
    current.version += 1
    current.save()
    StageChange.objects.create(
        project=current,
        from_stage=move.from_stage,
        to_stage=to_stage,
        on=on,
        person=by if isinstance(by, User) else None,
        person_name=getattr(by, "name", ""),
        note=(note or "").strip()[:500],
        reason=(reason or "").strip()[:500],
    )
    record("project.stage", current, before=before, after=_snapshot(current))
    return current

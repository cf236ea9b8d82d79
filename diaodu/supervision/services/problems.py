"""Problems (问题清单): raise, assign, handle, close, return, rate and escalate."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from diaodu import clock
from diaodu.audit.locking import UNCHECKED, require_version
from diaodu.audit.services import record, snapshot
from diaodu.engine import cleaning, escalation
from diaodu.engine.cleaning import Errors, is_blank
from diaodu.engine.escalation import Ladder
from diaodu.engine.workflow import Machine, MoveError, MoveForbidden
from diaodu.org.models import Unit
from diaodu.org.scope import require, scope_for
from diaodu.procedures import workcal
from diaodu.projects.models import Project
from diaodu.supervision import queries
from diaodu.supervision.flows import PROBLEM
from diaodu.supervision.models import (
    RUNNING,
    ContactLog,
    Problem,
    ProblemEvent,
    ProblemSource,
    ProblemStatus,
    ProgressReport,
)

from . import evidence
from .common import (
    MAX_TEXT,
    _check_project,
    _int_in,
    _name,
    _notify,
    _notify_unit,
    _raise,
    _type_label,
    _unit_named,
    _user,
)

# ================================================================ problems (问题清单)
# The moves live in supervision/flows.py (engine.workflow); these names stay for callers.
MOVES = {m.name: (m.sources, m.target) for m in PROBLEM.moves}
ACTION_LABELS = {m.name: m.label for m in PROBLEM.moves}


def check_move(status: str, action: str) -> str:
    """The status a move leads to, or ValidationError naming what is allowed."""
    try:
        return PROBLEM.check(status, action).target
    except MoveError as exc:
        raise ValidationError(exc.as_dict()) from None


def facts(by, problem: Problem) -> dict[str, bool]:
    """What the machine's predicates need to know about this person and this problem."""
    s = scope_for(by)
    handler = s.has("problems.handle") and (
        s.all_units or problem.responsible_unit_id in queries.own_unit_ids(by)
    )
    raiser = s.user_id is not None and problem.raised_by_id == s.user_id
    return {"handler": handler, "raiser": raiser}


def allowed_moves(by, problem: Problem, machine: Machine = PROBLEM, state: str | None = None):
    """The moves this person may make on this problem now (for the pages and the API)."""
    s = scope_for(by)
    return machine.moves_from(state or problem.status, s.perms, facts(by, problem))


def _allow(
    by,
    problem: Problem,
    move: str,
    fields: dict | None = None,
    *,
    machine: Machine = PROBLEM,
    state: str | None = None,
) -> str:
    """The engine's verdict on a move (who → from which state → required fields), as Django's
    errors: PermissionDenied or ValidationError naming the field. Returns the target state."""
    s = scope_for(by)
    try:
        return machine.move(
            problem.status if state is None else state,
            move,
            s.perms,
            fields,
            checks=facts(by, problem),
        )
    except MoveForbidden as exc:
        raise PermissionDenied(exc.message) from None
    except MoveError as exc:
        raise ValidationError(exc.as_dict()) from None


TOP = escalation.DEFAULT.top  # 提级: the last level, whatever a zone's thresholds


def _allow_all(
    by,
    problem: Problem,
    move: str,
    fields: dict,
    errors: Errors,
    *,
    machine: Machine = PROBLEM,
    state: str | None = None,
) -> str:
    """Like _allow, but a blank required field joins the other field errors (all reported at
    once, with the machine's message) instead of stopping at the first; raises them all."""
    m = machine[move] if move in machine else None
    required = m.required if m is not None else {}
    target = _allow(by, problem, move, dict.fromkeys(required, "✓"), machine=machine, state=state)
    for key, message in required.items():
        if is_blank(fields.get(key)) and key not in errors:
            errors.add(key, message)
    errors.raise_if_any(ValidationError)
    return target


def ladder_for(cycle) -> Ladder:
    """The escalation thresholds of a zone's report cycle (the platform's defaults without one)."""
    if cycle is None:
        return escalation.DEFAULT
    return Ladder.of(cycle.urge_after_wd, cycle.supervise_after_wd, cycle.elevate_after_wd)


def _problem_snapshot(p: Problem) -> dict:
    return snapshot(
        p,
        [
            "status",
            "responsible_unit",
            "deadline_wd",
            "assigned_on",
            "due_date",
            "answer",
            "return_reason",
            "escalation_level",
            "satisfaction",
            "version",
        ],
    )


def _event(
    problem: Problem, action: str, by, before_status: str, *, note: str = "", level: int = 0
) -> ProblemEvent:
    return ProblemEvent.objects.create(
        problem=problem,
        action=action,
        from_status=before_status,
        to_status=problem.status,
        level=level,
        by=_user(by),
        by_name=_name(by),
        at=clock.now(),
        note=note,
    )


def _check_visible_problem(by, problem: Problem) -> None:
    if not queries._problem_scope(by).filter(pk=problem.pk).exists():
        raise PermissionDenied("无权操作此问题。")


@transaction.atomic
def raise_problem(
    by,
    project: Project | None,
    *,
    title: str,
    type_code: str,
    description: str = "",
    suggested_unit: Unit | None = None,
    source: str = ProblemSource.MANUAL,
    report: ProgressReport | None = None,
    contact: ContactLog | None = None,
) -> Problem:
    """A problem of a project; every field is checked at once, so an empty form names all
    its gaps (项目, 问题概述, 问题类型), each at its field."""
    errors: dict = {}
    if project is None:
        errors["project"] = "请选择项目。"
    else:
        _check_project(by, project, "problems.raise")
    title = (title or "").strip()
    if not title:
        errors["title"] = "请填写问题概述。"
    elif len(title) > 200:
        errors["title"] = "问题概述不能超过 200 字。"
    label = _type_label(type_code or "")
    if label is None:
        errors["type_code"] = "请选择问题类型。"
    if source not in ProblemSource.values:
        errors["source"] = "问题来源无效。"
    if project is not None:
        _unit_named(by, suggested_unit, project.unit, "suggested_unit", "建议责任单位", errors)
    _raise(errors)
    pr = Problem.objects.create(
        project=project,
        title=title,
        description=(description or "").strip()[:MAX_TEXT],
        type_code=type_code,
        type_label=label,
        source=source,
        report=report,
        contact=contact,
        suggested_unit=suggested_unit,
        raised_by=_user(by),
        raised_by_name=_name(by),
        raised_at=clock.now(),
    )
    _event(pr, "raise", by, "", note=pr.description[:500])
    record("problem.raise", pr, after=snapshot(pr), only_changes=False)
    return pr


def move_problem(by, problem: Problem, action: str, **kw) -> Problem:
    """One entry for every move of the problem's machine (supervision.flows.PROBLEM)."""
    from .problem_desk import send_back_problem  # the department's moves import this module

    handlers = {
        "assign": assign_problem,
        "start": start_problem,
        "resolve": resolve_problem,
        "close": close_problem,
        "return": return_problem,
        "send_back": send_back_problem,
    }
    if action not in handlers:
        raise ValidationError({"action": f"未知的操作“{action}”。"})
    return handlers[action](by, problem, **kw)


@transaction.atomic
def assign_problem(
    by,
    problem: Problem,
    *,
    unit: Unit | None = None,
    deadline_wd=None,
    note: str = "",
    version=UNCHECKED,
) -> Problem:
    """交办: to a department with a deadline in working days (the due date skips holidays)."""
    require(by, "problems.assign")
    _check_visible_problem(by, problem)
    current = (
        Problem.objects.select_for_update(of=("self",))
        .select_related("project", "project__unit")
        .get(pk=problem.pk)
    )
    require_version(version, current, "问题")
    target = _allow(by, current, "assign")
    errors: dict = {}
    if unit is None or not unit.is_active:
        errors["unit"] = "请选择责任单位。"
    else:  # 交办 only to a department of the project's own administration (or of one's scope)
        _unit_named(by, unit, current.project.unit, "unit", "责任单位", errors)
    wd = _int_in(deadline_wd, "deadline_wd", "办理时限（工作日）", errors, 1, 120)
    _raise(errors)
    before, old = _problem_snapshot(current), current.status
    today = clock.today()
    cal = workcal.load()
    current.status, current.responsible_unit = target, unit
    current.deadline_wd, current.assigned_on = wd, today
    current.due_date = cal.add_workdays(today, wd)
    current.version += 1
    current.save()
    _event(
        current,
        "assign",
        by,
        old,
        note=f"交{unit.name}办理，{wd}个工作日内办结（{current.due_date:%Y-%m-%d}前）"
        + (f"。{note.strip()}" if note and note.strip() else ""),
    )
    record("problem.assign", current, before=before, after=_problem_snapshot(current))
    _notify_unit(
        unit,
        title=f"交办：{current.title}",
        body=f"项目《{current.project.name}》，请于{current.due_date:%Y年%m月%d日}前办结。",
        link=f"/supervision/problems/{current.pk}/",
        kind="assignment",
    )
    return current


@transaction.atomic
def start_problem(by, problem: Problem, *, note: str = "", version=UNCHECKED) -> Problem:
    current = Problem.objects.select_for_update(of=("self",)).get(pk=problem.pk)
    require_version(version, current, "问题")
    target = _allow(by, current, "start")
    before, old = _problem_snapshot(current), current.status
    current.status = target
    current.version += 1
    current.save()
    _event(current, "start", by, old, note=(note or "").strip()[:500])
    record("problem.start", current, before=before, after=_problem_snapshot(current))
    return current


@transaction.atomic
def resolve_problem(
    by,
    problem: Problem,
    *,
    answer: str = "",
    files=(),
    evidence_kind: str = "",
    evidence_note: str = "",
    version=UNCHECKED,
) -> Problem:
    """办结 by the responsible unit, with its result and, optionally, evidence files (批复, photos,
    scans) and a note saying what they prove. Every error at once; nothing stored on error."""
    current = (
        Problem.objects.select_for_update(of=("self",))
        .select_related("project", "raised_by")
        .get(pk=problem.pk)
    )
    require_version(version, current, "问题")
    errors = Errors()
    answer = errors.take(cleaning.text, answer, "办理结果", field="answer", max_length=MAX_TEXT)
    target = _allow(by, current, "resolve", {"answer": "✓"})  # who, then from which state
    try:
        checked, kind, note = evidence.check_evidence(files, evidence_kind, evidence_note)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.add(key, "；".join(messages))
        checked, kind, note = [], "", ""
    _allow_all(by, current, "resolve", {"answer": answer}, errors)
    before, old = _problem_snapshot(current), current.status
    current.status, current.answer, current.resolved_at = target, answer, clock.now()
    current.version += 1
    current.save()
    ev = _event(
        current,
        "resolve",
        by,
        old,
        note=answer + (f"（附件 {len(checked)} 个：{note}）" if checked else ""),
    )
    record("problem.resolve", current, before=before, after=_problem_snapshot(current))
    evidence.store_evidence(by, current, ev, checked, kind, note)
    _notify(
        [current.raised_by],
        title=f"问题已办结：{current.title}",
        body=answer[:200],
        link=f"/supervision/problems/{current.pk}/",
        kind="info",
        unit=current.project.unit,
        source=current,
    )
    return current


def _satisfaction(value, errors: dict, *, required: bool = False):
    return _int_in(value, "satisfaction", "满意度", errors, 1, 5, required=required)


@transaction.atomic
def close_problem(
    by, problem: Problem, *, satisfaction=None, note: str = "", version=UNCHECKED
) -> Problem:
    """销号: by whoever raised the problem or the 督查室; the raiser may rate it (1–5) at once."""
    _check_visible_problem(by, problem)
    current = Problem.objects.select_for_update(of=("self",)).get(pk=problem.pk)
    require_version(version, current, "问题")
    target = _allow(by, current, "close")
    errors: dict = {}
    sat = _satisfaction(satisfaction, errors)
    if sat is not None and current.raised_by_id != getattr(by, "pk", None):
        errors["satisfaction"] = "满意度由问题提出人评价。"
    _raise(errors)
    before, old = _problem_snapshot(current), current.status
    current.status, current.closed_at = target, clock.now()
    if sat is not None:
        current.satisfaction, current.satisfaction_note = sat, (note or "").strip()[:300]
    current.version += 1
    current.save()
    _event(
        current,
        "close",
        by,
        old,
        note=((f"满意度 {sat} 分。" if sat else "") + (note or "").strip())[:500],
    )
    record("problem.close", current, before=before, after=_problem_snapshot(current))
    return current


@transaction.atomic
def return_problem(by, problem: Problem, *, reason: str = "", version=UNCHECKED) -> Problem:
    """退回: the answer does not solve it; back to the department, which keeps its deadline."""
    _check_visible_problem(by, problem)
    current = (
        Problem.objects.select_for_update(of=("self",))
        .select_related("responsible_unit")
        .get(pk=problem.pk)
    )
    require_version(version, current, "问题")
    reason = (reason or "").strip()
    target = _allow(by, current, "return", {"reason": reason})
    before, old = _problem_snapshot(current), current.status
    current.status, current.return_reason, current.resolved_at = target, reason[:500], None
    current.version += 1
    current.save()
    _event(current, "return", by, old, note=reason[:500])
    record("problem.return", current, before=before, after=_problem_snapshot(current))
    _notify_unit(
        current.responsible_unit,
        title=f"问题被退回重办：{current.title}",
        body=f"退回原因：{reason}",
        link=f"/supervision/problems/{current.pk}/",
        kind="assignment",
    )
    return current


@transaction.atomic
def rate_problem(
    by, problem: Problem, satisfaction, note: str = "", *, version=UNCHECKED
) -> Problem:
    """满意度评价 (1–5) by the raiser, once the problem is resolved or closed."""
    current = Problem.objects.select_for_update(of=("self",)).get(pk=problem.pk)
    if current.raised_by_id is None or current.raised_by_id != getattr(by, "pk", None):
        raise PermissionDenied("满意度由问题提出人评价。")
    require_version(version, current, "问题")
    if current.status not in (ProblemStatus.RESOLVED, ProblemStatus.CLOSED):
        raise ValidationError({"satisfaction": "问题办结后才能评价满意度。"})
    errors: dict = {}
    sat = _satisfaction(satisfaction, errors, required=True)
    _raise(errors)
    before = _problem_snapshot(current)
    current.satisfaction, current.satisfaction_note = sat, (note or "").strip()[:300]
    current.version += 1
    current.save()
    _event(
        current, "rate", by, current.status, note=f"满意度 {sat} 分。{current.satisfaction_note}"
    )
    record("problem.rate", current, before=before, after=_problem_snapshot(current))
    return current


def _escalate_to(by, current: Problem, level: int, note: str) -> None:
    old = current.escalation_level
    before = _problem_snapshot(current)
    for lvl in range(old + 1, level + 1):
        _event(current, "escalate", by, current.status, level=lvl, note=note)
    current.escalation_level, current.escalated_at = level, clock.now()
    current.version += 1
    current.save()
    record("problem.escalate", current, before=before, after=_problem_snapshot(current))
    name = escalation.DEFAULT.label(level)
    title = f"{name}：{current.title}"
    body = f"项目《{current.project.name}》，{note}"
    link = f"/supervision/problems/{current.pk}/"
    _notify_unit(current.responsible_unit, title=title, body=body, link=link, kind="escalation")
    if level >= 2:
        leads = list(current.project.lead_officials.all())
        _notify(
            leads,
            title=title,
            body=body,
            link=link,
            kind="escalation",
            unit=current.project.unit,
            source=current,
        )
    if level >= TOP:
        zone = current.project.unit.parent or current.project.unit
        _notify_unit(
            zone,
            title=f"提级至区领导：{current.title}",
            body=body,
            link=link,
            kind="escalation",
            roles=["leader"],
        )


def escalate_overdue(by=None, *, today: date | None = None) -> list[tuple[int, int]]:
    """Overdue problems move up 催办 → 督办 → 提级 by working days past their due date (thresholds of
    the zone's cycle). Each step is an event and a notification. Returns [(problem id, level)]."""
    from diaodu.org.scope import SYSTEM

    by = by or SYSTEM
    today = today or clock.today()
    cal = workcal.load()
    cycles = {}
    out = []
    qs = (
        Problem.objects.filter(status__in=RUNNING, due_date__lt=today, escalation_level__lt=TOP)
        .select_related("project", "project__unit", "responsible_unit")
        .order_by("id")
    )
    for pr in qs:
        cycle = cycles.setdefault(pr.project.unit_id, queries.cycle_for_project(pr.project))
        late = cal.workdays_between(pr.due_date, today)
        level = ladder_for(cycle).level(late)
        if level > pr.escalation_level:
            with transaction.atomic():
                current = (
                    Problem.objects.select_for_update(of=("self",))
                    .select_related("project", "project__unit", "responsible_unit")
                    .get(pk=pr.pk)
                )
                if current.status in RUNNING and level > current.escalation_level:
                    _escalate_to(
                        by,
                        current,
                        level,
                        f"超过办理时限{late}个工作日（时限 {pr.due_date:%Y-%m-%d}）",
                    )
                    out.append((pr.pk, level))
    return out


@transaction.atomic
def escalate_problem(by, problem: Problem, *, note: str = "", version=UNCHECKED) -> Problem:
    """督查室 raises the level by hand (one step), with a note."""
    require(by, "problems.assign")
    _check_visible_problem(by, problem)
    current = (
        Problem.objects.select_for_update(of=("self",))
        .select_related("project", "project__unit", "responsible_unit")
        .get(pk=problem.pk)
    )
    require_version(version, current, "问题")
    if current.status not in RUNNING:
        raise ValidationError({"action": "只有已交办、尚未办结的问题可以升级督办。"})
    if current.escalation_level >= TOP:
        raise ValidationError({"action": "问题已提级到区领导，不能再升级。"})
    _escalate_to(
        by, current, current.escalation_level + 1, (note or "").strip()[:500] or "督查室人工督办"
    )
    return current

"""Request and response schemas of the supervision API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from diaodu.cleanfields import cleaned
from diaodu.engine import cleaning
from diaodu.engine.locking import MAX_VERSION

# Input types cleaned by diaodu.engine.cleaning (named, so postponed annotations resolve them).
ContactDay = cleaned(cleaning.date_value, "对接日期", date | None)
DeadlineDay = cleaned(cleaning.date_value, "完成时限", date | None)
MeetingDay = cleaned(cleaning.date_value, "会议日期", date | None)
WorkingDays = cleaned(cleaning.integer, "办理时限", int | None)
Satisfaction = cleaned(cleaning.integer, "满意度", int | None)


def _version(what: str):
    return Field(
        ge=1,
        le=MAX_VERSION,
        description=f"{what}的 version（乐观锁）：取自详情，他人在此期间修改过则拒绝（409）",
    )


# ---------------------------------------------------------------- schemas
class PhotoOut(Schema):
    id: int
    name: str
    url: str
    thumb_url: str
    size: int
    taken_at: datetime | None
    latitude: Decimal | None
    longitude: Decimal | None
    distance_km: Decimal | None


class ReportOut(Schema):
    id: int
    project_id: int
    project_name: str
    unit_name: str
    period: str
    period_name: str
    status: str
    progress_text: str
    invested: Decimal
    ytd: Decimal
    since_start: Decimal
    next_plan: str
    filed_by_name: str
    submitted_at: datetime
    deadline: datetime
    is_late: bool
    return_reason: str
    reduction_note: str = ""
    flags: list[dict]
    photos: list[PhotoOut] = []
    version: int


class CorrectionIn(Schema):
    reason: str = ""
    invested: str | None = None
    progress_text: str | None = None
    next_plan: str | None = None


class CorrectionReviewIn(Schema):
    accept: bool
    note: str = ""


class CorrectionOut(Schema):
    report_id: int
    number: int
    status: str
    reason: str
    before: dict
    after: dict
    filed_by_name: str
    filed_at: datetime
    reviewed_by_name: str
    reviewed_at: datetime | None
    review_note: str


class ReasonIn(Schema):
    reason: str = ""
    version: int = _version("周报")


class VersionIn(Schema):
    version: int = _version("周报")


class MissingOut(Schema):
    project_id: int
    project_name: str
    unit_name: str
    person: str
    reminders: int


class RemindIn(Schema):
    unit_id: int
    period: str
    project_ids: list[int] | None = None


class ContactIn(Schema):
    project_id: int
    on: ContactDay = None
    people: str = ""
    enterprise_contact: str = ""
    method: str = ""
    content: str = ""
    problems: list[dict] = []


class ContactOut(Schema):
    id: int
    project_id: int
    project_name: str
    on: date
    people: str
    enterprise_contact: str
    method: str
    content: str
    logged_by_name: str


class ProblemIn(Schema):
    project_id: int
    title: str = ""
    type_code: str = ""
    description: str = ""
    suggested_unit_id: int | None = None


class MoveIn(Schema):
    action: str
    version: int = _version("问题")
    unit_id: int | None = None
    deadline_wd: WorkingDays = None
    answer: str = ""
    reason: str = ""
    satisfaction: Satisfaction = None
    note: str = ""
    new_due: str = ""  # request_extension: YYYY-MM-DD


class EventOut(Schema):
    action: str
    label: str
    from_status: str
    to_status: str
    level: int
    by_name: str
    at: datetime
    note: str


class ProblemFileOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    size: int
    content_type: str
    note: str
    url: str


class ProblemOut(Schema):
    id: int
    project_id: int
    project_name: str
    title: str
    description: str
    type_code: str
    type_label: str
    source: str
    status: str
    status_label: str
    responsible_unit_id: int | None
    responsible_unit_name: str
    deadline_wd: int | None
    assigned_on: date | None
    due_date: date | None
    overdue: bool
    escalation_level: int
    escalation_label: str
    answer: str
    satisfaction: int | None
    raised_by_name: str
    raised_at: datetime
    extension_due: date | None = None
    extension_reason: str = ""
    events: list[EventOut] = []
    files: list[ProblemFileOut] = []
    actions: list[str] = []
    version: int


class StatOut(Schema):
    key: str
    label: str
    received: int
    resolved: int
    closed: int
    overdue: int
    avg_days: float | None
    satisfaction: float | None


class LightOut(Schema):
    id: int
    project_id: int
    project_name: str
    unit_name: str
    period: str
    color: str
    effective_color: str
    reasons: list[dict]
    facts: dict
    override_color: str
    override_reason: str
    override_by_name: str
    computed_at: datetime


class ComputeIn(Schema):
    unit_id: int
    period: str = ""


class OverrideIn(Schema):
    color: str
    reason: str = ""


class ActionIn(Schema):
    content: str = ""
    owner_id: int | None = None
    owner_name: str = ""
    unit_id: int | None = None
    deadline: DeadlineDay = None
    project_id: int | None = None
    problem_id: int | None = None


class ActionOut(Schema):
    id: int
    meeting_id: int
    content: str
    owner_id: int | None
    owner_name: str
    unit_id: int | None
    unit_name: str
    deadline: date
    status: str
    result: str


class CloseIn(Schema):
    result: str = ""


class AgendaOut(Schema):
    id: int
    kind: str
    title: str
    detail: str
    project_id: int | None
    problem_id: int | None
    action_id: int | None


class AgendaIn(Schema):
    title: str = ""
    detail: str = ""


class MeetingIn(Schema):
    unit_id: int
    period: str = ""
    held_on: MeetingDay = None
    title: str = ""
    location: str = ""
    chair: str = ""


class MeetingOut(Schema):
    id: int
    unit_id: int
    period: str
    title: str
    held_on: date
    location: str
    status: str
    agenda: list[AgendaOut] = []
    actions: list[ActionOut] = []


class SummaryOut(Schema):
    unit_id: int
    period: str
    period_name: str
    deadline: datetime | None
    owed: int
    filed: int
    on_time: int
    late: int
    missing: int
    rate: Decimal
    invested_period: Decimal
    ytd_total: Decimal
    annual_plan_total: Decimal
    lights: dict
    problems_new: int
    problems_open: int
    problems_resolved: int
    problems_overdue: int
    problems_escalated: int
    reminders_sent: int
    no_contact: int
    actions_open: int


class Where(Schema):
    unit: int | None = None
    period: str = ""

"""Every write of the supervision loop. Each function checks the acting person's permission key
and scope, validates with Chinese messages (ValidationError naming the field; nothing changes),
saves in a transaction and appends the audit entry. Notifications go through diaodu.notify.

Split by topic: ``cycles`` (填报周期), ``reports`` (进度填报), ``contacts`` (对接留痕),
``corrections`` (更正 after 审核通过), ``report_sums`` (running sums and their rules),
``reminders`` (催报), ``lights`` (亮灯), ``problems`` (问题清单), ``meetings`` (调度会,
议定事项) and ``scheduled`` (work called by tasks); ``common`` holds the shared checks.
Callers keep one name: ``from diaodu.supervision import services; services.file_report(...)``.
"""

from .contacts import log_contact
from .corrections import correct_report, review_correction
from .cycles import CYCLE_FIELDS, save_cycle
from .lights import LightRun, compute_lights, override_light
from .meetings import (
    add_action_item,
    add_agenda_item,
    build_agenda,
    close_action_item,
    create_meeting,
    hold_meeting,
    move_agenda_item,
    remove_agenda_item,
)
from .problem_desk import decide_extension, request_extension, send_back_problem
from .problems import (
    ACTION_LABELS,
    MOVES,
    TOP,
    allowed_moves,
    assign_problem,
    check_move,
    close_problem,
    escalate_overdue,
    escalate_problem,
    facts,
    ladder_for,
    move_problem,
    raise_problem,
    rate_problem,
    resolve_problem,
    return_problem,
    start_problem,
)
from .reminders import remind
from .reports import (
    ProblemDraft,
    accept_report,
    add_photos,
    file_report,
    recompute_investment,
    resubmit_report,
    return_report,
)
from .scheduled import deadline_tick

__all__ = [
    "ACTION_LABELS",
    "CYCLE_FIELDS",
    "LightRun",
    "MOVES",
    "TOP",
    "decide_extension",
    "request_extension",
    "send_back_problem",
    "allowed_moves",
    "facts",
    "ladder_for",
    "ProblemDraft",
    "accept_report",
    "add_action_item",
    "add_agenda_item",
    "add_photos",
    "assign_problem",
    "build_agenda",
    "check_move",
    "close_action_item",
    "close_problem",
    "compute_lights",
    "correct_report",
    "create_meeting",
    "deadline_tick",
    "escalate_overdue",
    "escalate_problem",
    "file_report",
    "hold_meeting",
    "log_contact",
    "move_agenda_item",
    "move_problem",
    "override_light",
    "raise_problem",
    "rate_problem",
    "recompute_investment",
    "remind",
    "remove_agenda_item",
    "resolve_problem",
    "review_correction",
    "resubmit_report",
    "return_problem",
    "return_report",
    "save_cycle",
    "start_problem",
]

"""Every write of the tasks app (重点工作督办). Each function checks the permission key and the
scope, validates with Chinese messages naming the field (nothing changes on error), saves in a
transaction and appends the audit entry.

Split by topic: ``tasks`` (create, edit, split, moves, extensions), ``progress`` (reports, 催报,
escalation), ``notices`` (督办单), ``documents`` (upload → draft → review → approve, aliases).
Callers write ``from diaodu.tasks import services; services.create_task(...)``.
"""

from .common import allowed_moves, facts
from .documents import (
    Resolver,
    approve_document,
    check_rows,
    clean_rows,
    import_table,
    learn_alias,
    nodes_text,
    parse_nodes,
    preview_table,
    save_draft,
    upload_document,
)
from .notices import issue_notice, reply_notice
from .progress import chase_missing_reports, escalate_overdue, escalate_task, report_progress
from .tasks import (
    approve_done,
    clean_nodes,
    clean_task,
    create_task,
    decide_extension,
    move_task,
    request_done,
    request_extension,
    resume_task,
    return_task,
    roll_up,
    sign_task,
    split_task,
    suspend_task,
    update_task,
)

__all__ = [
    "Resolver",
    "approve_document",
    "check_rows",
    "clean_rows",
    "import_table",
    "learn_alias",
    "nodes_text",
    "parse_nodes",
    "preview_table",
    "save_draft",
    "upload_document",
    "allowed_moves",
    "approve_done",
    "chase_missing_reports",
    "clean_nodes",
    "clean_task",
    "create_task",
    "decide_extension",
    "escalate_overdue",
    "escalate_task",
    "facts",
    "issue_notice",
    "move_task",
    "reply_notice",
    "report_progress",
    "request_done",
    "request_extension",
    "resume_task",
    "return_task",
    "roll_up",
    "sign_task",
    "split_task",
    "suspend_task",
    "update_task",
]

"""Pages of the weekly loop: the period summary, the phone report form, reports and their review,
催报, contact logs, lights, the problem list, meetings with agenda and action items, rules, and the
bulletin downloads. Reads go through queries (scoped), writes through services (audited).

Split by topic into ``*_pages`` modules (named so that no module hides a view of the same
name); ``common`` holds paging and the unit/period context. ``urls.py`` keeps one name:
``views.summary``.
"""

from .common import PAGE
from .contact_pages import contact_new, contacts
from .light_pages import light_override, lights, lights_compute
from .meeting_pages import (
    action_close,
    actions,
    meeting_action,
    meeting_agenda,
    meeting_detail,
    meeting_held,
    meetings,
)
from .problem_pages import (
    problem_detail,
    problem_file,
    problem_move,
    problem_new,
    problem_stats,
    problems,
)
from .report_pages import (
    correction_review,
    missing,
    my_reports,
    photo,
    photo_thumb,
    remind,
    report_accept,
    report_correct,
    report_detail,
    report_edit,
    report_new,
    report_photos,
    report_return,
    reports,
)
from .rule_pages import rules
from .summary_pages import bulletin_docx, ledger_xlsx, summary

__all__ = [
    "PAGE",
    "action_close",
    "actions",
    "bulletin_docx",
    "contact_new",
    "contacts",
    "ledger_xlsx",
    "light_override",
    "lights",
    "lights_compute",
    "meeting_action",
    "meeting_agenda",
    "meeting_detail",
    "meeting_held",
    "meetings",
    "missing",
    "my_reports",
    "photo",
    "photo_thumb",
    "problem_detail",
    "problem_file",
    "problem_move",
    "problem_new",
    "problem_stats",
    "problems",
    "remind",
    "report_accept",
    "report_detail",
    "report_edit",
    "report_new",
    "correction_review",
    "report_correct",
    "report_photos",
    "report_return",
    "reports",
    "rules",
    "summary",
]

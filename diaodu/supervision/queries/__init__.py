"""Every read of the supervision loop, through the data scope.

Scope rules:
* Reports, photos, contact logs, lights and reminders hang off a project: visible when the
  project is (projects.queries.visible — the one scoped project read).
* A problem is visible when its project is, and also to the department it is assigned to
  (being named the responsible unit is what makes it visible there, as for procedures).
* A meeting is visible when its unit is among the person's visible units; an action item when
  its meeting is, or when the person owns it or belongs to its responsible unit.
* Figures (the period summary) are computed here once and used by both the pages and the
  bulletin, so that the Word document and the screen always agree.

Split by topic: ``scope``, ``cycles``, ``report_reads``, ``contact_reads``, ``light_reads``,
``problem_reads``, ``meeting_reads``, ``overview`` (the period summary) and ``target_reads``
(what the targets app counts); callers keep one
name: ``from diaodu.supervision import queries; queries.summary(...)``.
"""

from .contact_reads import contacts, weeks_without_contact, without_contact
from .cycles import (
    active_cycles,
    current_period,
    cycle_for_project,
    cycle_for_unit,
    default_unit,
    last_due_period,
    resolve,
    unit_choices,
    visible_cycles,
)
from .light_reads import (
    SEVERITY,
    get_light,
    light_facts,
    light_history,
    lights,
    period_lights,
    rules_of,
    sort_lights,
)
from .meeting_reads import (
    action_items,
    agenda,
    get_action,
    get_meeting,
    meeting_actions,
    meetings,
    meetings_count,
)
from .overview import Summary, ledger_projects, project_panel, report_events, summary
from .problem_reads import (
    ProblemFilter,
    StatRow,
    departments,
    get_problem,
    get_problem_file,
    problem_events,
    problem_files,
    problem_stats,
    problem_types,
    problems,
)
from .problem_reads import _problem_scope as _problem_scope  # used by services
from .report_reads import (
    MissingRow,
    get_photo,
    get_report,
    group_missing,
    missing,
    my_projects,
    owed_projects,
    period_reports,
    reminders,
    report_detail,
    report_of,
    reports,
)
from .scope import (
    LOOKBACK,
    PAGE_SIZE,
    ZERO,
    get_unit,
    get_unit_by_code,
    own_unit_ids,
    visible_units,
)
from .scope import _path_ids as _path_ids  # used by services
from .target_reads import DUBAN_LEVEL, overdue_problems, problems_closed_on_time

__all__ = [
    "DUBAN_LEVEL",
    "LOOKBACK",
    "MissingRow",
    "PAGE_SIZE",
    "ProblemFilter",
    "SEVERITY",
    "StatRow",
    "Summary",
    "ZERO",
    "action_items",
    "active_cycles",
    "agenda",
    "contacts",
    "current_period",
    "cycle_for_project",
    "cycle_for_unit",
    "default_unit",
    "departments",
    "get_action",
    "get_light",
    "get_meeting",
    "get_photo",
    "get_problem",
    "get_problem_file",
    "get_report",
    "get_unit",
    "get_unit_by_code",
    "group_missing",
    "last_due_period",
    "ledger_projects",
    "light_facts",
    "light_history",
    "lights",
    "meeting_actions",
    "meetings",
    "meetings_count",
    "missing",
    "my_projects",
    "owed_projects",
    "overdue_problems",
    "own_unit_ids",
    "period_lights",
    "period_reports",
    "problem_events",
    "problem_files",
    "problem_stats",
    "problem_types",
    "problems",
    "problems_closed_on_time",
    "project_panel",
    "reminders",
    "report_detail",
    "report_events",
    "report_of",
    "reports",
    "resolve",
    "rules_of",
    "sort_lights",
    "summary",
    "unit_choices",
    "visible_cycles",
    "visible_units",
    "weeks_without_contact",
    "without_contact",
]

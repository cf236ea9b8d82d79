"""Every detail checks what its list checks.

DETAILS is the one rule in code that ties each page and API route with an object id to the
permission key and the scope of its list: `(model, may_list(user), listed(user))`. The walk takes
every URL pattern and API route of the URL configuration that has exactly one object id, and for
every built-in role opens it (GET) with objects inside and outside that person's list; an answer
200 is only allowed for an object the list shows. A route missing from DETAILS (and from
NOT_DETAILS) fails the test, so a new detail view cannot be added without its rule."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from diaodu.audit.models import AuditEntry
from diaodu.notify import queries as notify_queries
from diaodu.notify.models import Channel, Message
from diaodu.org import queries as org_queries
from diaodu.org.models import Role, Unit, User
from diaodu.org.scope import scope_for
from diaodu.procedures import queries as procedure_queries
from diaodu.procedures.models import ProcedureAttachment, ProcedureTemplate, ProjectProcedure
from diaodu.projects import queries as project_queries
from diaodu.projects.models import ImportJob, Project
from diaodu.supervision import queries as supervision_queries
from diaodu.supervision.models import (
    DispatchMeeting,
    Problem,
    ProblemAttachment,
    ProgressReport,
    ReportPhoto,
)
from diaodu.targets import queries as target_queries
from diaodu.targets.models import AssessmentScheme, Indicator, ScoreSet, TargetAgreement
from diaodu.tasks import queries as task_queries
from diaodu.tasks.models import SourceDocument, SupervisionNotice, Task, TaskReport

# One user per built-in role of the demo zone.
ROLE_USERS = (
    "sysadmin",
    "secadmin",
    "auditor",
    "quzhang",
    "duchashi",
    "wl_zhuren",
    "ziranziyuan",
    "zhaoshang",
    "mishu_wl",
)


def has(key):
    return lambda u: scope_for(u).has(key)


def any_of(*keys):
    return lambda u: any(scope_for(u).has(k) for k in keys)


def projects(u):
    return project_queries.visible(u)


def by_project(model):
    return lambda u: model.objects.filter(project__in=projects(u))


PROJECT = (Project, has("projects.view"), projects)
UNIT = (Unit, org_queries.can_list_units, lambda u: org_queries.units(u))
PERSON = (User, org_queries.can_list_people, lambda u: org_queries.people(u))
MEETING = (DispatchMeeting, has("projects.view"), supervision_queries.meetings)
PROBLEM = (
    Problem,
    any_of("projects.view", "problems.handle"),
    lambda u: supervision_queries.problems(u),
)
REPORT = (ProgressReport, has("projects.view"), lambda u: supervision_queries.reports(u))
AGREEMENT = (TargetAgreement, has("targets.view"), lambda u: target_queries.agreements(u))
SCORE_SET = (ScoreSet, has("targets.view"), lambda u: target_queries.score_sets(u))
TASK = (Task, has("tasks.view"), lambda u: task_queries.visible(u))

DETAILS = {
    # pages
    "org/units/<int:pk>/": UNIT,
    "org/units/<int:pk>/edit/": UNIT,
    "org/people/<int:pk>/": PERSON,
    "org/people/<int:pk>/edit/": PERSON,
    "org/people/<int:pk>/roles/": PERSON,
    "org/roles/<int:pk>/": (Role, has("sec.roles"), lambda u: Role.objects.all()),
    "audit/<int:pk>/": (AuditEntry, has("audit.view"), lambda u: AuditEntry.objects.all()),
    "projects/<int:pk>/": PROJECT,
    "projects/<int:pk>/edit/": PROJECT,
    "projects/<int:pk>/stage/": PROJECT,
    "projects/import/<int:pk>/": (
        ImportJob,
        has("projects.import"),
        lambda u: ImportJob.objects.filter(user=u),
    ),
    "projects/import/<int:pk>/status/": (
        ImportJob,
        has("projects.import"),
        lambda u: ImportJob.objects.filter(user=u),
    ),
    "notify/<int:pk>/open/": (Message, lambda u: True, lambda u: notify_queries.inbox(u)),
    "notify/channels/<int:pk>/": (
        Channel,
        has("notify.channels"),
        lambda u: notify_queries.channels(u),
    ),
    "supervision/reports/new/<int:project_id>/": PROJECT,
    "supervision/reports/<int:pk>/": REPORT,
    "supervision/reports/<int:pk>/edit/": REPORT,
    "supervision/photos/<int:pk>/": (
        ReportPhoto,
        has("projects.view"),
        lambda u: ReportPhoto.objects.filter(report__in=supervision_queries.reports(u)),
    ),
    "supervision/photos/<int:pk>/thumb/": (
        ReportPhoto,
        has("projects.view"),
        lambda u: ReportPhoto.objects.filter(report__in=supervision_queries.reports(u)),
    ),
    "supervision/problems/<int:pk>/": PROBLEM,
    "supervision/problems/files/<int:pk>/": (
        ProblemAttachment,
        any_of("projects.view", "problems.handle"),
        lambda u: ProblemAttachment.objects.filter(problem__in=supervision_queries.problems(u)),
    ),
    "supervision/meetings/<int:pk>/": MEETING,
    "procedures/project/<int:project_id>/": PROJECT,
    "procedures/project/<int:project_id>/add/": PROJECT,
    "procedures/project/<int:project_id>/export/": PROJECT,
    "procedures/items/<int:pk>/": (
        ProjectProcedure,
        lambda u: True,  # the list is the union of the project lists and 待我部门办理
        # a department also opens the items waiting on it (待我部门办理)
        lambda u: ProjectProcedure.objects.filter(
            Q(chain__project__in=projects(u))
            | Q(responsible_unit_id__in=list(procedure_queries.handled_unit_ids(u)))
        ),
    ),
    "procedures/attachments/<int:pk>/": (
        ProcedureAttachment,
        has("projects.view"),
        lambda u: ProcedureAttachment.objects.filter(item__chain__project__in=projects(u)),
    ),
    "procedures/templates/<int:pk>/": (
        ProcedureTemplate,
        any_of("projects.view", "procedures.templates"),
        lambda u: ProcedureTemplate.objects.all(),
    ),
    "procedures/templates/<int:pk>/edit/": (
        ProcedureTemplate,
        has("procedures.templates"),
        lambda u: ProcedureTemplate.objects.all(),
    ),
    "targets/indicators/<int:pk>/edit/": (
        Indicator,
        has("targets.manage"),
        lambda u: Indicator.objects.all(),
    ),
    "targets/agreements/<int:pk>/": AGREEMENT,
    "targets/agreements/<int:pk>/edit/": AGREEMENT,
    "targets/agreements/<int:pk>/amend/": AGREEMENT,
    "targets/agreements/<int:pk>/scan/download/": AGREEMENT,
    "targets/assessment/schemes/<int:pk>/": (
        AssessmentScheme,
        has("targets.view"),
        lambda u: target_queries.schemes(u),
    ),
    "targets/assessment/results/<int:pk>/": SCORE_SET,
    "tasks/<int:pk>/": TASK,
    "tasks/<int:pk>/edit/": (Task, has("tasks.manage"), lambda u: task_queries.visible(u)),
    "tasks/documents/<int:pk>/": (
        SourceDocument,
        has("tasks.manage"),
        lambda u: task_queries.documents(u),
    ),
    "tasks/reports/<int:pk>/file/": (
        TaskReport,
        has("tasks.view"),
        lambda u: task_queries.report_files(u),
    ),
    "tasks/notices/<int:pk>/docx/": (
        SupervisionNotice,
        has("tasks.view"),
        lambda u: task_queries.notices(u),
    ),
    # API
    "api/v1/units/<unit_id>": UNIT,
    "api/v1/people/<person_id>": PERSON,
    "api/v1/projects/<project_id>": PROJECT,
    "api/v1/projects/<project_id>/schedule": PROJECT,
    "api/v1/projects/<project_id>/procedures": PROJECT,
    "api/v1/targets/agreements/<agreement_id>": AGREEMENT,
    "api/v1/targets/agreements/<agreement_id>/progress": AGREEMENT,
    "api/v1/targets/rankings/<score_set_id>": SCORE_SET,
    "api/v1/supervision/reports/<report_id>": REPORT,
    "api/v1/supervision/reports/<report_id>/corrections": REPORT,
    "api/v1/supervision/problems/<problem_id>": PROBLEM,
    "api/v1/supervision/meetings/<meeting_id>": MEETING,
    "api/v1/tasks/<int:task_id>": TASK,
}

# Routes with an id that are not an object's detail: actions answering only POST (their
# scope is the services'), and a year.
NOT_DETAILS = {"procedures/calendar/<int:year>/"}


def id_routes() -> list[tuple[str, object]]:
    out = []

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if route.count("<") == 1 and "<str:" not in route and "<slug:" not in route:
                    out.append((route, p.callback))

    walk(get_resolver().url_patterns, "")
    return out


def _sample(model, n=6):
    """Objects spread over the table: the first, the last and some between."""
    pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
    if len(pks) <= n:
        return pks
    step = len(pks) / n
    return sorted({pks[int(i * step)] for i in range(n)} | {pks[-1]})


def _url(route: str, pk) -> str:
    start, rest = route.split("<", 1)
    return "/" + start + str(pk) + rest.split(">", 1)[1]


def _answers_get(client, route):
    """False for routes that only take POST (they answer 405 to GET)."""
    return client.get(_url(route, 0)).status_code != 405


@pytest.fixture
def full_demo(db):
    call_command("demo", stdout=StringIO(), skip_checks=True)


def test_every_route_with_an_id_has_its_rule(full_demo):
    probe = Client()
    probe.force_login(User.objects.get(username="duchashi"))
    missing = [
        route
        for route, _view in id_routes()
        if route not in DETAILS and route not in NOT_DETAILS and _answers_get(probe, route)
    ]
    assert not missing, f"detail routes without a rule in DETAILS: {missing}"


def test_every_detail_checks_what_its_list_checks(full_demo):
    routes = sorted({r for r, _v in id_routes() if r in DETAILS})
    assert len(routes) == len(DETAILS), set(DETAILS) - set(routes)
    samples = {model: _sample(model) for model, _k, _q in DETAILS.values()}
    # objects each person's list shows, per model
    leaks, checked, inside = [], 0, 0
    for username in ROLE_USERS:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        for route in routes:
            model, may_list, listed = DETAILS[route]
            allowed = may_list(user)
            visible = (
                set(listed(user).filter(pk__in=samples[model]).values_list("pk", flat=True))
                if allowed
                else set()
            )
            if model is AuditEntry:  # the entry's URL carries its sequence number
                seq_of = dict(
                    AuditEntry.objects.filter(pk__in=samples[model]).values_list("pk", "seq")
                )
            for pk in samples[model]:
                key = seq_of[pk] if model is AuditEntry else pk
                status = client.get(_url(route, key)).status_code
                checked += 1
                if status == 200:
                    inside += 1
                    if pk not in visible:
                        leaks.append(f"{username} {_url(route, key)} → 200 outside its list")
                elif status >= 500:
                    leaks.append(f"{username} {_url(route, key)} → {status}")
    assert not leaks, "\n".join(leaks)
    assert checked > 1000 and inside > 100  # the walk did open real details


def test_list_rules_are_not_empty(full_demo):
    """The rule's lists really contain objects for someone (otherwise the walk proves nothing)."""
    duchashi = User.objects.get(username="duchashi")
    for route, (model, may_list, listed) in DETAILS.items():
        if model in (
            ImportJob,
            Channel,
            ProcedureAttachment,
            ReportPhoto,
            Message,
            ProblemAttachment,
            TaskReport,  # reports with an attachment
        ):
            continue  # the demo may hold none for this person
        someone = [
            u
            for u in User.objects.filter(Q(username__in=ROLE_USERS))
            if may_list(u) and listed(u).exists()
        ]
        assert someone or model is AuditEntry and listed(duchashi) is not None, route

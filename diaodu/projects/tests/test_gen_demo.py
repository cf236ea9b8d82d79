"""The demo ledger (`diaodu.projects.demo.build`) and the synthetic generator (`diaodu gen`)."""

from collections import Counter
from io import StringIO
from itertools import islice

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from diaodu.audit.context import acting_as
from diaodu.audit.models import AuditEntry
from diaodu.audit.services import verify
from diaodu.engine import stages as S
from diaodu.engine.ledger import NATIONAL_CODE_RE
from diaodu.engine.textnorm import normalise_name
from diaodu.org.models import Unit, User
from diaodu.projects import demo as projects_demo
from diaodu.projects import gen, queries
from diaodu.projects.gen import Plan, generate
from diaodu.projects.models import PlanCategory, Project, ProjectYearPlan, StageChange

ORDERS = [
    ("planned_signing_date", "planned_start_date"),
    ("planned_start_date", "planned_completion_date"),
    ("planned_completion_date", "planned_production_date"),
    ("actual_signing_date", "actual_start_date"),
    ("actual_start_date", "actual_completion_date"),
    ("actual_completion_date", "actual_production_date"),
]
ACTUAL = (
    "actual_signing_date",
    "actual_start_date",
    "actual_completion_date",
    "actual_production_date",
)


def assert_consistent(p: Project, today) -> None:
    """Dates in order, actual dates in the past, money within the total, a valid stage history."""
    for a, b in ORDERS:
        va, vb = getattr(p, a), getattr(p, b)
        assert not (va and vb and vb < va), (p.name, a, va, b, vb)
    for f in ACTUAL:
        v = getattr(p, f)
        assert v is None or v <= today, (p.name, f, v)
    if p.annual_plan_investment is not None:
        assert p.annual_plan_investment <= p.total_investment
    if p.completed_since_start is not None:
        assert p.completed_since_start <= p.total_investment
    changes = list(p.stage_changes.all())
    assert changes and changes[0].from_stage == "" and changes[0].to_stage == "lead", p.name
    current, last, resume = "lead", changes[0].on, None
    for c in changes[1:]:
        S.check(
            current,
            c.to_stage,
            c.on,
            last_move_on=last,
            today=today,
            reason=c.reason,
            resume_stage=resume,
        )
        assert c.from_stage == current
        if c.to_stage in S.SIDE:
            resume = current
        current, last = c.to_stage, c.on
    assert current == p.stage and last == p.stage_date, p.name
    for stage, f in S.DATE_FIELD.items():
        moved = [c.on for c in changes if c.to_stage == stage]
        assert getattr(p, f) == (moved[0] if moved else None), (p.name, f)
    if p.plan_category == "new_start" and p.actual_start_date:
        assert p.actual_start_date.year == today.year
    if p.plan_category == "continuing" and p.actual_start_date:
        assert p.actual_start_date.year < today.year


# ---------------------------------------------------------------- demo ledger
def test_demo_build_covers_everything_and_is_idempotent(demo):
    with acting_as(None, channel="cli"):
        first = projects_demo.build()
    assert first == {"projects": len(projects_demo.PROJECTS)} and 30 <= first["projects"] <= 40
    entries = AuditEntry.objects.count()
    with acting_as(None, channel="cli"):
        assert projects_demo.build() == {"projects": 0}
    assert AuditEntry.objects.count() == entries
    projects = Project.objects.filter(unit__code__startswith="QHKFQ")
    assert projects.count() == first["projects"]
    assert set(projects.values_list("stage", flat=True)) == set(S.ALL)
    assert set(PlanCategory.values) <= set(projects.values_list("plan_category", flat=True))
    assert set(projects.values_list("unit__code", flat=True)) == set(projects_demo.PARKS)
    assert projects.filter(total_investment__gte=100000).count() >= 3
    codes = [c for c in projects.values_list("national_code", flat=True) if c]
    assert len(codes) >= 5 and all(NATIONAL_CODE_RE.match(c) and c[5:11] == "220199" for c in codes)
    assert projects.exclude(latitude=None).count() >= 5
    for p in projects.exclude(latitude=None):
        assert 43.8 <= p.latitude <= 43.95 and 125.2 <= p.longitude <= 125.45
    for side in S.SIDE:
        move = StageChange.objects.get(project__unit__code__startswith="QHKFQ", to_stage=side)
        assert move.reason and move.project.resume_stage
    assert verify().ok


def test_demo_projects_are_consistent_and_staffed(demo):
    with acting_as(None, channel="cli"):
        projects_demo.build()
    today = timezone.localdate()
    secretaries = {code: sec for code, (sec, *_rest) in projects_demo.PARKS.items()}
    for p in Project.objects.filter(unit__code__startswith="QHKFQ").select_related(
        "unit", "secretary", "responsible_unit"
    ):
        assert_consistent(p, today)
        assert p.name_key == normalise_name(p.name)
        assert p.secretary.username == secretaries[p.unit.code]
        assert p.lead_officials.exists() and p.responsible_unit.kind == "department"
        assert (
            p.investor
            and p.industry_code
            and p.industry_text
            and p.progress_text
            and p.land_area_mu
        )
        assert (
            AuditEntry.objects.filter(
                object_type="projects.project", object_id=str(p.pk), action="project.stage"
            ).count()
            == p.stage_changes.count() - 1
        )
        if p.plan_category:
            assert ProjectYearPlan.objects.filter(
                project=p, year=today.year, plan_category=p.plan_category
            ).exists()


def test_demo_command_builds_projects(db):
    out = StringIO()
    call_command("demo", stdout=out, skip_checks=True)
    assert f"projects {len(projects_demo.PROJECTS)}" in out.getvalue()
    assert Project.objects.filter(unit__code="QHKFQ-WL", secretary__username="mishu_wl").exists()
    assert verify().ok


# ---------------------------------------------------------------- generator
def _fingerprint():
    return sorted(
        Project.objects.filter(unit__code__startswith="GEN-").values_list(
            "unit__code",
            "name",
            "stage",
            "plan_category",
            "level",
            "total_investment",
            "secretary__username",
            "national_code",
        )
    )


def test_gen_creates_exactly_n_with_plausible_distributions(db):
    out = StringIO()
    call_command("gen", projects=300, seed=11, batch=120, stdout=out, skip_checks=True)
    assert "300/300" in out.getvalue() and "秒" in out.getvalue()
    root = Unit.objects.get(code="GEN-S11")
    projects = Project.objects.filter(unit__path__startswith=root.path)
    assert projects.count() == Project.objects.count() == 300
    kinds = Counter(Unit.objects.filter(path__startswith=root.path).values_list("kind", flat=True))
    assert (
        kinds["province"] == 1
        and kinds["city"] >= 1
        and kinds["district"] >= 1
        and kinds["zone"] >= 1
    )
    assert kinds["park"] >= 3 * kinds["zone"] and kinds["department"] >= 4 * kinds["zone"]
    assert set(projects.values_list("unit__kind", flat=True)) == {"park"}
    stages = Counter(projects.values_list("stage", flat=True))
    assert set(S.MAIN_LINE) <= set(stages)
    assert stages["under_construction"] == max(stages.values())
    assert set(PlanCategory.values) <= set(projects.values_list("plan_category", flat=True))
    totals = sorted(projects.values_list("total_investment", flat=True))
    median = totals[len(totals) // 2]
    assert 5000 <= median <= 40000 and totals[-1] >= 100000 and totals[0] >= 300
    assert all(p.name_key == normalise_name(p.name) for p in projects)
    assert projects.exclude(national_code=None).count() >= 30
    today = timezone.localdate()
    for p in projects.prefetch_related("stage_changes"):
        assert_consistent(p, today)
    # people: generated, unusable passwords, linked as secretaries and lead officials
    people = User.objects.filter(username__startswith="gen_s11_")
    assert people.exists() and not any(u.has_usable_password() for u in people)
    assert projects.filter(secretary__username__startswith="gen_s11_").count() >= 250
    links = Project.lead_officials.through.objects.filter(project__in=projects)
    assert links.values("project_id").distinct().count() == 300
    assert StageChange.objects.filter(project__in=projects).count() >= 300 * 3
    # one audit entry for the whole generation, and the chain still verifies
    entry = AuditEntry.objects.get(action="gen.synthetic")
    assert (
        entry.object_id == str(root.pk)
        and entry.after["seed"] == 11
        and entry.after["projects"] == 300
    )
    assert verify().ok


def test_gen_is_idempotent_and_deterministic(db):
    with transaction.atomic():
        generate(200, seed=5, batch=64, out=lambda s: None)
        first = _fingerprint()
        transaction.set_rollback(True)
    assert not Project.objects.exists()
    generate(200, seed=5, batch=50, out=lambda s: None)
    assert _fingerprint() == first
    units, people = Unit.objects.count(), User.objects.count()
    lines = []
    summary = generate(200, seed=5, out=lines.append)
    assert summary["skipped"] and summary["projects"] == 0 and "未新增" in lines[0]
    assert (
        Project.objects.count() == 200
        and Unit.objects.count() == units
        and User.objects.count() == people
    )
    assert AuditEntry.objects.filter(action="gen.synthetic").count() == 1
    other = generate(50, seed=6, out=lambda s: None)
    assert other["projects"] == 50 and Project.objects.count() == 250
    assert _fingerprint() != first
    assert Plan(5, 10).units == Plan(5, 10).units and Plan(5, 10).units != Plan(6, 10).units


def test_gen_resumes_an_interrupted_run(db):
    with transaction.atomic():
        generate(120, seed=8, batch=40, out=lambda s: None)
        complete = _fingerprint()
        transaction.set_rollback(True)
    # simulate an interruption after the first batch: the tree and 40 projects, no audit entry yet
    plan = Plan(8, 120)
    with acting_as(None, channel="cli"):
        units, people = gen._write_tree(plan)
        gen._write_batch(list(islice(plan.projects(), 40)), units, people, set())
    assert Project.objects.count() == 40
    summary = generate(120, seed=8, batch=40, out=lambda s: None)
    assert summary["projects"] == 80 and _fingerprint() == complete


def test_ledger_query_returns_generated_projects(db):
    generate(300, seed=2, batch=100, out=lambda s: None)
    from diaodu.org import services as org_services
    from diaodu.org.models import Role
    from diaodu.org.scope import SYSTEM

    with acting_as(None, channel="cli"):
        boss = org_services.create_person(
            SYSTEM, username="bench_boss", password="Bench-Pass-2026!", name="督查"
        )
        org_services.grant_roles(SYSTEM, boss, [Role.objects.get(code="supervisor")])
    boss = User.objects.get(pk=boss.pk)
    everything = queries.ledger(boss, queries.LedgerFilter())
    assert everything.count() == 300
    page = queries.page(everything, 1)
    assert len(page.rows) == queries.PAGE_SIZE and page.has_next and page.count == 300
    zone = Unit.objects.filter(code__startswith="GEN-S2-", kind="zone").first()
    in_zone = queries.ledger(boss, queries.LedgerFilter(unit=zone, stages=("under_construction",)))
    assert in_zone.exists()
    assert all(
        p.unit.code.startswith(zone.code) and p.stage == "under_construction" for p in in_zone
    )
    secretary = Project.objects.exclude(secretary=None).first().secretary
    mine = queries.ledger(boss, queries.LedgerFilter(person=secretary.pk))
    assert (
        mine.filter(secretary=secretary).count()
        == Project.objects.filter(secretary=secretary).count()
    )
    # a generated secretary (仅本人) sees their own projects through the same scope rules
    own = queries.ledger(secretary, queries.LedgerFilter())
    assert set(own.values_list("pk", flat=True)) >= set(
        Project.objects.filter(secretary=secretary).values_list("pk", flat=True)
    )

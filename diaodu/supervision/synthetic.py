"""Synthetic weekly-loop data for the generated deployment of `diaodu gen`: every zone's report
cycle, W weeks of 周报 (filed, late, returned, accepted, missing), the latest week's lights,
and problems at every step of 交办 → 办结 → 销号 with their history — so that benchmarks read
pages and documents of full size, not a ledger alone.

Like the project generator (see ``diaodu.projects.gen``) this is benchmark data: rows are
written with ``bulk_create`` in batches and one audit entry (``gen.activity`` on the root unit)
records the run. Deterministic for a seed; a second run for the same root adds nothing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from diaodu import clock
from diaodu.audit.models import AuditEntry
from diaodu.audit.services import ObjectRef, record
from diaodu.engine import periods as P
from diaodu.engine import stages as S
from diaodu.org.models import Unit
from diaodu.procedures import workcal
from diaodu.projects.models import Project
from diaodu.supervision.models import (
    Light,
    Problem,
    ProblemEvent,
    ProgressReport,
    ReportCycle,
    ReportStatus,
)

AUDIT_ACTION = "gen.activity"
BATCH = 5000
PROGRESS = [
    "主体结构施工，{n}号楼已封顶。",
    "设备基础施工，钢结构吊装完成{p}%。",
    "土方开挖完成，开始基础垫层施工。",
    "办理施工许可，施工单位进场准备。",
    "室内装修与设备安装同步推进。",
    "厂房已竣工，设备调试中，计划下月试生产。",
]
PLANS = ["继续推进主体施工。", "完成设备安装调试。", "推进竣工验收准备。", "抓紧办理前期手续。"]
RETURN_REASONS = ["本期投资与形象进度不符，请核实。", "照片非现场实拍，请补充。"]
PROBLEMS = [
    ("land", "用地规划条件需调整", "ZR"),
    ("power", "施工用电尚未接入", "JF"),
    ("permit", "施工许可要件不全", "ZJ"),
    ("funding", "建设资金到位不足", "FG"),
    ("demolition", "地块内尚有未征收房屋", "ZSB"),
    ("environment", "环评批复未下达", "HB"),
]
# status of a problem and the moves that led to it
PATHS = {
    "raised": ["raise"],
    "assigned": ["raise", "assign"],
    "in_progress": ["raise", "assign", "start"],
    "resolved": ["raise", "assign", "start", "resolve"],
    "returned": ["raise", "assign", "start", "resolve", "return"],
    "closed": ["raise", "assign", "start", "resolve", "close"],
}
TO_STATUS = {
    "raise": "raised",
    "assign": "assigned",
    "start": "in_progress",
    "resolve": "resolved",
    "return": "returned",
    "close": "closed",
}
STATUS_WEIGHTS = [
    ("closed", 40),
    ("resolved", 10),
    ("in_progress", 20),
    ("assigned", 15),
    ("returned", 5),
    ("raised", 10),
]


def _aware(d: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour, minute)))


def generate_activity(root: Unit, *, seed: int, weeks: int, out=print) -> dict:
    """Write the weekly loop of every zone under ``root`` for the ``weeks`` weeks before the
    current one. Returns counts; does nothing when ``root`` already has its activity."""
    summary = {"cycles": 0, "reports": 0, "lights": 0, "problems": 0, "problem_events": 0}
    ref = ObjectRef("org.unit", str(root.pk), root.name)
    if AuditEntry.objects.filter(
        action=AUDIT_ACTION, object_type=ref.type, object_id=ref.id
    ).exists():
        out(f"{root.name} 的合成周报与问题已存在，未新增。")
        summary["skipped"] = True
        return summary
    rng = random.Random(f"activity-{seed}")
    today = clock.today()
    cal = workcal.load()
    periods = P.of(today, P.WEEKLY).back(weeks + 1)  # the current week and `weeks` before it
    periods = sorted((p for p in periods if p.end < today), key=lambda p: p.start)
    zones = list(Unit.objects.filter(path__startswith=root.path, kind="zone").order_by("path"))
    depts = {}
    for u in Unit.objects.filter(path__startswith=root.path, kind__in=("department", "office")):
        depts[(u.parent_id, u.code.rsplit("-", 1)[-1])] = u
    with transaction.atomic():
        cycles = {}
        for z in zones:
            cycle, made = ReportCycle.objects.get_or_create(
                unit=z,
                defaults={
                    "frequency": "weekly",
                    "starts_on": periods[0].start if periods else today,
                },
            )
            cycles[z.path] = cycle
            summary["cycles"] += int(made)
    projects = (
        Project.objects.filter(unit__path__startswith=root.path, stage__in=S.ACTIVE)
        .select_related("unit", "secretary")
        .order_by("pk")
    )
    reports, lights, problems, paths = [], [], [], []
    last = periods[-1] if periods else None

    def flush(final=False):
        if len(reports) >= BATCH or final:
            ProgressReport.objects.bulk_create(reports, batch_size=BATCH)
            Light.objects.bulk_create(lights, batch_size=BATCH)
            summary["reports"] += len(reports)
            summary["lights"] += len(lights)
            reports.clear()
            lights.clear()

    for pr in projects.iterator(chunk_size=2000):
        zone_path = next((zp for zp in cycles if pr.unit.path.startswith(zp)), None)
        if zone_path is None:
            continue
        cycle = cycles[zone_path]
        annual = pr.annual_plan_investment or Decimal("0")
        ytd = Decimal("0")
        since = (pr.completed_since_start or Decimal("0")) - (
            pr.completed_this_year or Decimal("0")
        )
        name = pr.secretary.name if pr.secretary else "项目秘书"
        for period in periods:
            if rng.random() < 0.06:  # missing this week
                continue
            deadline = cycle.deadline_of(period)
            late = rng.random() < 0.08
            at = deadline + (
                timedelta(hours=rng.randint(2, 40))
                if late
                else -timedelta(hours=rng.randint(1, 60))
            )
            weekly = (annual / 52 * Decimal(str(rng.uniform(0.3, 1.7)))).quantize(Decimal("0.01"))
            if period.start.year != (period.start - timedelta(days=7)).year:
                ytd = Decimal("0")
            ytd += weekly
            since += weekly
            roll = rng.random()
            status = (
                ReportStatus.RETURNED
                if roll < 0.03
                else ReportStatus.ACCEPTED
                if roll < 0.7
                else ReportStatus.SUBMITTED
            )
            reports.append(
                ProgressReport(
                    project=pr,
                    cycle=cycle,
                    period=period.code,
                    period_start=period.start,
                    period_end=period.end,
                    year=period.start.year,
                    deadline=deadline,
                    status=status,
                    progress_text=rng.choice(PROGRESS).format(
                        n=rng.randint(1, 9), p=rng.randint(20, 95)
                    ),
                    invested=weekly,
                    ytd=ytd,
                    since_start=since,
                    next_plan=rng.choice(PLANS),
                    filed_by=pr.secretary,
                    filed_by_name=name,
                    submitted_at=at,
                    is_late=late,
                    return_reason=rng.choice(RETURN_REASONS)
                    if status == ReportStatus.RETURNED
                    else "",
                    returned_at=at + timedelta(hours=20)
                    if status == ReportStatus.RETURNED
                    else None,
                    reviewed_by_name="督查室" if status != ReportStatus.SUBMITTED else "",
                    reviewed_at=at + timedelta(hours=20)
                    if status != ReportStatus.SUBMITTED
                    else None,
                )
            )
        if last is not None:
            roll = rng.random()
            color = "red" if roll < 0.08 else "yellow" if roll < 0.25 else "green"
            reasons = {
                "red": [
                    {
                        "code": "behind",
                        "color": "red",
                        "message": "投资完成率低于序时进度20个百分点以上",
                    }
                ],
                "yellow": [
                    {"code": "slow", "color": "yellow", "message": "投资完成率低于序时进度"}
                ],
                "green": [],
            }[color]
            lights.append(
                Light(
                    project=pr,
                    cycle=cycle,
                    period=last.code,
                    period_end=last.end,
                    color=color,
                    reasons=reasons,
                    computed_at=_aware(last.end + timedelta(days=1), 2),
                )
            )
        if periods and rng.random() < 0.12:
            type_code, title, dept_code = rng.choice(PROBLEMS)
            zone = next(z for z in zones if z.path == zone_path)
            status = rng.choices([s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS])[0]
            raised = periods[0].start + timedelta(days=rng.randint(0, max(0, len(periods) * 7 - 8)))
            unit = depts.get((zone.pk, dept_code)) or depts.get((zone.pk, "DC"))
            moves = PATHS[status]
            when = _aware(raised, 9, rng.randint(0, 59))
            stamps = []
            for _move in moves:
                stamps.append(when)
                when = when + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 6))
            assigned_on = timezone.localtime(stamps[1]).date() if len(moves) > 1 else None
            deadline_wd = rng.choice((5, 10, 15)) if assigned_on else None
            problems.append(
                Problem(
                    project=pr,
                    title=f"{pr.name[:40]}{title}",
                    description=f"{title}，影响项目按期推进。",
                    type_code=type_code,
                    raised_by=pr.secretary,
                    raised_by_name=name,
                    raised_at=stamps[0],
                    status=status,
                    responsible_unit=unit if assigned_on else None,
                    deadline_wd=deadline_wd,
                    assigned_on=assigned_on,
                    due_date=cal.add_workdays(assigned_on, deadline_wd) if assigned_on else None,
                    answer="已协调解决。" if "resolve" in moves else "",
                    resolved_at=stamps[moves.index("resolve")] if "resolve" in moves else None,
                    closed_at=stamps[-1] if status == "closed" else None,
                    return_reason="问题未解决，请继续办理。" if status == "returned" else "",
                    satisfaction=rng.randint(3, 5) if status == "closed" else None,
                )
            )
            paths.append((moves, stamps, name))
        flush()
    flush(final=True)
    with transaction.atomic():
        made = Problem.objects.bulk_create(problems, batch_size=BATCH)
        events = []
        for pb, (moves, stamps, name) in zip(made, paths):
            before = ""
            for move, at in zip(moves, stamps):
                events.append(
                    ProblemEvent(
                        problem_id=pb.pk,
                        action=move,
                        from_status=before,
                        to_status=TO_STATUS[move],
                        by_name=name,
                        at=at,
                    )
                )
                before = TO_STATUS[move]
        ProblemEvent.objects.bulk_create(events, batch_size=BATCH)
        summary["problems"], summary["problem_events"] = len(made), len(events)
        record(
            AUDIT_ACTION,
            ref,
            after={
                "seed": seed,
                "weeks": weeks,
                **summary,
                "note": "合成基准数据（周报、亮灯、问题），批量写入，未逐条经过业务服务",
            },
            only_changes=False,
        )
    out(
        f"周报 {summary['reports']} 份（{len(periods)} 周），亮灯 {summary['lights']} 个，"
        f"问题 {summary['problems']} 个（处理记录 {summary['problem_events']} 条），"
        f"报送周期 {summary['cycles']} 个。"
    )
    return summary

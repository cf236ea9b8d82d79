"""The demo zone's weekly loop: a weekly report cycle for 清河经济开发区 (Thursday 17:00), four weeks
of reports of every active project (one filed late, one project that stopped reporting), contact
logs (two projects without a visit lately), problems in every state (one escalated to 督办), the
lights of the last two weeks, last week's 调度会 with its action items, and the reminders.

Everything is replayed through the services at the time it happened (`clock.frozen`), so the
audit log, the running investment sums and the ledger are exactly as if the zone had used the
system for a month. Idempotent: nothing is done when the zone already has a cycle.
Deterministic apart from today's date: random choices come from a seeded `random.Random`.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from diaodu import clock
from diaodu.audit.context import acting_as
from diaodu.engine import stages as S
from diaodu.org.models import Unit, User
from diaodu.org.scope import SYSTEM
from diaodu.procedures import workcal
from diaodu.projects.models import Project
from diaodu.supervision import queries, services
from diaodu.supervision.models import ReportCycle

SEED = 20261119
WEEKS = 4
PROGRESS = [
    "主体结构施工，完成{a}%；",
    "钢结构吊装，完成{a}%；",
    "设备基础施工，完成{a}%；",
    "室内外装修，完成{a}%；",
    "前期手续办理中，{a}%的征拆任务已完成；",
    "设备安装调试，完成{a}%；",
]
PLANS = [
    "加快主体施工，确保按节点完成。",
    "完成设备进场及安装。",
    "推进配套管网施工。",
    "办理施工许可，力争早日开工。",
]
CONTACTS = [
    "现场查看施工进度，协调解决临时用电问题。",
    "电话了解企业资金到位情况。",
    "与企业负责人座谈，听取诉求。",
    "陪同企业到自然资源局对接用地手续。",
]


def _at(d, hh=10, mm=0) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hh, mm)))


def build(stdout=None) -> dict:
    zone = Unit.objects.filter(code="QHKFQ").first()
    if zone is None:
        raise RuntimeError("演示开发区不存在。请先建立组织演示数据。")
    if ReportCycle.objects.filter(unit=zone).exists():
        return {"周报": 0, "问题": 0, "调度会": 0}
    people = {u.username: u for u in User.objects.filter(is_demo=True)}
    zhengshou, zhujian = people.get("zhengshou"), people.get("zhujian")
    units = {u.code: u for u in Unit.objects.filter(code__startswith="QHKFQ")}
    rng = random.Random(SEED)
    now = clock.now()
    today = timezone.localdate(now)
    current = queries.current_period(None, today)
    first = current.back(WEEKS)[-1]
    created = {"周报": 0, "问题": 0, "调度会": 0}
    with acting_as(None, channel="cli"), transaction.atomic():
        with clock.frozen(_at(first.start, 9)):
            cycle = services.save_cycle(
                SYSTEM,
                zone,
                {
                    "frequency": "weekly",
                    "deadline_weekday": 3,
                    "deadline_time": "17:00",
                    "starts_on": first.start,
                    "centre_latitude": "43.880000",
                    "centre_longitude": "125.350000",
                },
            )
        projects = list(
            Project.objects.filter(unit__path__startswith=zone.path, stage__in=S.ACTIVE)
            .select_related("unit", "secretary")
            .order_by("unit__path", "id")
        )
        if not projects:
            return created
        stopped = next(
            (p for p in projects if p.unit.code == "QHKFQ-SM"), projects[-1]
        )  # stops reporting
        late = next(
            (p for p in projects if p.unit.code == "QHKFQ-ZB" and p is not stopped), projects[0]
        )
        quiet = {p.pk for p in projects[1::7]}  # no visits in the last two weeks
        due = [p for p in current.back(WEEKS) if cycle.deadline_of(p) <= now][::-1]  # oldest first
        for period in due + ([] if current in due else [current]):
            deadline = cycle.deadline_of(period)
            for p in projects:
                if p is stopped and (period in due[-2:] or period == current):
                    continue
                if (
                    period == current
                    and period not in due
                    and p.unit.code not in ("QHKFQ-WL", "QHKFQ-GX")
                ):
                    continue  # this week: only some parks have reported so far
                when = (
                    deadline + timedelta(hours=16)
                    if (p is late and period == due[-1])
                    else deadline - timedelta(hours=rng.randint(4, 50))
                )
                if when > now:
                    when = now - timedelta(minutes=rng.randint(5, 120))
                annual = p.annual_plan_investment or Decimal("0")
                amount = (
                    (annual / 52 * Decimal(str(rng.uniform(0.3, 1.4)))).quantize(Decimal("1"))
                    if annual
                    else 0
                )
                secretary = (
                    p.secretary if p.secretary and _may(p.secretary, "reports.file") else None
                )
                filer = secretary or SYSTEM
                with clock.frozen(when):
                    services.file_report(
                        filer,
                        p,
                        {
                            "period": period.code,
                            "invested": amount,
                            "progress_text": rng.choice(PROGRESS).format(a=rng.randint(20, 95))
                            + (p.progress_text or "")[:120],
                            "next_plan": rng.choice(PLANS),
                        },
                    )
                created["周报"] += 1
                if p.pk not in quiet or not (period in due[-2:] or period == current):
                    on = max(period.start, min(period.end, when.date() - timedelta(days=1)))
                    with clock.frozen(when):
                        services.log_contact(
                            filer,
                            p,
                            {
                                "on": on,
                                "people": secretary.name if secretary else "督查室",
                                "enterprise_contact": "企业项目负责人",
                                "method": rng.choice(["visit", "visit", "phone", "wechat"]),
                                "content": rng.choice(CONTACTS),
                            },
                        )
            if period in due:
                with clock.frozen(deadline):
                    services.remind(SYSTEM, zone, period, automatic=True)
        # problems in every state
        by_name = {p.name: p for p in projects}
        rail = by_name.get("公铁联运多式联运枢纽项目", projects[0])
        vaccine = by_name.get("年产3000万支疫苗生产基地项目", projects[1 % len(projects)])
        mall = by_name.get("城市综合体及商业街区项目", projects[2 % len(projects)])
        cold = by_name.get("智慧冷链物流园项目", projects[0])
        t0 = _at(due[0].start + timedelta(days=1), 10) if due else now
        cal = workcal.load()
        specs = [
            (
                rail,
                "项目红线内2户征收补偿未达成一致",
                "demolition",
                zhengshou and units.get("QHKFQ-ZSB"),
                3,
                "escalate",
            ),
            (
                vaccine,
                "疫苗车间环评批复需加快",
                "approval",
                units.get("QHKFQ-FG"),
                10,
                "in_progress",
            ),
            (cold, "10kV专线开闭所方案尚未批复", "utilities", units.get("QHKFQ-ZJ"), 5, "resolved"),
            (mall, "商业街区地下管廊规划条件调整", "planning", units.get("QHKFQ-ZR"), 5, "closed"),
            (rail, "铁路专用线接轨需协调沈阳局", "approval", None, None, "raised"),
        ]
        for i, (p, title, code, unit, wd, state) in enumerate(specs):
            at = t0 + timedelta(days=i)
            raiser = p.secretary if p.secretary and _may(p.secretary, "problems.raise") else SYSTEM
            with clock.frozen(at):
                pr = services.raise_problem(
                    raiser, p, title=title, type_code=code, suggested_unit=unit
                )
                created["问题"] += 1
                if unit is None:
                    continue
                elapsed = cal.workdays_between(at.date(), today)
                if state == "escalate":
                    wd = max(1, elapsed - 4)  # four working days late today: 督办
                elif state == "in_progress":
                    wd = elapsed + wd  # still within its deadline
                pr = services.assign_problem(SYSTEM, pr, unit=unit, deadline_wd=wd)
            if state in ("in_progress", "resolved", "closed"):
                with clock.frozen(at + timedelta(days=1)):
                    pr = services.start_problem(SYSTEM, pr)
            if state in ("resolved", "closed"):
                with clock.frozen(at + timedelta(days=3)):
                    pr = services.resolve_problem(
                        SYSTEM, pr, answer="已协调相关单位完成，结果已告知企业。"
                    )
            if state == "closed":
                with clock.frozen(at + timedelta(days=4)):
                    services.close_problem(
                        raiser,
                        pr,
                        satisfaction=4 if raiser is not SYSTEM else None,
                        note="办理及时",
                    )
        services.escalate_overdue(SYSTEM, today=today)
        # lights of the last two weeks, at their deadlines
        for period in due[-2:]:
            services.compute_lights(SYSTEM, cycle, period, as_of=cycle.deadline_of(period))
        ReportCycle.objects.filter(pk=cycle.pk).update(
            auto_lights_period=due[-1].code if due else "",
            auto_remind_period=due[-1].code if due else "",
        )
        # last week's dispatch meeting (it reviewed the week before) and its decisions
        if len(due) >= 2:
            held = due[-1].start  # Monday
            with clock.frozen(_at(held, 9)):
                m = services.create_meeting(
                    SYSTEM,
                    zone,
                    {
                        "period": due[-2].code,
                        "held_on": held,
                        "location": "管委会三楼会议室",
                        "chair": "孙彦鹏",
                    },
                )
                created["调度会"] += 1
                services.add_action_item(
                    SYSTEM,
                    m,
                    {
                        "content": "征收办一周内完成公铁联运项目红线内剩余2户征收谈判",
                        "owner_id": zhengshou.pk if zhengshou else None,
                        "unit_id": units["QHKFQ-ZSB"].pk,
                        "deadline": held + timedelta(days=4),
                        "project_id": rail.pk,
                    },
                )
                services.add_action_item(
                    SYSTEM,
                    m,
                    {
                        "content": "住建局协调供电公司加快冷链物流园开闭所方案批复",
                        "owner_id": zhujian.pk if zhujian else None,
                        "unit_id": units["QHKFQ-ZJ"].pk,
                        "deadline": held + timedelta(days=11),
                        "project_id": cold.pk,
                    },
                )
                done = services.add_action_item(
                    SYSTEM,
                    m,
                    {
                        "content": "各园区本周内完成红灯项目整改方案",
                        "owner_name": "各园区主任",
                        "unit_id": units["QHKFQ-DC"].pk,
                        "deadline": held + timedelta(days=3),
                    },
                )
                services.hold_meeting(
                    SYSTEM, m, minutes="会议听取了红灯项目和超期问题汇报，研究了解决措施。"
                )
            with clock.frozen(_at(held + timedelta(days=2), 16)):
                services.close_action_item(SYSTEM, done, result="各园区已报送整改方案。")
    if stdout is not None:
        stdout.write(
            f"督查调度：周报 {created['周报']} 份，问题 {created['问题']} 个，调度会 {created['调度会']} 次。"
        )
    return created


def _may(user, key: str) -> bool:
    from diaodu.org.scope import scope_for

    return scope_for(user).has(key)

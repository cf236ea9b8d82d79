"""The demo zone's key tasks: both reference speeches uploaded as the 督查室 would (dated five and
three weeks ago, so that "年底前" means this year), extracted by the offline extractor, reviewed
the way a clerk does (names outside the unit tree mapped once as aliases, rows no unit leads
given to the 党政办公室), approved — and a month of work replayed through the services at the
time it happened: acceptance, weekly progress per node, a sub-task, a completion, an extension,
the morning escalations and a 督办单. Idempotent: a zone that has source documents is left alone."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from diaodu import clock
from diaodu.org.models import Unit, User
from diaodu.org.scope import SYSTEM, scope_for
from diaodu.tasks import services
from diaodu.tasks.models import SourceDocument, Task

DATA = Path(__file__).parent / "tests" / "data"
SPEECHES = [("000_3fc0121556723ce9.txt", 35), ("001_3211ec9d6ce1735f.txt", 21)]
ALIASES = {"征收办": "QHKFQ-ZSB", "国土局": "QHKFQ-ZR", "规划局": "QHKFQ-ZR", "招商部门": "QHKFQ-ZS",
           "发改委": "QHKFQ-FG", "住建部门": "QHKFQ-ZJ", "环保局": "QHKFQ-HB"}  # fmt: skip
FALLBACK = "QHKFQ-BGS"


def _at(day, hour=9):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _handler(unit: Unit):
    for u in User.objects.filter(memberships__unit=unit, is_active=True).order_by("pk"):
        s = scope_for(u)
        if s.has("tasks.handle"):
            return u
    return SYSTEM


def build(stdout=None) -> dict:
    created = {"documents": 0, "tasks": 0, "reports": 0}
    zone = Unit.objects.filter(code="QHKFQ").first()
    office = User.objects.filter(username="duchashi").first()
    if zone is None or office is None:
        raise RuntimeError("演示开发区不存在，请先建立组织演示数据。")
    if SourceDocument.objects.filter(zone=zone).exists():
        return created
    today = clock.today()
    units = {u.code: u for u in Unit.objects.subtree(zone)}
    for code, unit_code in ALIASES.items():
        if not services.Resolver(zone).get(code):
            services.learn_alias(office, zone, code, units[unit_code])
    all_tasks = []
    for name, days_ago in SPEECHES:
        on = today - timedelta(days=days_ago)
        with clock.frozen(_at(on, 16)):
            doc = services.upload_document(
                office, zone, upload=SimpleUploadedFile(name, (DATA / name).read_bytes()),
                doc_date=on,
            )  # fmt: skip
            doc.title = (doc.text.strip().splitlines() or [doc.title])[0][:200]
            SourceDocument.objects.filter(pk=doc.pk).update(title=doc.title)
            rows = _reviewed(doc.rows, zone)
            tasks = services.approve_document(office, doc, rows, version=doc.version)
        created["documents"] += 1
        created["tasks"] += len(tasks)
        all_tasks += [(t, on) for t in tasks]
    created["reports"] = _month(all_tasks, office, today)
    return created


def _reviewed(rows: list[dict], zone: Unit) -> list[dict]:
    """What the clerk does: keep rows that say what to do, give rows without a known lead unit
    to the 党政办公室, drop unknown supporting names, cut long titles."""
    resolver = services.Resolver(zone)
    out = []
    for r in rows:
        if len(r["task"]) < 6:
            continue
        leads = [n for n in r["lead_units"] if resolver.get(n)]
        support = [
            n
            for n in [*r["lead_units"], *r["support_units"]]
            if resolver.get(n) and n not in leads[:1]
        ]
        r = {**r, "lead_units": leads[:1] or ["党政办公室"], "support_units": support,
             "task": r["task"][:480]}  # fmt: skip
        out.append(r)
    return out


def _month(tasks, office, today) -> int:
    """Four weeks of work, replayed day by day through the services."""
    reports = 0
    for i, (t, on) in enumerate(tasks):
        unit_person = _handler(t.lead_unit)
        start = on + timedelta(days=2)
        if i % 5 == 4:
            continue  # never accepted: these wait, and escalate if late
        with clock.frozen(_at(start, 10)):
            t = services.sign_task(unit_person, t)
        for week in range(1, 5):
            day = start + timedelta(days=7 * week)
            if day >= today or (i % 3 == 2 and week > 2):
                break  # some units stop reporting: the reminders chase them
            with clock.frozen(_at(day, 15)):
                t = Task.objects.get(pk=t.pk)
                if t.status not in ("in_progress", "returned"):
                    break
                nodes = [m for m in t.milestones.all() if m.done_on is None]
                services.report_progress(
                    unit_person, t, text=f"第{week}周：按计划推进，已完成阶段工作。",
                    percent=min(100, 20 * week + (i % 3) * 5), milestone=nodes[0] if nodes else None,
                )  # fmt: skip
                reports += 1
        t = Task.objects.get(pk=t.pk)
        if i % 7 == 1 and t.status == "in_progress":
            with clock.frozen(_at(today - timedelta(days=3), 11)):
                t = services.request_done(unit_person, t, summary="任务已完成，相关材料已归档。")
            if i % 14 == 1:
                with clock.frozen(_at(today - timedelta(days=1), 9)):
                    services.approve_done(office, t)
        elif i % 7 == 3 and t.status == "in_progress" and t.deadline:
            with clock.frozen(_at(today - timedelta(days=2), 10)):
                services.request_extension(unit_person, t, new_due=t.deadline + timedelta(days=30),
                                           reason="受天气影响，施工进度滞后。")  # fmt: skip
        elif i % 7 == 5 and t.status == "in_progress" and t.parent_id is None:
            other = Unit.objects.filter(code="QHKFQ-ZJ").first()
            if other and other != t.lead_unit:
                with clock.frozen(_at(today - timedelta(days=5), 10)):
                    services.split_task(office, t, {"title": f"{t.title[:40]}（配套建设）", "lead_unit": other,
                                        "deadline": t.deadline})  # fmt: skip
    for back in (10, 5, 1, 0):
        day = today - timedelta(days=back)
        with clock.frozen(_at(day, 8)):
            services.escalate_overdue(SYSTEM, today=day)
    late = (
        Task.objects.filter(escalation_level__gte=2, status__in=("pending", "in_progress"))
        .order_by("id")
        .first()
    )
    if late is not None:
        with clock.frozen(_at(today - timedelta(days=1), 9)):
            services.issue_notice(
                office, late, body="请于三个工作日内报送整改措施和推进计划。", reply_wd=3
            )
    return reports

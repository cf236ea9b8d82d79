"""The running sums of a new report, kept incrementally (rules: report_sums.py).

Filing a report for the newest period reads one row — the newest report — whatever the
project's history: its stored 本年累计 / 开工以来累计 are the sums up to it (without itself when it
does not count), so the new report's sums follow from them, and the rules (本年累计 ≥ 0,
开工以来累计 ≥ 本年累计) are checked on the new report alone. Filing for an earlier period is the
rare case: the whole-history check of report_sums runs, and the later reports are shifted by the
amount in two UPDATEs. `reports.recompute_investment` rebuilds everything, for the other moves
(return, acceptance of a 核减, resubmission).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F

from diaodu.audit.services import Change, snapshot
from diaodu.projects.models import Project
from diaodu.supervision.models import InvestmentBaseline, ProgressReport

from . import report_sums as sums

ZERO = Decimal("0")
LATEST_FIELDS = ("id", "project_id", "period", "period_start", "year", "ytd", "since_start")


def latest_report(project: Project) -> ProgressReport | None:
    return (
        ProgressReport.objects.filter(project=project)
        .order_by("-period_start")
        .only(*LATEST_FIELDS, "client_key")
        .first()
    )


def project_money(p: Project) -> dict:
    return snapshot(p, ["completed_this_year", "completed_since_start", "version"])


def set_project_money(p: Project, new: tuple[Decimal, Decimal]) -> Change | None:
    """Store the running sums (本年完成, 累计完成) on the (locked) project when they changed; the
    project change to audit, or None when nothing changed."""
    if (p.completed_this_year, p.completed_since_start) == new:
        return None
    before = project_money(p)
    p.completed_this_year, p.completed_since_start = new
    p.version += 1
    p.save(update_fields=["completed_this_year", "completed_since_start", "version", "updated_at"])
    return Change("project.update", p, before=before, after=project_money(p))


def _start(project: Project, year: int) -> tuple[Decimal, Decimal]:
    """(开工以来, 本年) before the first report: the baseline, stored now if it was not."""
    base, _ = InvestmentBaseline.objects.get_or_create(
        project=project,
        defaults={
            "since_start": project.completed_since_start or ZERO,
            "this_year": (project.completed_this_year or ZERO)
            if project.plan_year in (None, year)
            else ZERO,
            "year": year,
        },
    )
    return max(base.since_start, base.this_year), base.this_year if year == base.year else ZERO


def _year_start(project: Project, year: int) -> Decimal:
    base = InvestmentBaseline.objects.filter(project=project).only("year", "this_year").first()
    return base.this_year if base is not None and base.year == year else ZERO


def place(project: Project, report: ProgressReport, latest: ProgressReport | None):
    """Set the new report's sums (checking the rules) and shift later reports; returns the
    project's new (本年完成, 累计完成). `project` is locked by the caller."""
    invested = report.invested or ZERO
    newest = latest is None or latest.period_start < report.period_start
    if newest:
        prev = latest
    else:
        prev = (
            ProgressReport.objects.filter(project=project, period_start__lt=report.period_start)
            .order_by("-period_start")
            .only(*LATEST_FIELDS)
            .first()
        )
    if prev is None:
        since, ytd = _start(project, report.year)
    else:
        since = prev.since_start
        ytd = prev.ytd if prev.year == report.year else _year_start(project, report.year)
    errors: dict = {}
    if newest:
        # the rules, with the new report counted (as it will be once filed / accepted)
        if ytd + invested < 0:
            errors["invested"] = (
                f"本期完成投资{invested}万元将使本期本年累计为{ytd + invested}万元，"
                "本年累计不能小于0，请核实。"
            )
        elif since + invested < ytd + invested:
            errors["invested"] = (
                f"本期完成投资{invested}万元将使本期开工以来累计（{since + invested}万元）"
                f"小于本年累计（{ytd + invested}万元），请核实。"
            )
    else:
        line = sums.Line("new", report.period_start, report.year, invested, True)
        sums.check(project, line, errors, "invested")
    if errors:
        raise ValidationError(errors)
    counts = report.counts_in_totals
    added = invested if counts else ZERO
    report.since_start, report.ytd = since + added, ytd + added
    if newest:
        return report.ytd, report.since_start
    if added:
        later = ProgressReport.objects.filter(project=project, period_start__gt=report.period_start)
        later.update(since_start=F("since_start") + added)
        later.filter(year=report.year).update(ytd=F("ytd") + added)
    this_year = (project.completed_this_year or ZERO) + (
        added if latest.year == report.year else ZERO
    )
    return this_year, (project.completed_since_start or ZERO) + added

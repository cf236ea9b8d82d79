"""The submission path under load: idempotent retries (form and API), running sums kept
incrementally (same result as a full recompute), and a fixed, small number of queries that does
not grow with the project's history."""

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diaodu.audit.models import AuditEntry
from diaodu.supervision import services
from diaodu.supervision.models import ProgressReport, ReportEvent
from diaodu.supervision.queries import cycle_for_project

from .conftest import REPORT, WEEK


def _report_entries(report):
    return AuditEntry.objects.filter(action="report.submit", object_id=str(report.pk))


# ---------------------------------------------------------------- idempotency


def test_form_retry_returns_the_stored_report(cycle, make_project, client_for, clock):
    p = make_project()
    c = client_for("mishu_wl")
    html = c.get(f"/supervision/reports/new/{p.pk}/").content.decode()
    assert 'name="client_key"' in html
    key = html.split('name="client_key" value="')[1].split('"')[0]
    assert len(key) == 32
    body = {**REPORT, "period": WEEK, "client_key": key}
    first = c.post(f"/supervision/reports/new/{p.pk}/", body)
    report = ProgressReport.objects.get(project=p, period=WEEK)
    assert first.status_code == 302 and first["Location"].endswith(f"/reports/{report.pk}/")
    # the answer was lost (a timeout): the phone sends the same form again
    again = c.post(f"/supervision/reports/new/{p.pk}/", body, follow=True)
    assert again.redirect_chain[-1][0].endswith(f"/reports/{report.pk}/")
    assert "此前已报送成功" in again.content.decode()
    assert ProgressReport.objects.filter(project=p).count() == 1
    assert _report_entries(report).count() == 1
    assert ReportEvent.objects.filter(report=report, action="submit").count() == 1
    # a second, different filling of the same week is still refused
    other = c.post(f"/supervision/reports/new/{p.pk}/", {**body, "client_key": uuid.uuid4().hex})
    assert other.status_code == 200 and "已报送" in other.content.decode()
    # a malformed key is a clear error and changes nothing
    bad = c.post(f"/supervision/reports/new/{p.pk}/", {**body, "client_key": "短"})
    assert bad.status_code == 200 and "提交编号格式不正确" in bad.content.decode()
    assert ProgressReport.objects.filter(project=p).count() == 1


def test_api_retry_returns_the_stored_report(cycle, make_project, client_for, clock):
    p, q = make_project(), make_project("第二个项目")
    c = client_for("mishu_wl")
    key = str(uuid.uuid4())
    body = {"project_id": p.pk, **REPORT}
    first = c.post("/api/v1/supervision/reports", body, HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201, first.content
    again = c.post("/api/v1/supervision/reports", body, HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    # the key may come as a form field too
    third = c.post("/api/v1/supervision/reports", {**body, "client_key": key})
    assert third.status_code == 200 and third.json()["id"] == first.json()["id"]
    report = ProgressReport.objects.get(pk=first.json()["id"])
    assert _report_entries(report).count() == 1
    # without a key a repeat is the usual refusal
    plain = c.post("/api/v1/supervision/reports", body)
    assert plain.status_code == 422 and "已报送" in str(plain.json())
    # one key, another project: refused, nothing stored
    wrong = c.post(
        "/api/v1/supervision/reports", {**body, "project_id": q.pk}, HTTP_IDEMPOTENCY_KEY=key
    )
    assert wrong.status_code == 422 and "提交编号" in str(wrong.json())
    assert not ProgressReport.objects.filter(project=q).exists()


def test_retry_of_an_earlier_week_after_a_later_one(cycle, make_project, person, clock):
    """The retry no longer matches the newest report: the database's uniqueness catches it and
    the stored report comes back."""
    p, sec = make_project(), person("mishu_wl")
    key = uuid.uuid4().hex
    r46 = services.file_report(sec, p, {**REPORT, "period": "2026-W46"}, client_key=key)
    services.file_report(sec, p, REPORT)
    again = services.file_report(sec, p, {**REPORT, "period": "2026-W46"}, client_key=key)
    assert again.pk == r46.pk and again.replayed
    assert ProgressReport.objects.filter(project=p).count() == 2


# ---------------------------------------------------------------- running sums


def test_incremental_sums_equal_a_full_recompute(cycle, make_project, person, clock):
    p = make_project(completed_this_year=Decimal("3000"), completed_since_start=Decimal("20000"))
    sec = person("mishu_wl")
    clock.set(2026, 12, 2, 9, 0)  # week 49
    filings = [("2026-W47", "800"), ("2026-W49", "50"), ("2026-W45", "100"), ("2026-W48", "0")]
    for code, amount in filings:
        services.file_report(sec, p, {**REPORT, "invested": amount, "period": code})
    rows = {r.period: (r.ytd, r.since_start) for r in ProgressReport.objects.filter(project=p)}
    assert rows == {
        "2026-W45": (Decimal("3100"), Decimal("20100")),
        "2026-W47": (Decimal("3900"), Decimal("20900")),
        "2026-W48": (Decimal("3900"), Decimal("20900")),
        "2026-W49": (Decimal("3950"), Decimal("20950")),
    }
    p.refresh_from_db()
    assert (p.completed_this_year, p.completed_since_start) == (Decimal("3950"), Decimal("20950"))
    version = p.version
    services.recompute_investment(p)  # the full rebuild finds nothing to change
    p.refresh_from_db()
    assert p.version == version
    assert rows == {
        r.period: (r.ytd, r.since_start) for r in ProgressReport.objects.filter(project=p)
    }


def test_resubmit_shifts_later_sums(cycle, make_project, person, clock):
    p = make_project(completed_this_year=Decimal("0"), completed_since_start=Decimal("0"))
    sec, office = person("mishu_wl"), person("duchashi")
    r46 = services.file_report(sec, p, {**REPORT, "invested": "100", "period": "2026-W46"})
    services.file_report(sec, p, {**REPORT, "invested": "10"})
    services.return_report(office, r46, "金额有误")
    services.resubmit_report(sec, r46, {**REPORT, "invested": "150"})
    rows = {r.period: (r.ytd, r.since_start) for r in ProgressReport.objects.filter(project=p)}
    assert rows == {
        "2026-W46": (Decimal("150"), Decimal("150")),
        "2026-W47": (Decimal("160"), Decimal("160")),
    }
    p.refresh_from_db()
    assert (p.completed_this_year, p.completed_since_start) == (Decimal("160"), Decimal("160"))


# ---------------------------------------------------------------- query counts


def _history(p, sec, clock, weeks):
    """`weeks` earlier reports, one a week, written directly (history, not under test)."""
    from datetime import timedelta

    from diaodu.engine import periods as P

    start = P.parse(WEEK, "weekly")
    rows = []
    for i in range(weeks, 0, -1):
        period = P.of(start.start - timedelta(days=7 * i), "weekly")
        rows.append(
            ProgressReport(
                project=p,
                cycle_id=cycle_for_project(p).pk,
                period=period.code,
                period_start=period.start,
                period_end=period.end,
                year=period.year,
                deadline=clock.at,
                submitted_at=clock.at,
                progress_text="历史",
                invested=Decimal("1"),
                ytd=Decimal("1"),
                since_start=Decimal(str(weeks - i + 1)),
            )
        )
    ProgressReport.objects.bulk_create(rows)


def _count(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [
        q["sql"]
        for q in ctx.captured_queries
        # transaction control is not counted (a test's savepoints, BEGIN, COMMIT)
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT"))
    ]


@pytest.mark.django_db(transaction=True)
def test_submission_query_count_is_small_and_flat(cycle, make_project, person, clock, client_for):
    """≤ 13 queries for a report — the scope check under lock, the cycle, the newest report,
    the report, its lights (if any yet), its event, the ledger update, both audit entries in one
    INSERT and their sealing after commit — the same with 1 or 40 weeks of history. The whole form POST (session, user,
    scope, view) is counted too, and is as flat."""
    from diaodu.org.scope import scope_for

    sec = person("mishu_wl")
    scope_for(sec)  # a request computes the scope once, before the service (counted below)
    counts, posted = {}, {}
    for weeks in (1, 40):
        q = make_project(f"历史{weeks}周项目")
        _history(q, sec, clock, weeks)
        project = type(q).objects.select_related("unit").get(pk=q.pk)
        sql = _count(lambda project=project: services.file_report(sec, project, REPORT))
        assert len(sql) <= 13, "\n".join(sql)
        counts[weeks] = len(sql)
        r = ProgressReport.objects.get(project=q, period=WEEK)
        assert r.since_start == Decimal(weeks) + Decimal("800")
    assert counts[1] == counts[40]
    assert not AuditEntry.objects.filter(hash="").exists()  # sealed within the call
    c = client_for("mishu_wl")
    c.get("/")
    for weeks in (1, 40):
        q = make_project(f"表单{weeks}周项目")
        _history(q, sec, clock, weeks)
        body = {**REPORT, "period": WEEK, "client_key": uuid.uuid4().hex}
        sql = _count(lambda q=q, body=body: c.post(f"/supervision/reports/new/{q.pk}/", body))
        assert ProgressReport.objects.filter(project=q, period=WEEK).exists()
        posted[weeks] = len(sql)
    assert posted[1] == posted[40] <= 20, posted

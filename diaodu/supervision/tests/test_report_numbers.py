"""Reports that add up: running sums never below zero and 开工以来累计 ≥ 本年累计; a 核减 (negative
本期完成投资) needs a note and another person's review before it counts; a returned report counts
as filed nowhere and in no total until it is filed again; a 更正 after 审核通过 is a reviewed new
version, audited, and totals use the latest accepted version; lights are recomputed when a report
is filed, returned or corrected."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from diaodu.audit.models import AuditEntry
from diaodu.engine import periods as P
from diaodu.supervision import figures, queries, services
from diaodu.supervision.models import Light, ReportCorrection
from diaodu.supervision.tests.conftest import REPORT, WEEK

D = Decimal


def totals(unit, user, on=date(2026, 11, 18)):
    n = figures.numbers(user, unit, on)
    return n.value("reports.filed"), n.value("reports.returned"), n.value("investment.done.active")


def test_returned_report_counts_nowhere_until_filed_again(
    demo, cycle, make_project, person, clock, media
):
    p = make_project(completed_this_year=D("3000"), completed_since_start=D("20000"))
    sec, office = person("mishu_wl"), person("duchashi")
    zone, period = demo["QHKFQ"], P.parse(WEEK)
    r = services.file_report(sec, p, REPORT)
    assert totals(zone, office) == (1, 0, D("3800"))
    sm = queries.summary(office, zone, period)
    assert (sm.filed, sm.returned, sm.ytd_total) == (1, 0, D("3800"))

    r = services.return_report(office, r, "本期投资与监理月报不符，请核实。")
    assert totals(zone, office) == (0, 1, D("3000"))  # back to what the ledger said before
    sm = queries.summary(office, zone, period)
    assert (sm.filed, sm.returned, sm.missing, sm.ytd_total) == (0, 1, 1, D("3000"))
    assert sm.invested_period == 0
    p.refresh_from_db()
    assert (p.completed_this_year, p.completed_since_start) == (D("3000"), D("20000"))

    services.resubmit_report(sec, r, {**REPORT, "invested": "650", "version": r.version})
    assert totals(zone, office) == (1, 0, D("3650"))
    p.refresh_from_db()
    assert p.completed_this_year == D("3650")


def test_cumulative_rules_and_reductions(demo, cycle, make_project, person, clock, media):
    # the ledger knew this year's 20,099 but not the cumulative since the start: the running sum
    # since the start can never be below this year's
    p = make_project(completed_this_year=D("20099"), completed_since_start=None)
    sec, office, park = person("mishu_wl"), person("duchashi"), person("wl_zhuren")
    zone = demo["QHKFQ"]
    with pytest.raises(ValidationError) as exc:
        services.file_report(sec, p, {**REPORT, "invested": "-500"})
    assert "核减说明" in str(exc.value.message_dict["reduction_note"])
    with pytest.raises(ValidationError) as exc:
        services.file_report(sec, p, {**REPORT, "invested": "-30000", "reduction_note": "审计核减"})
    assert "不能小于0" in str(exc.value.message_dict["invested"])
    r = services.file_report(sec, p, {**REPORT, "invested": "-500", "reduction_note": "审计核减"})
    assert r.reduction_note == "审计核减" and r.status == "submitted"
    assert r.since_start >= r.ytd >= 0
    # filed, but the reduction counts nowhere until another person has reviewed it
    assert totals(zone, office) == (1, 0, D("20099"))
    p.refresh_from_db()
    assert p.completed_this_year == D("20099")
    # wl_zhuren may review reports, but not a reduction he filed himself
    r2_project = make_project("另一个项目", completed_this_year=D("100"))
    r2 = services.file_report(
        park, r2_project, {**REPORT, "invested": "-50", "reduction_note": "核减"}
    )
    with pytest.raises(PermissionDenied):
        services.accept_report(park, r2)
    services.accept_report(office, r)
    assert totals(zone, office) == (2, 0, D("19599") + D("100"))
    p.refresh_from_db()
    assert (p.completed_this_year, p.completed_since_start) == (D("19599"), D("19599"))


def test_correction_after_acceptance(demo, cycle, make_project, person, clock, media):
    p = make_project(completed_this_year=D("3000"), completed_since_start=D("20000"))
    sec, office = person("mishu_wl"), person("duchashi")
    zone = demo["QHKFQ"]
    r = services.file_report(sec, p, REPORT)
    with pytest.raises(ValidationError, match="审核通过"):
        services.correct_report(sec, r, {"invested": "700"}, reason="监理核定")
    r = services.accept_report(office, r)
    with pytest.raises(ValidationError) as exc:
        services.correct_report(sec, r, {"invested": "700"}, reason=" ")
    assert "更正原因" in str(exc.value.message_dict["reason"])
    c = services.correct_report(sec, r, {"invested": "700"}, reason="监理核定本期为700万元")
    assert c.status == "pending" and c.number == 1
    assert c.before["invested"] == "800.00" and c.after["invested"] == "700.00"
    # until reviewed, every total keeps the accepted version
    assert totals(zone, office) == (1, 0, D("3800"))
    with pytest.raises(PermissionDenied):
        services.review_correction(sec, c, accept=True)  # not by the person who asked for it
    c = services.review_correction(office, c, accept=True)
    r.refresh_from_db()
    assert c.status == "accepted" and r.invested == D("700") and r.ytd == D("3700")
    assert r.status == "accepted"
    assert totals(zone, office) == (1, 0, D("3700"))
    # a second correction, rejected: nothing changes; both versions stay readable
    c2 = services.correct_report(sec, r, {"invested": "900"}, reason="再次更正")
    services.review_correction(office, c2, accept=False, note="无依据")
    r.refresh_from_db()
    assert r.invested == D("700")
    assert list(ReportCorrection.objects.filter(report=r).values_list("number", "status")) == [
        (1, "accepted"),
        (2, "rejected"),
    ]
    actions = set(AuditEntry.objects.filter(object_id=str(r.pk)).values_list("action", flat=True))
    assert {"report.correct", "report.correct_accept", "report.correct_reject"} <= actions
    assert [e.action for e in r.events.all()][-4:] == [
        "correct",
        "correct_accept",
        "correct",
        "correct_reject",
    ]


def test_lights_follow_filing_and_return(demo, cycle, make_project, person, clock, media):
    p = make_project()
    sec, office = person("mishu_wl"), person("duchashi")
    clock.set(2026, 11, 20, 9, 0)  # Friday: weeks 45, 46 and 47 are all overdue
    services.compute_lights(office, cycle, P.parse(WEEK))
    light = Light.objects.get(project=p, period=WEEK)
    assert "连续3期未报送周报" in light.reason_text
    r = services.file_report(sec, p, {**REPORT, "period": WEEK})
    light.refresh_from_db()
    assert "未报送" not in light.reason_text  # recomputed when the report was filed
    services.return_report(office, r, "照片不是现场实拍。")
    light.refresh_from_db()
    assert "连续3期未报送周报" in light.reason_text  # and again when it was returned


def test_correction_pages(demo, cycle, make_project, person, clock, media, client_for):
    p = make_project(completed_this_year=D("3000"), completed_since_start=D("20000"))
    sec, office = person("mishu_wl"), person("duchashi")
    r = services.accept_report(office, services.file_report(sec, p, REPORT))
    mishu = client_for("mishu_wl")
    page = mishu.get(f"/supervision/reports/{r.pk}/").content.decode()
    assert 'data-testid="correct-form"' in page
    mishu.post(f"/supervision/reports/{r.pk}/correct/", {"invested": "750", "reason": ""})
    assert not ReportCorrection.objects.exists()  # a reason is required: nothing changed
    mishu.post(f"/supervision/reports/{r.pk}/correct/", {"invested": "750", "reason": "监理核定"})
    c = ReportCorrection.objects.get()
    assert c.status == "pending"
    assert "通过</button>" not in mishu.get(f"/supervision/reports/{r.pk}/").content.decode()
    boss = client_for("duchashi")
    assert "通过</button>" in boss.get(f"/supervision/reports/{r.pk}/").content.decode()
    boss.post(f"/supervision/reports/{r.pk}/corrections/1/review/", {"decision": "accept"})
    r.refresh_from_db()
    assert r.invested == D("750") and r.ytd == D("3750")
    page = boss.get(f"/supervision/reports/{r.pk}/").content.decode()
    assert "第1次更正" in page and "已通过" in page and "800.00 → 750.00" in page
    # another park's person cannot reach the report at all
    assert (
        client_for("zb_zhuren")
        .post(f"/supervision/reports/{r.pk}/corrections/1/review/", {"decision": "reject"})
        .status_code
        == 404
    )


def test_form_shows_last_period_figures(
    demo, cycle, make_project, person, clock, media, client_for
):
    p = make_project(completed_this_year=D("3000"), completed_since_start=D("20000"))
    services.file_report(person("mishu_wl"), p, REPORT)
    clock.set(2026, 11, 24, 9, 0)  # week 48
    page = client_for("mishu_wl").get(f"/supervision/reports/new/{p.pk}/").content.decode()
    block = page.split('data-testid="last-period"')[1].split("</div></div>")[0]
    assert "上期（2026年第47周）" in block
    assert 'data-last="invested">800<' in block
    assert 'data-last="ytd">3,800<' in block and 'data-last="since_start">20,800<' in block


def test_api_reduction_and_correction(demo, cycle, make_project, person, clock, media, client_for):
    p = make_project(completed_this_year=D("3000"), completed_since_start=D("20000"))
    mishu, boss = client_for("mishu_wl"), client_for("duchashi")
    r = mishu.post(
        "/api/v1/supervision/reports",
        {"project_id": p.pk, "progress_text": "核减", "invested": "-100"},
    )
    assert r.status_code == 422 and "reduction_note" in r.json()["errors"]
    r = mishu.post(
        "/api/v1/supervision/reports",
        {"project_id": p.pk, "progress_text": "核减", "invested": "-100", "reduction_note": "审计"},
    )
    assert r.status_code == 201 and r.json()["reduction_note"] == "审计"
    rid = r.json()["id"]
    accept = f"/api/v1/supervision/reports/{rid}/accept"
    assert boss.post(accept).status_code == 400  # a form, not the JSON body with its version
    assert boss.post(accept, {}, content_type="application/json").status_code == 422
    v = r.json()["version"]
    assert boss.post(accept, {"version": v}, content_type="application/json").status_code == 200
    url = f"/api/v1/supervision/reports/{rid}/corrections"
    bad = mishu.post(url, {"invested": "-80"}, content_type="application/json")
    assert bad.status_code == 422 and "reason" in bad.json()["errors"]
    ok = mishu.post(url, {"invested": "-80", "reason": "审计复核"}, content_type="application/json")
    assert ok.status_code == 201 and ok.json()["status"] == "pending"
    assert (
        mishu.post(f"{url}/1/review", {"accept": True}, content_type="application/json").status_code
        == 403
    )  # not by the person who asked for it
    done = boss.post(f"{url}/1/review", {"accept": True}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "accepted"
    assert boss.get(f"/api/v1/supervision/reports/{rid}").json()["ytd"] in ("2920.00", "2920")
    assert [c["number"] for c in boss.get(url).json()] == [1]
    assert client_for("zb_zhuren").get(url).status_code == 404

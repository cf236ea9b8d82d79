"""Pages and API under the data scope (a park sees only its own agreement, cockpit and API;
forged ids → 404), the permission of every list and endpoint, fixed query counts with more
rows, cockpit figures equal to their drill-down lists, and the home-page cards."""

import html as htmllib
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diaodu.audit.context import acting_as
from diaodu.org.scope import SYSTEM
from diaodu.targets import services


@pytest.fixture
def zone(demo, inds, agreement_for, enter, project_with_history):
    wl = agreement_for(
        "QHKFQ-WL", {"new_starts": 5, "signings": 2, "fai": 7.8, "investment_done": 30000}
    )
    zb = agreement_for(
        "QHKFQ-ZB", {"new_starts": 4, "signings": 1, "fai": 7.2, "investment_done": 20000}
    )
    enter("QHKFQ-WL", "fai", {1: 1, 2: 2, 3: 3})
    enter("QHKFQ-ZB", "fai", {1: 1, 2: 1.5})
    for i, (unit, start) in enumerate(
        [
            ("QHKFQ-WL", date(2026, 3, 1)),
            ("QHKFQ-WL", date(2026, 5, 1)),
            ("QHKFQ-ZB", date(2026, 4, 1)),
        ]
    ):
        project_with_history(
            f"园区项目{i}",
            [
                ("signed", date(2026, 1, 10)),
                ("landed", date(2026, 1, 20)),
                ("preparing", date(2026, 2, 1)),
                ("under_construction", start),
            ],
            unit=unit,
            latitude=Decimal("43.86"),
            longitude=Decimal("125.40"),
            total_investment=Decimal("50000"),
            completed_this_year=Decimal(1000 * (i + 1)),
        )
    with acting_as(None):
        s = services.save_scheme(SYSTEM, root=demo["QHKFQ"], year=2026, name="考核办法")
        services.set_criterion(SYSTEM, s, indicator=inds["fai"], weight=20)
        services.set_criterion(SYSTEM, s, indicator=inds["new_starts"], weight=20)
        ss = services.run_assessment(SYSTEM, s, kind="monthly", month=6)
    return {"wl": wl, "zb": zb, "scheme": s, "ss": ss}


def test_park_sees_only_its_own(zone, demo, inds, client_for):
    c = client_for("wl_zhuren")
    wl, zb = zone["wl"], zone["zb"]
    listing = c.get("/targets/agreements/").content.decode()
    assert (
        f"/targets/agreements/{wl.pk}/" in listing
        and f"/targets/agreements/{zb.pk}/" not in listing
    )
    assert [a["unit_name"] for a in c.get("/api/v1/targets/agreements").json()["items"]] == [
        "现代物流产业园"
    ]
    progress = c.get("/targets/", {"year": 2026}).content.decode()
    assert "现代物流产业园" in progress and "装备制造产业园" not in progress
    ind = inds["new_starts"].pk
    for url in [
        f"/targets/agreements/{zb.pk}/",
        f"/targets/agreements/{zb.pk}/edit/",
        f"/targets/agreements/{zb.pk}/scan/download/",
        f"/targets/cockpit/?unit={demo['QHKFQ-ZB'].pk}",
        f"/targets/drill/?unit={demo['QHKFQ-ZB'].pk}&indicator={ind}&year=2026",
        f"/targets/monthly/?unit={demo['QHKFQ-ZB'].pk}&year=2026",
        "/targets/agreements/999999/",
        f"/targets/drill/?unit=999999&indicator={ind}",
        "/targets/drill/?unit=abc&indicator=1",
        f"/targets/assessment/schemes/{zone['scheme'].pk}/",
        "/targets/assessment/results/999999/",
        f"/api/v1/targets/agreements/{zb.pk}",
        f"/api/v1/targets/agreements/{zb.pk}/progress",
        f"/api/v1/targets/progress?unit={demo['QHKFQ-ZB'].pk}",
        f"/api/v1/targets/drill?unit={demo['QHKFQ-ZB'].pk}&indicator={ind}",
        f"/api/v1/targets/monthly?year=2026&unit={demo['QHKFQ-ZB'].pk}",
        "/api/v1/targets/agreements/999999",
    ]:
        r = c.get(url)
        assert r.status_code in (403, 404) if "edit" in url else r.status_code == 404, url
    # the park's own: cockpit opens on the park, API progress works, monthly values only its own
    cockpit = c.get("/targets/cockpit/").content.decode()
    assert "领导驾驶舱 · 现代物流产业园" in cockpit
    assert c.get(f"/api/v1/targets/progress?unit={demo['QHKFQ-WL'].pk}").status_code == 200
    assert {v["unit_name"] for v in c.get("/api/v1/targets/monthly?year=2026").json()["items"]} == {
        "现代物流产业园"
    }
    # entering another park's values through the API: refused, nothing written
    r = c.post(
        "/api/v1/targets/monthly",
        {
            "unit_id": demo["QHKFQ-ZB"].pk,
            "year": 2026,
            "month": 3,
            "values": [{"indicator": "fai", "value": "2"}],
        },
        content_type="application/json",
    )
    assert r.status_code == 404
    # the published ranking shows every park's total, but the details of its own park only
    ranking = c.get(f"/api/v1/targets/rankings/{zone['ss'].pk}").json()
    assert {s["unit_name"] for s in ranking["scores"]} == {"现代物流产业园", "装备制造产业园"}
    assert {s["unit_name"] for s in ranking["scores"] if s["lines"]} == {"现代物流产业园"}


def test_leader_sees_the_zone(zone, demo, client_for):
    c = client_for("quzhang")
    cockpit = c.get("/targets/cockpit/").content.decode()
    assert "领导驾驶舱 · 清河经济开发区管委会" in cockpit and "下级2个单位目标责任状汇总" in cockpit
    assert c.get("/api/v1/targets/agreements").json()["count"] == 2
    assert c.get(f"/targets/agreements/{zone['zb'].pk}/").status_code == 200
    assert c.get("/targets/monthly/").status_code == 403  # leaders read, they do not enter
    assert (
        c.post(
            "/api/v1/targets/monthly",
            {"unit_id": demo["QHKFQ-WL"].pk, "year": 2026, "month": 3, "values": []},
            content_type="application/json",
        ).status_code
        == 403
    )


PAGES = [
    "/targets/",
    "/targets/indicators/",
    "/targets/agreements/",
    "/targets/monthly/missing/",
    "/targets/economy/",
    "/targets/assessment/",
    "/api/v1/targets/indicators",
    "/api/v1/targets/agreements",
    "/api/v1/targets/rankings",
    "/api/v1/targets/monthly?year=2026",
]
ENTER_PAGES = ["/targets/monthly/", "/targets/monthly/template.xlsx", "/targets/monthly/import/"]
MANAGE_PAGES = [
    "/targets/agreements/new/",
    "/targets/indicators/new/",
    "/targets/assessment/schemes/new/",
    "/targets/economy/import/",
]


def test_permissions_of_every_list_and_endpoint(zone, client_for, client):
    expect = {
        "duchashi": (200, 200, 200, 200),  # 督查室: everything
        "quzhang": (200, 200, 403, 403),  # 领导: view, cockpit
        "wl_zhuren": (200, 200, 200, 403),  # 园区: view, cockpit, enter
        "mishu_wl": (403, 403, 403, 403),  # 项目秘书: nothing here
        "zhaoshang": (403, 403, 403, 403),  # 部门
        "sysadmin": (403, 403, 403, 403),  # 三员: no business data
    }
    for username, (view, cockpit, enter, manage) in expect.items():
        c = client_for(username)
        for url in PAGES:
            assert c.get(url).status_code == view, (username, url)
        assert c.get("/targets/cockpit/").status_code == cockpit, username
        for url in ENTER_PAGES:
            assert c.get(url).status_code == enter, (username, url)
        for url in MANAGE_PAGES:
            assert c.get(url).status_code == manage, (username, url)
    assert client.get("/targets/cockpit/").status_code == 302  # to the login page
    assert client.get("/api/v1/targets/agreements").status_code == 401


def _count(c, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200, url
    return len(ctx.captured_queries)


COUNTED = [
    "/targets/?year=2026",
    "/targets/agreements/",
    "/targets/cockpit/?year=2026",
    "/",
    "/targets/monthly/missing/?year=2026&month=6",
    "/api/v1/targets/agreements",
    "/api/v1/targets/monthly?year=2026",
    "/targets/assessment/",
]


def test_query_counts_do_not_grow_with_rows(
    zone,
    demo,
    inds,
    agreement_for,
    enter,
    project_with_history,
    client_for,
    django_assert_max_num_queries,
):
    c = client_for("duchashi")
    before = {url: _count(c, url) for url in COUNTED}
    score_url = f"/targets/assessment/results/{zone['ss'].pk}/"
    before[score_url] = _count(c, score_url)
    # more parks with agreements, values, projects; earlier years' agreements in the list
    for unit in ("QHKFQ-GX", "QHKFQ-SY", "QHKFQ-SM"):
        agreement_for(unit, {"new_starts": 3, "signings": 1, "fai": 5, "investment_done": 9000})
        enter(unit, "fai", {1: 1, 2: 2})
        for i in range(3):
            project_with_history(
                f"{unit}项目{i}",
                [("preparing", date(2026, 1, 5)), ("under_construction", date(2026, 3, 1 + i))],
                unit=unit,
                latitude=Decimal("43.9"),
                longitude=Decimal("125.3"),
            )
    for year in (2024, 2025):
        for unit in ("QHKFQ-WL", "QHKFQ-ZB"):
            agreement_for(unit, {"fai": 5}, year=year)
    with acting_as(None):
        zone["ss"] = services.run_assessment(SYSTEM, zone["scheme"], kind="monthly", month=6)
    after_score_url = f"/targets/assessment/results/{zone['ss'].pk}/"
    for url in COUNTED:
        with django_assert_max_num_queries(before[url]):
            assert c.get(url).status_code == 200
    with django_assert_max_num_queries(before[score_url]):
        c.get(after_score_url)


NUM = re.compile(r"[\d,.]+")


def test_cockpit_figures_equal_their_drill_down(zone, client_for):
    for username in ("quzhang", "wl_zhuren"):
        c = client_for(username)
        page = c.get("/targets/cockpit/?year=2026").content.decode()
        cards = re.findall(
            r'data-indicator="(\w+)".*?<a class="h1 mb-0" href="([^"]+)" data-testid="card-actual">'
            r"([^<]+)</a>",
            page,
            re.S,
        )
        assert {code for code, _, _ in cards} == {
            "new_starts",
            "signings",
            "fai",
            "investment_done",
        }
        for code, href, shown in cards:
            drill = c.get(htmllib.unescape(href)).content.decode()
            value = Decimal(shown.replace(",", ""))
            if code == "fai":
                table = drill.split('data-testid="drill-values"')[1]
                assert value == sum(
                    Decimal(x) for x in re.findall(r"<div>[^：<]+：([\d.]+)", drill)
                ), username
                assert "月" in table
            elif code == "investment_done":
                rows = re.findall(
                    r"<td>([\d,.]+)</td></tr>", drill.split('data-testid="drill-table"')[1]
                )
                assert value == sum(Decimal(r.replace(",", "")) for r in rows)
            else:
                table = drill.split('data-testid="drill-table"')[1].split("</table>")[0]
                assert value == table.count("<tr><td>"), (username, code)
    # the park's cockpit: its own numbers (2 starts), the zone: 3
    assert ">2</a>" in client_for("wl_zhuren").get("/targets/cockpit/?year=2026").content.decode()


def test_large_screen_and_home_cards(zone, client_for, django_assert_max_num_queries):
    c = client_for("quzhang")
    screen = c.get("/targets/cockpit/?screen=1&year=2026").content.decode()
    assert (
        'data-testid="screen"' in screen
        and "vendor/echarts.min.js" in screen
        and "http" not in "".join(re.findall(r'(?:src|href)="([^"]+)"', screen))
    )
    home = c.get("/").content.decode()
    assert 'data-testid="home-targets"' in home and "新开工项目" in home
    with django_assert_max_num_queries(75):  # the cards and the 主要数据 panel, fixed
        c.get("/")
    for username in ("mishu_wl", "zhaoshang", "sysadmin"):
        assert 'data-testid="home-targets"' not in client_for(username).get("/").content.decode()


def test_agreement_and_monthly_pages_flow(demo, inds, client_for):
    """督查室 creates an indicator and an agreement on the pages, signs it with a scan, amends it;
    the park enters a month on the page (a backwards value is refused with the reason)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from diaodu.targets.models import Indicator, MonthlyValue, TargetAgreement

    c = client_for("duchashi")
    r = c.post(
        "/targets/indicators/new/",
        {
            "code": "land_mu",
            "name": "供地面积",
            "measure": "亩",
            "direction": "higher",
            "source": "entered",
            "aggregation": "ytd",
            "is_active": "on",
            "sort_order": 200,
        },
    )
    assert r.status_code == 302 and Indicator.objects.filter(code="land_mu").exists()
    r = c.post(
        "/targets/indicators/new/",
        {
            "code": "bad code",
            "name": "坏指标",
            "measure": "亩",
            "direction": "higher",
            "source": "stage_count",
            "aggregation": "ytd",
        },
    )
    assert "指标代码须为" in r.content.decode() and "须选择项目阶段" in r.content.decode()
    form = {
        "unit": demo["QHKFQ-WL"].pk,
        "year": 2026,
        "title": "",
        "pace_kind": "linear_days",
        "pace_weights": "",
        "note": "",
        f"target_{inds['fai'].pk}": "7.8",
        f"weight_{inds['fai'].pk}": "20",
        f"target_{inds['new_starts'].pk}": "5",
        f"weight_{inds['new_starts'].pk}": "20",
    }
    bad = c.post("/targets/agreements/new/", {**form, f"target_{inds['fai'].pk}": "七点八"})
    assert "应为数字" in bad.content.decode() and not TargetAgreement.objects.exists()
    r = c.post("/targets/agreements/new/", form)
    a = TargetAgreement.objects.get()
    assert r.status_code == 302 and a.items.count() == 2
    scan = SimpleUploadedFile("签字版.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    c.post(
        f"/targets/agreements/{a.pk}/sign/",
        {"signed_on": "2026-03-10", "signatory": "王建国", "scan": scan},
    )
    a.refresh_from_db()
    assert a.status == "signed"
    download = client_for("wl_zhuren").get(f"/targets/agreements/{a.pk}/scan/download/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 scan"
    assert (
        client_for("zb_zhuren").get(f"/targets/agreements/{a.pk}/scan/download/").status_code == 404
    )
    r = c.post(f"/targets/agreements/{a.pk}/amend/", {"reason": ""}, follow=True)
    assert "请填写修订原因" in r.content.decode()
    r = c.post(f"/targets/agreements/{a.pk}/amend/", {"reason": "目标调整"})
    v2 = TargetAgreement.objects.get(version=2)
    assert r["Location"].endswith(f"/targets/agreements/{v2.pk}/edit/")
    page = c.get(f"/targets/agreements/{v2.pk}/").content.decode()
    assert "第1版" in page and "第2版" in page and "目标调整" in page
    # the park enters March on the page, then tries to go backwards in April
    p = client_for("wl_zhuren")
    r = p.post(
        f"/targets/monthly/?unit={demo['QHKFQ-WL'].pk}&year=2026",
        {"unit": demo["QHKFQ-WL"].pk, "month": 3, f"value_{inds['fai'].pk}": "2.5"},
    )
    assert r.status_code == 302 and MonthlyValue.objects.get().value == Decimal("2.5")
    r = p.post(
        f"/targets/monthly/?unit={demo['QHKFQ-WL'].pk}&year=2026",
        {"unit": demo["QHKFQ-WL"].pk, "month": 4, f"value_{inds['fai'].pk}": "2"},
    )
    assert "不能小于3月" in r.content.decode() and MonthlyValue.objects.count() == 1

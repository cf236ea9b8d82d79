"""API for indicators, agreements, pace results, monthly values and rankings; the economic
series of peer regions and their ranking ("在全市排名第6"), entered and imported."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from diaodu.audit.context import acting_as
from diaodu.org.scope import SYSTEM
from diaodu.targets import queries, services
from diaodu.targets.models import EconomicValue, MonthlyValue


def test_api_agreement_progress_and_monthly(demo, inds, agreement_for, client_for):
    a = agreement_for("QHKFQ-WL", {"fai": 12, "new_starts": 5})
    c = client_for("wl_zhuren")
    codes = {i["code"]: i for i in c.get("/api/v1/targets/indicators").json()}
    assert (
        codes["new_starts"]["source"] == "stage_count"
        and "首次进入“在建”" in codes["new_starts"]["rule"]
    )
    detail = c.get(f"/api/v1/targets/agreements/{a.pk}").json()
    assert detail["status"] == "signed" and [i["indicator_code"] for i in detail["items"]] == [
        "fai",
        "new_starts",
    ]
    r = c.post(
        "/api/v1/targets/monthly",
        {
            "unit_id": demo["QHKFQ-WL"].pk,
            "year": 2026,
            "month": 6,
            "values": [{"indicator": "fai", "value": "6", "note": "快报"}],
        },
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json() == {"saved": 1}
    r = c.post(
        "/api/v1/targets/monthly",
        {
            "unit_id": demo["QHKFQ-WL"].pk,
            "year": 2026,
            "month": 7,
            "values": [{"indicator": "fai", "value": "5"}],
        },
        content_type="application/json",
    )
    assert r.status_code == 422 and "不能小于6月" in str(r.json()["errors"])
    assert MonthlyValue.objects.count() == 1
    rows = {
        p["indicator_code"]: p
        for p in c.get(f"/api/v1/targets/agreements/{a.pk}/progress", {"on": "2026-11-01"}).json()
    }
    assert rows["fai"]["as_of"] == "2026-06-30" and rows["fai"]["forecast_year_end"] == "12.10"
    assert rows["new_starts"]["light"] == "red" and rows["new_starts"]["message"].startswith(
        "还剩60天"
    )
    assert rows["new_starts"]["drill_url"].startswith("/targets/drill/?unit=")
    # judged at its June figures, the time left still counts from the page's date: one
    # definition of days left for every card (not 184 days for one and 60 for the next)
    assert rows["fai"]["days_left"] == rows["new_starts"]["days_left"] == 60
    drill = c.get(
        "/api/v1/targets/drill",
        {"unit": demo["QHKFQ-WL"].pk, "indicator": inds["fai"].pk, "year": 2026},
    ).json()
    assert drill["value"] == "6.0000" and drill["monthly_values"][0]["month"] == 6


@pytest.fixture
def peers(demo, inds):
    growth = [12.5, 10.8, 9.6, 8.7, 7.9, 7.1, 6.2, 7.1, 3.4, -1.2]  # ours 6th, tied with a peer
    with acting_as(None):
        regions = [
            services.save_region(
                SYSTEM,
                code=f"R{i}",
                name=f"比较地区{i}",
                unit=demo["QHKFQ"] if i == 5 else None,
                sort_order=i,
            )
            for i in range(10)
        ]
        regions[5].name = "清河经济开发区"
        regions[5].save()
        group = services.save_peer_group(
            SYSTEM, name="全市开发区", owner=demo["QHKFQ"], regions=regions
        )
        for i, r in enumerate(regions):
            services.save_economic_value(
                SYSTEM,
                region=r,
                indicator=inds["fai"],
                year=2026,
                month=10,
                value=Decimal(10 + i),
                growth=growth[i],
            )
    return group


def test_economy_ranking_among_peers(peers, demo, inds, client_for):
    rows = queries.economy_ranking(peers, inds["fai"], 2026, 10)
    ours = next(r for r in rows if r["region"].is_ours)
    assert ours["growth_rank"] == 6 and ours["of"] == 10
    assert [r["growth_rank"] for r in rows][:8] == [
        1,
        2,
        3,
        4,
        5,
        6,
        6,
        8,
    ]  # competition ranking on ties
    assert ours["value_rank"] == 5  # 15 among 10..19
    assert queries.statement(rows, peers, inds["fai"]) == [
        "清河经济开发区固定资产投资增速7.1%，在全市10个地区中排名第6"
    ]
    # a park sees its zone's peer ranking; a person without targets.view does not
    c = client_for("wl_zhuren")
    assert (
        "在全市10个地区中排名第6"
        in c.get("/targets/economy/", {"year": 2026, "month": 10}).content.decode()
    )
    api = c.get(
        "/api/v1/targets/economy/ranking",
        {"group": peers.pk, "indicator": inds["fai"].pk, "year": 2026, "month": 10},
    ).json()
    assert [r["region_name"] for r in api if r["ours"]] == ["清河经济开发区"]
    assert client_for("mishu_wl").get("/targets/economy/").status_code == 403
    with (
        acting_as(None),
        pytest.raises(ValidationError, match="不能小于"),
    ):  # cumulative: no going backwards
        services.save_economic_value(
            SYSTEM,
            region=peers.regions.get(code="R0"),
            indicator=inds["fai"],
            year=2026,
            month=11,
            value="9",
        )


def test_economy_import_all_or_nothing(peers, demo, inds, client_for):
    c = client_for("duchashi")
    r = c.get("/targets/economy/template.xlsx", {"group": peers.pk, "year": 2026, "month": 10})
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    assert (
        ws.cell(row=3, column=9).value == "同比增长（%）" and ws.max_row == 3 + 10 * 4
    )  # 10 regions × 4 indicators
    row = next(
        i
        for i in range(4, ws.max_row + 1)
        if ws.cell(row=i, column=1).value == "R0" and ws.cell(row=i, column=3).value == "fdi"
    )
    ws.cell(row=row, column=8, value=4200)
    ws.cell(row=row, column=9, value="增长很多")
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "经济.xlsx"
    before = EconomicValue.objects.count()
    html = c.post("/targets/economy/import/", {"file": out}).content.decode()
    assert f"第{row}行：同比增长应为数字" in html and EconomicValue.objects.count() == before
    ws.cell(row=row, column=9, value=12.5)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "经济.xlsx"
    r = c.post("/targets/economy/import/", {"file": out}, follow=True)
    assert "导入成功" in r.content.decode()
    assert EconomicValue.objects.get(
        region__code="R0", indicator=inds["fdi"], month=10
    ).growth == Decimal("12.50")

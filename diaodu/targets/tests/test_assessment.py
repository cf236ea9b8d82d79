"""Assessment through a stored scheme: caps, bands, rank points with ties, bonuses and penalties
(manual and from the ledger), 纵向 change against last year, the monthly ranking against 序时进度,
and the documents (.docx/.xlsx) with every score traced to its inputs."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from diaodu.audit.context import acting_as
from diaodu.org.scope import SYSTEM
from diaodu.targets import queries, services
from diaodu.targets.models import ScoreSet


@pytest.fixture
def scheme(demo, inds, agreement_for, enter, project_with_history):
    # three parks, fai target 10 each; 新开工 target 2 each; 征供地 target 100 each
    for unit in ("QHKFQ-WL", "QHKFQ-ZB", "QHKFQ-GX"):
        agreement_for(unit, {"fai": 10, "new_starts": 2, "land_supply": 100})
    enter("QHKFQ-WL", "fai", {10: "13"})  # 130 % → capped at 120 %
    enter("QHKFQ-ZB", "fai", {10: "10"})  # 100 %
    enter("QHKFQ-GX", "fai", {10: "10"})  # 100 % — tied with 装备园
    enter("QHKFQ-WL", "land_supply", {10: "95"})  # band ≥90 % → 90 % of the weight
    enter("QHKFQ-ZB", "land_supply", {10: "100"})  # band ≥100 %
    enter("QHKFQ-GX", "land_supply", {10: "59"})  # below every band → 0
    for i, unit in enumerate(("QHKFQ-WL", "QHKFQ-ZB", "QHKFQ-GX")):
        project_with_history(
            f"开工项目{i}",
            [("preparing", date(2026, 1, 5)), ("under_construction", date(2026, 4, 1))],
            unit=unit,
            level="province" if unit == "QHKFQ-GX" else "district",
            plan_category="new_start",
            plan_year=2026,
        )
    with acting_as(None):
        s = services.save_scheme(SYSTEM, root=demo["QHKFQ"], year=2026, name="2026年考核办法")
        services.set_criterion(
            SYSTEM, s, indicator=inds["fai"], weight=20, rule_kind="ratio_capped", cap="1.2"
        )
        services.set_criterion(
            SYSTEM,
            s,
            indicator=inds["land_supply"],
            weight=10,
            rule_kind="bands",
            bands=[["1", "1"], ["0.9", "0.9"], ["0.6", "0.5"]],
        )
        services.set_criterion(
            SYSTEM,
            s,
            indicator=inds["new_starts"],
            weight=10,
            rule_kind="rank",
            rank_points=["10", "8", "6"],
        )
        services.set_adjustment(
            SYSTEM,
            s,
            code="overdue",
            name="督办级超期问题",
            points_each="-0.5",
            cap="2",
            source="manual",
        )
        services.set_adjustment(
            SYSTEM,
            s,
            code="province",
            name="省重点项目",
            points_each="1",
            source="province_projects",
        )
        adj = s.adjustments.get(code="overdue")
        services.set_adjustment_count(
            SYSTEM, adj, unit=demo["QHKFQ-ZB"], count=5, note="督办单第1—5号"
        )
        services.record_historical(
            SYSTEM,
            root=demo["QHKFQ"],
            year=2025,
            rows=[
                (demo["QHKFQ-WL"], Decimal("30"), 3),
                (demo["QHKFQ-ZB"], Decimal("35"), 1),
                (demo["QHKFQ-GX"], Decimal("32"), 2),
            ],
        )
    return s


def test_final_scores_caps_bands_ties_bonus_penalty(demo, scheme):
    with acting_as(None):
        ss = services.run_assessment(SYSTEM, scheme, kind="final")
    scores = {s.unit.code: s for s in queries.unit_scores(ss)}
    wl, zb, gx = scores["QHKFQ-WL"], scores["QHKFQ-ZB"], scores["QHKFQ-GX"]
    lines = {code: {l["code"]: l for l in s.lines} for code, s in scores.items()}
    # fai: 130 % capped at 120 % → 24; 100 % → 20
    assert (
        lines["QHKFQ-WL"]["fai"]["points"] == "24.00"
        and "封顶 120%" in lines["QHKFQ-WL"]["fai"]["explanation"]
    )
    assert lines["QHKFQ-ZB"]["fai"]["points"] == lines["QHKFQ-GX"]["fai"]["points"] == "20.00"
    # land bands: 95 % → "≥90%" band (9 of 10); 100 % → 10; 59 % → below every band → 0
    assert [lines[u]["land_supply"]["points"] for u in ("QHKFQ-WL", "QHKFQ-ZB", "QHKFQ-GX")] == [
        "9.00",
        "10.00",
        "0.00",
    ]
    # new starts: all three at 1 of 2 → tied 1st, all get the points of rank 1
    assert {lines[u]["new_starts"]["rank"] for u in lines} == {1}
    assert {lines[u]["new_starts"]["points"] for u in lines} == {"10.00"}
    assert "并列" in lines["QHKFQ-WL"]["new_starts"]["explanation"]
    # penalties capped at 2 (5 × -0.5 = -2.5), a bonus from the ledger's 省重点项目
    assert lines["QHKFQ-ZB"]["overdue"]["points"] == "-2.00" and zb.adjustments == Decimal("-2.00")
    assert lines["QHKFQ-GX"]["province"]["points"] == "1.00"
    assert [p[1] for p in lines["QHKFQ-GX"]["province"]["projects"]] == ["开工项目2"]
    assert (wl.total, zb.total, gx.total) == (Decimal("43.00"), Decimal("38.00"), Decimal("31.00"))
    assert (wl.rank, zb.rank, gx.rank) == (1, 2, 3)
    # 纵向: against last year's entered results
    assert wl.change_vs_last_year == Decimal("13.00") and wl.rank_change == 2
    assert zb.change_vs_last_year == Decimal("3.00") and zb.rank_change == -1
    # every criterion line carries its inputs and its records
    starts = lines["QHKFQ-WL"]["new_starts"]
    assert starts["annual_target"] == "2.0000" and starts["actual"] == "1"
    assert [p[1] for p in starts["projects"]] == ["开工项目0"] and starts["projects"][0][
        2
    ] == "2026-04-01"
    assert lines["QHKFQ-WL"]["fai"]["contributors"] == [["现代物流产业园", "13.0000"]]


def test_tied_totals_share_a_rank(demo, scheme):
    with acting_as(None):
        scheme.criteria.filter(indicator__code__in=["land_supply", "fai"]).delete()
        scheme.adjustments.all().delete()
        ss = services.run_assessment(SYSTEM, scheme, kind="final")
    scores = queries.unit_scores(ss)
    assert [s.rank for s in scores] == [1, 1, 1] and all(s.tied for s in scores)


def test_monthly_ranking_against_pace(demo, scheme):
    with acting_as(None):
        ss = services.run_assessment(SYSTEM, scheme, kind="monthly", month=6)
    assert ss.as_of == date(2026, 6, 30) and ss.title.endswith("2026年6月目标任务完成情况排名通报")
    line = {l["code"]: l for l in queries.unit_scores(ss)[0].lines}["new_starts"]
    # 序时 target at 30 June (linear): 2 × 181/365 = 0.9918
    assert line["target"] == "0.9918" and line["annual_target"] == "2.0000"
    assert Decimal(line["expected_share"]) == Decimal("0.4959")
    with acting_as(None), pytest.raises(ValidationError, match="请选择月份"):
        services.run_assessment(SYSTEM, scheme, kind="monthly", month=13)
    assert ScoreSet.objects.filter(kind="monthly").count() == 1


def test_bad_scheme_rules_refused(demo, inds, scheme):
    with acting_as(None):
        for kwargs, needle in [
            ({"rule_kind": "bands", "bands": [["0.8", "1"], ["0.9", "0.5"]]}, "从高到低"),
            ({"rule_kind": "rank", "rank_points": ["30"]}, "不能超过权重"),
            ({"rule_kind": "ratio_capped", "cap": "0"}, "封顶比例必须大于0"),
        ]:
            with pytest.raises(ValidationError) as exc:
                services.set_criterion(
                    SYSTEM, scheme, indicator=inds["signings"], weight=10, **kwargs
                )
            assert needle in " ".join(exc.value.messages)
    assert not scheme.criteria.filter(indicator=inds["signings"]).exists()


def test_documents_trace_every_score(demo, scheme, client_for):
    with acting_as(None):
        ss = services.run_assessment(SYSTEM, scheme, kind="final")
    c = client_for("quzhang")
    r = c.get(f"/targets/assessment/results/{ss.pk}/report.docx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    from docx import Document

    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "一、排名情况" in text and "三、计分依据" in text
    assert "开工项目0（2026-04-01）" in text  # the project behind the count
    assert "系统核查：/targets/drill/?unit=" in text
    assert "现代物流产业园" in cells and "43" in cells and "上升2位" in cells
    r = c.get(f"/targets/assessment/results/{ss.pk}/report.xlsx")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["排名", "得分明细", "计分依据"]
    evidence = [[c.value for c in row] for row in wb["计分依据"].iter_rows(min_row=2)]
    assert ["装备制造产业园", "新开工项目", "开工项目1", "2026-04-01"] in [
        row[:4] for row in evidence
    ]
    # a park person downloads the ranking, but the details of the other parks stay out
    r = client_for("wl_zhuren").get(f"/targets/assessment/results/{ss.pk}/report.xlsx")
    rows = [
        [c.value for c in row]
        for row in load_workbook(io.BytesIO(r.content))["得分明细"].iter_rows(min_row=2)
    ]
    assert {row[0] for row in rows} == {"现代物流产业园"}
    assert (
        client_for("mishu_wl").get(f"/targets/assessment/results/{ss.pk}/report.docx").status_code
        == 403
    )


def test_scheme_page_flow(demo, inds, scheme, client_for):
    c = client_for("duchashi")
    url = f"/targets/assessment/schemes/{scheme.pk}/"
    r = c.post(
        url,
        {
            "action": "criterion",
            "indicator": inds["signings"].pk,
            "weight": "10",
            "rule_kind": "bands",
            "bands": "1:1;0.8:0.8",
            "rank_points": "",
            "cap": "",
        },
    )
    assert r.status_code == 302 and scheme.criteria.filter(indicator=inds["signings"]).exists()
    r = c.post(
        url,
        {
            "action": "criterion",
            "indicator": inds["negotiating"].pk,
            "weight": "10",
            "rule_kind": "bands",
            "bands": "0.8:1;0.9:0.5",
        },
    )
    assert "从高到低" in r.content.decode()
    r = c.post(url, {"action": "run", "kind": "monthly", "month": "9"})
    ss = ScoreSet.objects.get(kind="monthly")
    assert r["Location"].endswith(f"/targets/assessment/results/{ss.pk}/")
    page = c.get(r["Location"]).content.decode()
    assert "2026年9月目标任务完成情况排名" in page and "开工项目0" in page
    assert client_for("quzhang").post(url, {"action": "run", "kind": "final"}).status_code == 403

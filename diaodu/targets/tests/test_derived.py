"""Derived indicators: "projects reaching a stage within the year" — the rule in derived.py —
across a year boundary, with moves back, suspensions, resumptions and forward moves; category
and level filters; the monthly series; investment completed; drill-down lists equal figures."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from diaodu.org.scope import SYSTEM
from diaodu.targets import derived


def figure(demo, ind, year, on, unit="QHKFQ-WL", series=False):
    return derived.compute(SYSTEM, [(demo[unit], ind)], year, on, series=series)[
        (demo[unit].pk, ind.pk)
    ]


def test_start_on_dec_31_vs_jan_1(demo, inds, project_with_history):
    a = project_with_history(
        "十二月三十一日开工",
        [("preparing", date(2025, 6, 1)), ("under_construction", date(2025, 12, 31))],
    )
    b = project_with_history(
        "一月一日开工", [("preparing", date(2025, 6, 1)), ("under_construction", date(2026, 1, 1))]
    )
    starts = inds["new_starts"]
    f2025 = figure(demo, starts, 2025, date(2025, 12, 31))
    f2026 = figure(demo, starts, 2026, date(2026, 6, 30))
    assert set(f2025.projects) == {a.pk} and f2025.value == 1
    assert set(f2026.projects) == {b.pk} and f2026.value == 1
    assert f2026.projects[b.pk] == date(2026, 1, 1)
    # looking at 2026 on its first day: the Jan-1 start is already in; on Dec 31, 2025 nothing of 2026
    assert figure(demo, starts, 2026, date(2026, 1, 1)).value == 1
    assert figure(demo, starts, 2026, date(2025, 12, 31)).value == 0
    # a date after the year: the year's figure is frozen at Dec 31
    assert figure(demo, starts, 2025, date(2026, 5, 1)).value == 1


def test_moved_back_suspended_resumed_dropped(demo, inds, project_with_history):
    starts = inds["new_starts"]
    back = project_with_history(
        "开工后退回前期",
        [
            ("preparing", date(2026, 1, 5)),
            ("under_construction", date(2026, 3, 1)),
            ("preparing", date(2026, 4, 1)),
        ],
    )
    resumed = project_with_history(
        "暂缓后恢复",
        [
            ("preparing", date(2026, 1, 5)),
            ("under_construction", date(2026, 3, 10)),
            ("suspended", date(2026, 5, 1)),
            ("under_construction", date(2026, 7, 1)),
        ],
    )
    dropped = project_with_history(
        "开工后终止",
        [
            ("preparing", date(2026, 1, 5)),
            ("under_construction", date(2026, 2, 1)),
            ("dropped", date(2026, 6, 1)),
        ],
    )
    forward = project_with_history(
        "开工后竣工",
        [
            ("preparing", date(2026, 1, 5)),
            ("under_construction", date(2026, 2, 1)),
            ("completed", date(2026, 9, 1)),
        ],
    )
    # as of mid-March every one of them had started and none was undone yet
    assert set(figure(demo, starts, 2026, date(2026, 3, 15)).projects) == {
        back.pk,
        resumed.pk,
        dropped.pk,
        forward.pk,
    }
    # as of June: moved back, suspended, dropped are out; forward stays
    assert set(figure(demo, starts, 2026, date(2026, 6, 15)).projects) == {forward.pk}
    # as of October: the resumed project counts again, with its FIRST start date
    f = figure(demo, starts, 2026, date(2026, 10, 1), series=True)
    assert set(f.projects) == {resumed.pk, forward.pk}
    assert f.projects[resumed.pk] == date(2026, 3, 10)
    assert f.months[2] == 2 and f.months[3] == 4 and f.months[4] == 3 and f.months[5] == 2
    assert f.months[6] == 1 and f.months[7] == 2 and f.months[10] == 2
    # the completion counts for the completions indicator too
    assert set(figure(demo, inds["completions"], 2026, date(2026, 10, 1)).projects) == {forward.pk}


def test_first_entry_in_an_earlier_year_never_counts_again(demo, inds, project_with_history):
    p = project_with_history(
        "去年开工又退回",
        [
            ("preparing", date(2025, 5, 1)),
            ("under_construction", date(2025, 10, 1)),
            ("preparing", date(2025, 11, 1)),
            ("under_construction", date(2026, 2, 1)),
        ],
    )
    assert figure(demo, inds["new_starts"], 2026, date(2026, 6, 1)).value == 0
    assert (
        set(figure(demo, inds["new_starts"], 2025, date(2025, 12, 31)).projects) == set()
    )  # undone in 2025
    assert p.stage == "under_construction"


def test_category_level_and_subtree(demo, inds, project_with_history):
    from diaodu.targets.models import Indicator

    new = project_with_history(
        "新开工类",
        [("preparing", date(2026, 1, 5)), ("under_construction", date(2026, 3, 1))],
        plan_category="new_start",
        plan_year=2026,
        level="province",
    )
    project_with_history(
        "续建类",
        [("preparing", date(2026, 1, 5)), ("under_construction", date(2026, 3, 1))],
        plan_category="continuing",
        plan_year=2026,
    )
    project_with_history(
        "装备园开工",
        [("preparing", date(2026, 1, 5)), ("under_construction", date(2026, 3, 2))],
        unit="QHKFQ-ZB",
    )
    cat = Indicator.objects.create(
        code="ns_cat",
        name="新开工类项目开工",
        measure="个",
        source="stage_count",
        stage="under_construction",
        plan_category="new_start",
    )
    lvl = Indicator.objects.create(
        code="ns_prov",
        name="省重点开工",
        measure="个",
        source="stage_count",
        stage="under_construction",
        level="province",
    )
    assert set(figure(demo, cat, 2026, date(2026, 6, 1)).projects) == {new.pk}
    assert set(figure(demo, lvl, 2026, date(2026, 6, 1)).projects) == {new.pk}
    assert figure(demo, inds["new_starts"], 2026, date(2026, 6, 1)).value == 2
    assert (
        figure(demo, inds["new_starts"], 2026, date(2026, 6, 1), unit="QHKFQ").value == 3
    )  # the zone: subtree
    assert figure(demo, inds["new_starts"], 2026, date(2026, 6, 1), unit="QHKFQ-GX").value == 0


def test_investment_completed_sums_projects(demo, inds, project_with_history):
    year = timezone.localdate().year  # 本年完成投资 is kept for the current year only
    project_with_history(
        "投资甲",
        [("under_construction", date(year, 1, 1))],
        total_investment=Decimal("9000"),
        completed_this_year=Decimal("1200.50"),
    )
    project_with_history(
        "投资乙",
        [("under_construction", date(year, 1, 1))],
        total_investment=Decimal("9000"),
        completed_this_year=Decimal("800"),
    )
    f = figure(demo, inds["investment_done"], year, date(year, 12, 31))
    assert f.value == Decimal("2000.50") and len(f.projects) == 2
    assert figure(demo, inds["investment_done"], year - 1, date(year - 1, 12, 31)).value is None


def test_scoped_figures_follow_project_visibility(demo, inds, project_with_history, person):
    project_with_history(
        "物流园开工", [("preparing", date(2026, 1, 5)), ("under_construction", date(2026, 3, 1))]
    )
    zone = demo["QHKFQ"]
    assert (
        derived.compute(person("quzhang"), [(zone, inds["new_starts"])], 2026, date(2026, 6, 1))[
            (zone.pk, inds["new_starts"].pk)
        ].value
        == 1
    )
    # a person without project visibility gets nothing out of the figures
    assert (
        derived.compute(person("sysadmin"), [(zone, inds["new_starts"])], 2026, date(2026, 6, 1))[
            (zone.pk, inds["new_starts"].pk)
        ].value
        == 0
    )


@pytest.mark.parametrize("code", ["new_starts", "signings", "investment_done"])
def test_drill_page_lists_exactly_the_counted_projects(
    code, demo, inds, project_with_history, client_for
):
    counted = project_with_history(
        "计入项目",
        [
            ("signed", date(2026, 1, 5)),
            ("landed", date(2026, 2, 1)),
            ("preparing", date(2026, 2, 10)),
            ("under_construction", date(2026, 3, 1)),
        ],
        completed_this_year=Decimal("500"),
        total_investment=Decimal("9000"),
    )
    project_with_history(
        "未计入项目", [("preparing", date(2025, 1, 5)), ("under_construction", date(2025, 3, 1))]
    )
    year = timezone.localdate().year if code == "investment_done" else 2026
    r = client_for("wl_zhuren").get(
        "/targets/drill/",
        {
            "unit": demo["QHKFQ-WL"].pk,
            "indicator": inds[code].pk,
            "year": year,
            "on": f"{year}-12-31",
        },
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "计入项目" in html and "未计入项目" not in html
    table = html.split('data-testid="drill-table"', 1)[1].split("</table>", 1)[0]
    assert table.count('href="/projects/') == 1
    assert counted.pk

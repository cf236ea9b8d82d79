"""倒排工期 / critical path: hand-checked 2026 examples on the real calendar,
validation messages, and hypothesis properties on random DAGs (including a
brute-force path-enumeration model on small graphs)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diaodu.engine.calendar import WorkCalendar
from diaodu.engine.schedule import (
    ACCEPTED_WITH_GAPS,
    CALENDAR_DAYS,
    DONE,
    IN_PROGRESS,
    NOT_APPLICABLE,
    NOT_STARTED,
    WORKING_DAYS,
    CycleError,
    Dep,
    Item,
    find_cycle,
    schedule,
    validate_chain,
)

D = date
CAL = WorkCalendar.from_chinesecalendar()


def run(items, target, today, **kw):
    return schedule(items, target_start=target, today=today, calendar=CAL, **kw)


def dates_of(r):
    return (r.latest_start, r.latest_finish, r.earliest_start, r.earliest_finish, r.slack_wd)


# June 2026: Mon 1 .. Fri 5, 8–12, 15–18 (Fri 19 端午 off), 22–26, 29, 30.


# ---------------------------------------------------------------- hand-checked examples
def test_simple_chain():
    items = [
        Item("A", "立项", 5),
        Item("B", "规划许可", 3, [Dep("A")]),
        Item("C", "施工许可", 2, [Dep("B")]),
    ]
    res = run(items, D(2026, 7, 1), D(2026, 6, 1))
    a, b, c = res.items
    # backward: C must finish the workday before 07-01; 端午 (06-19) is skipped
    assert dates_of(a) == (D(2026, 6, 16), D(2026, 6, 23), D(2026, 6, 1), D(2026, 6, 5), 11)
    assert dates_of(b) == (D(2026, 6, 24), D(2026, 6, 26), D(2026, 6, 8), D(2026, 6, 10), 11)
    assert dates_of(c) == (D(2026, 6, 29), D(2026, 6, 30), D(2026, 6, 11), D(2026, 6, 12), 11)
    assert res.expected_start == D(2026, 6, 15)
    assert res.days_late_wd == 0
    assert [r.critical for r in res.items] == [True, True, True]  # min slack 11 > 0 still critical
    assert res.critical_path == ["A", "B", "C"]
    assert not any(r.overdue or r.at_risk for r in res.items)
    assert res.calendar_warnings == []


def test_parallel_branches_one_critical():
    items = [
        Item("A", "备案", 2),
        Item("B", "环评", 10, [Dep("A")]),
        Item("C", "能评", 3, [Dep("A")]),
        Item("D", "施工许可", 1, [Dep("B"), Dep("C")]),
    ]
    res = run(items, D(2026, 7, 1), D(2026, 6, 1))
    r = res.by_code()
    assert dates_of(r["A"]) == (D(2026, 6, 11), D(2026, 6, 12), D(2026, 6, 1), D(2026, 6, 2), 8)
    assert dates_of(r["B"]) == (D(2026, 6, 15), D(2026, 6, 29), D(2026, 6, 3), D(2026, 6, 16), 8)
    assert dates_of(r["C"]) == (D(2026, 6, 25), D(2026, 6, 29), D(2026, 6, 3), D(2026, 6, 5), 15)
    assert dates_of(r["D"]) == (D(2026, 6, 30), D(2026, 6, 30), D(2026, 6, 17), D(2026, 6, 17), 8)
    assert [x.code for x in res.items if x.critical] == ["A", "B", "D"]
    assert res.critical_path == ["A", "B", "D"]
    assert res.expected_start == D(2026, 6, 18)


def test_lag_working_days():
    items = [Item("A", "批前公示", 3), Item("B", "规划许可", 2, [Dep("A", lag_wd=5)])]
    res = run(items, D(2026, 6, 15), D(2026, 6, 1))
    a, b = res.items
    assert dates_of(a) == (D(2026, 6, 1), D(2026, 6, 3), D(2026, 6, 1), D(2026, 6, 3), 0)
    # next workday after 06-03 is 06-04, plus 5 workdays → 06-11
    assert dates_of(b) == (D(2026, 6, 11), D(2026, 6, 12), D(2026, 6, 11), D(2026, 6, 12), 0)
    assert res.expected_start == D(2026, 6, 15) and res.days_late_wd == 0
    assert a.at_risk and b.at_risk and not a.overdue  # slack 0 < 5
    assert run(items, D(2026, 6, 15), D(2026, 6, 1), at_risk_slack_wd=0).items[0].at_risk is False


def test_done_item_fixed_at_actual_dates():
    items = [
        Item(
            "A",
            "用地预审",
            10,
            status=DONE,
            actual_start=D(2026, 5, 6),
            actual_finish=D(2026, 5, 20),
        ),
        Item("B", "土地出让", 5, [Dep("A")]),
        Item("C", "用地规划许可", 3, [Dep("B")]),
    ]
    res = run(items, D(2026, 6, 22), D(2026, 6, 1))
    a, b, c = res.items
    assert dates_of(a) == (D(2026, 5, 26), D(2026, 6, 8), D(2026, 5, 6), D(2026, 5, 20), 13)
    # B could follow A on 05-21 but cannot start before today
    assert dates_of(b) == (D(2026, 6, 9), D(2026, 6, 15), D(2026, 6, 1), D(2026, 6, 5), 6)
    assert dates_of(c) == (D(2026, 6, 16), D(2026, 6, 18), D(2026, 6, 8), D(2026, 6, 10), 6)
    assert not a.critical and not a.overdue and not a.at_risk
    assert res.critical_path == ["B", "C"]
    assert res.expected_start == D(2026, 6, 11)


def test_running_item_past_plan_is_overdue_and_late():
    items = [
        Item("A", "施工图审查", 5, status=IN_PROGRESS, actual_start=D(2026, 5, 11)),
        Item("B", "施工许可", 4, [Dep("A")]),
    ]
    res = run(items, D(2026, 6, 8), D(2026, 6, 3))
    a, b = res.items
    # planned finish 05-15 has passed: A now finishes no earlier than today
    assert dates_of(a) == (D(2026, 5, 26), D(2026, 6, 1), D(2026, 5, 11), D(2026, 6, 3), -2)
    assert dates_of(b) == (D(2026, 6, 2), D(2026, 6, 5), D(2026, 6, 4), D(2026, 6, 9), -2)
    assert a.overdue and not a.at_risk
    assert not b.overdue and b.at_risk
    assert res.expected_start == D(2026, 6, 10)
    assert res.days_late_wd == 2
    assert res.critical_path == ["A", "B"]


def test_running_item_within_plan():
    items = [Item("A", "环评", 5, status=IN_PROGRESS, actual_start=D(2026, 6, 1))]
    res = run(items, D(2026, 7, 1), D(2026, 6, 2))
    assert res.items[0].earliest_finish == D(2026, 6, 5)
    assert res.expected_start == D(2026, 6, 8)


def test_infeasible_target_names_late_branch_critical():
    items = [
        Item("A", "环评", 10),
        Item("B", "能评", 3),
        Item("C", "施工许可", 2, [Dep("A"), Dep("B")]),
    ]
    res = run(items, D(2026, 6, 10), D(2026, 6, 1))
    r = res.by_code()
    assert dates_of(r["A"]) == (D(2026, 5, 25), D(2026, 6, 5), D(2026, 6, 1), D(2026, 6, 12), -5)
    assert dates_of(r["B"]) == (D(2026, 6, 3), D(2026, 6, 5), D(2026, 6, 1), D(2026, 6, 3), 2)
    assert dates_of(r["C"]) == (D(2026, 6, 8), D(2026, 6, 9), D(2026, 6, 15), D(2026, 6, 16), -5)
    assert res.expected_start == D(2026, 6, 17)
    assert res.days_late_wd == 5  # (06-10, 06-17]: 11, 12, 15, 16, 17
    assert res.critical_path == ["A", "C"]
    assert r["A"].critical and r["C"].critical and not r["B"].critical
    assert r["B"].at_risk and not r["B"].overdue


def test_not_applicable_removed_and_linked_through():
    items = [
        Item("A", "备案", 2),
        Item("X", "水土保持", 5, [Dep("A", 2)], status=NOT_APPLICABLE),
        Item("B", "规划许可", 1, [Dep("X", 3)]),
    ]
    res = run(items, D(2026, 6, 15), D(2026, 6, 1))
    assert [r.code for r in res.items] == ["A", "B"]
    assert res.not_applicable == ["X"]
    a, b = res.items
    assert dates_of(a) == (D(2026, 6, 3), D(2026, 6, 4), D(2026, 6, 1), D(2026, 6, 2), 2)
    assert dates_of(b) == (D(2026, 6, 12), D(2026, 6, 12), D(2026, 6, 10), D(2026, 6, 10), 2)
    direct = run(
        [Item("A", "备案", 2), Item("B", "规划许可", 1, [Dep("A", 5)])],
        D(2026, 6, 15),
        D(2026, 6, 1),
    )
    assert [dates_of(r) for r in direct.items] == [dates_of(a), dates_of(b)]
    assert res.critical_path == ["A", "B"]


def test_not_applicable_sink_keeps_its_lag_to_the_start():
    items = [
        Item("A", "备案", 2),
        Item("Y", "人防审查", 3, [Dep("A", 4)], status=NOT_APPLICABLE),
    ]
    res = run(items, D(2026, 6, 15), D(2026, 6, 1))
    (a,) = res.items
    # A must finish 1 + 4 workdays before 06-15 → 06-08; start possible 06-03 + 4 → 06-09
    assert a.latest_finish == D(2026, 6, 8)
    assert res.expected_start == D(2026, 6, 9)


def test_accepted_with_gaps_does_not_block():
    items = [
        Item("A", "节能审查", 10, status=ACCEPTED_WITH_GAPS, actual_start=D(2026, 6, 1)),
        Item("B", "规划许可", 3, [Dep("A")]),
    ]
    res = run(items, D(2026, 6, 15), D(2026, 6, 3))
    a, b = res.items
    assert dates_of(a) == (D(2026, 5, 27), D(2026, 6, 9), D(2026, 6, 1), D(2026, 6, 12), -3)
    # B may start the workday after A's actual start (06-02), but not before today
    assert dates_of(b) == (D(2026, 6, 10), D(2026, 6, 12), D(2026, 6, 3), D(2026, 6, 5), 5)
    assert not a.critical and a.at_risk and not a.overdue
    assert b.critical and not b.at_risk
    assert res.critical_path == ["B"]
    assert res.expected_start == D(2026, 6, 8) and res.days_late_wd == 0


def test_target_on_non_workday():
    items = [Item("A", "施工许可", 5)]
    res = run(items, D(2026, 6, 20), D(2026, 6, 15))  # Saturday after 端午
    (a,) = res.items
    assert a.latest_finish == D(2026, 6, 18)
    assert a.earliest_finish == D(2026, 6, 22)
    assert a.slack_wd == -1
    assert res.expected_start == D(2026, 6, 23)
    assert res.days_late_wd == 1  # measured from 06-22, the target rolled forward
    ok = run(items, D(2026, 6, 20), D(2026, 6, 12))
    assert ok.expected_start == D(2026, 6, 22) and ok.days_late_wd == 0


def test_all_done_and_empty_chain():
    items = [Item("A", "立项", 3, status=DONE, actual_finish=D(2026, 3, 6))]
    res = run(items, D(2026, 3, 2), D(2026, 6, 1))
    assert res.expected_start == D(2026, 3, 9)
    assert res.days_late_wd == 5
    assert res.critical_path == [] and not res.items[0].critical
    assert res.items[0].earliest_start == D(2026, 3, 4)  # derived from the duration
    empty = run([], D(2026, 10, 3), D(2026, 6, 1))
    assert empty.items == [] and empty.expected_start == D(2026, 10, 8) and empty.days_late_wd == 0


def test_milestone_behaves_as_one_day():
    items = [Item("A", "批复", 0), Item("B", "公示", 0, [Dep("A")])]
    res = run(items, D(2026, 6, 15), D(2026, 6, 1))
    a, b = res.items
    assert a.earliest_start == a.earliest_finish == D(2026, 6, 1)
    assert b.earliest_start == D(2026, 6, 2)
    assert b.latest_finish == D(2026, 6, 12) and a.latest_finish == D(2026, 6, 11)


def test_calendar_warning_for_unknown_year():
    res = run([Item("A", "施工许可", 5)], D(2027, 3, 1), D(2026, 12, 1))
    assert res.calendar_warnings == ["2027年节假日安排尚未录入，已按周一至周五计算工作日"]
    assert run([Item("A", "x", 5)], D(2026, 3, 2), D(2026, 1, 5)).calendar_warnings == []


def test_to_dict_is_json_ready():
    res = run(
        [Item("A", "立项", 5), Item("B", "许可", 2, [Dep("A")])], D(2026, 7, 1), D(2026, 6, 1)
    )
    d = res.to_dict()
    json.dumps(d, ensure_ascii=False)
    assert d["expected_start"] == "2026-06-10"
    assert d["items"][0]["latest_finish"] == "2026-06-26"
    assert d["critical_path"] == ["A", "B"]


def test_input_order_does_not_matter():
    items = [
        Item("D", "施工许可", 1, [Dep("B"), Dep("C")]),
        Item("C", "能评", 3, [Dep("A")]),
        Item("B", "环评", 10, [Dep("A")]),
        Item("A", "备案", 2),
    ]
    res = run(items, D(2026, 7, 1), D(2026, 6, 1))
    assert [r.code for r in res.items] == ["D", "C", "B", "A"]  # input order kept
    assert res.critical_path == ["A", "B", "D"]
    assert res.by_code()["A"].latest_finish == D(2026, 6, 12)


# ---------------------------------------------------------------- validation
def test_cycle_messages():
    with pytest.raises(CycleError) as e:
        validate_chain([Item("A", "a", 1, [Dep("B")]), Item("B", "b", 1, [Dep("A")])])
    assert str(e.value) == "前期手续存在循环依赖：A → B → A"
    assert e.value.cycle == ["A", "B", "A"]
    items = [
        Item("S", "s", 1),
        Item("A", "a", 1, [Dep("S"), Dep("C")]),
        Item("B", "b", 1, [Dep("A")]),
        Item("C", "c", 1, [Dep("B")]),
        Item("E", "e", 1, [Dep("C")]),
    ]
    with pytest.raises(CycleError, match="^前期手续存在循环依赖：A → B → C → A$"):
        run(items, D(2026, 7, 1), D(2026, 6, 1))
    with pytest.raises(CycleError, match="：A → A$"):
        validate_chain([Item("A", "a", 1, [Dep("A")])])
    assert isinstance(CycleError(["A", "A"]), ValueError)


def test_find_cycle():
    assert find_cycle([("A", "B"), ("B", "C")]) is None
    assert find_cycle([("A", "B"), ("B", "C"), ("C", "A")]) == ["A", "B", "C", "A"]
    assert find_cycle({"X": ["Y"], "Y": ["Z", "X"]}) == ["X", "Y", "X"]
    assert find_cycle({}) is None
    assert find_cycle([("A", "A")]) == ["A", "A"]


@pytest.mark.parametrize(
    "items, message",
    [
        ([Item("A", "立项", 1), Item("A", "重复", 1)], "前期手续编码重复：A"),
        ([Item("A", "立项", 1, [Dep("Z")])], "前期手续「立项」(A)的前置手续编码不存在：Z"),
        ([Item("A", "立项", -3)], "前期手续「立项」(A)的工期不能为负数：-3"),
        ([Item("A", "立项", 1.5)], "工期必须是整数工作日"),
        ([Item("A", "公告", 1.5, duration_unit=CALENDAR_DAYS)], "工期必须是整数自然日"),
        (
            [Item("A", "公告", 20, duration_unit="hours")],
            "前期手续「公告」(A)的工期单位无效：'hours'（应为工作日或自然日）",
        ),
        (
            [Item("A", "立项", 1), Item("B", "许可", 1, [Dep("A", -1)])],
            "对前置手续 A 的间隔不能为负数：-1",
        ),
        ([Item("A", "立项", 1, status="finished")], "的状态无效"),
        ([Item("A", "立项", 1, status=DONE)], "已办结的前期手续「立项」(A)缺少实际完成日期"),
        ([Item("A", "立项", 1, status=IN_PROGRESS)], "办理中的前期手续「立项」(A)缺少实际开始日期"),
        (
            [Item("A", "立项", 1, status=ACCEPTED_WITH_GAPS)],
            "容缺受理的前期手续「立项」(A)缺少实际开始日期",
        ),
        (
            [
                Item(
                    "A",
                    "立项",
                    1,
                    status=DONE,
                    actual_start=D(2026, 6, 2),
                    actual_finish=D(2026, 6, 1),
                )
            ],
            "实际完成日期早于实际开始日期",
        ),
    ],
)
def test_validation_messages(items, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        validate_chain(items)
    with pytest.raises(ValueError, match=re.escape(message)):
        run(items, D(2026, 7, 1), D(2026, 6, 1))


def test_validate_chain_returns_topological_order():
    items = [Item("C", "c", 1, [Dep("B")]), Item("B", "b", 1, [Dep("A")]), Item("A", "a", 1)]
    assert validate_chain(items) == ["A", "B", "C"]
    assert validate_chain([Item("A", "a", 1), Item("B", "b", 1, ["A"])]) == [
        "A",
        "B",
    ]  # plain code ok


# ---------------------------------------------------------------- properties
BLOCKING = (NOT_STARTED, IN_PROGRESS)
ALL_BUT_NA = [NOT_STARTED] * 4 + [DONE] * 2 + [IN_PROGRESS, ACCEPTED_WITH_GAPS]
WITH_NA = ALL_BUT_NA + [NOT_APPLICABLE] * 2


BOTH_UNITS = (WORKING_DAYS, CALENDAR_DAYS)


@st.composite
def chains(draw, max_items=7, statuses=tuple(ALL_BUT_NA), units=BOTH_UNITS):
    n = draw(st.integers(0, max_items))
    today = draw(st.dates(D(2025, 1, 1), D(2026, 12, 31)))
    target = today + timedelta(days=draw(st.integers(-30, 200)))
    items = []
    for j in range(n):
        preds = draw(st.lists(st.integers(0, j - 1), unique=True, max_size=3)) if j else []
        deps = [Dep(f"I{p}", draw(st.integers(0, 4))) for p in preds]
        status = draw(st.sampled_from(statuses))
        a0 = a1 = None
        if status == DONE:
            a1 = today - timedelta(days=draw(st.integers(0, 90)))
            if draw(st.booleans()):
                a0 = a1 - timedelta(days=draw(st.integers(0, 30)))
        elif status in (IN_PROGRESS, ACCEPTED_WITH_GAPS):
            a0 = today - timedelta(days=draw(st.integers(0, 60)))
        unit = draw(st.sampled_from(units))
        dur = draw(st.integers(0, 40 if unit == CALENDAR_DAYS else 12))
        items.append(Item(f"I{j}", f"手续{j}", dur, deps, status, a0, a1, unit))
    perm = draw(st.permutations(range(n)))
    return [items[k] for k in perm], today, target


def applicable_edges(items):
    """(pred, succ, lag) among applicable items, N/A items linked through (max lag)."""
    by = {it.code: it for it in items}

    def ups(code, lag):  # applicable ancestors reached through N/A items
        it = by[code]
        if it.status != NOT_APPLICABLE:
            yield code, lag
            return
        for dep in it.predecessors:
            yield from ups(dep.code, lag + dep.lag_wd)

    edges = {}
    for it in items:
        if it.status == NOT_APPLICABLE:
            continue
        for dep in it.predecessors:
            for p, lag in ups(dep.code, dep.lag_wd):
                edges[(p, it.code)] = max(edges.get((p, it.code), -1), lag)
    return edges


def finish_of(cal, it, start):
    """Finish of ``it`` started on ``start`` (a calendar-day period ending on a holiday ends on
    the next workday)."""
    if it.duration_unit == CALENDAR_DAYS:
        return cal.roll_forward(start + timedelta(days=max(it.duration_wd, 1) - 1))
    return cal.finish_date(start, it.duration_wd)


def start_for(cal, it, finish):
    """The last workday from which ``it`` still finishes by ``finish``."""
    if it.duration_unit == CALENDAR_DAYS:
        return cal.roll_backward(finish - timedelta(days=max(it.duration_wd, 1) - 1))
    return cal.start_date_for_finish(finish, it.duration_wd)


def brute_force(items, today, target, cal, at_risk=5):
    """Dates by enumerating every path (N/A items transparent, carrying lags); critical items
    by the float to the expected start (a second backward pass, from the expected start)."""
    by = {it.code: it for it in items}
    succ = {it.code: [] for it in items}
    for it in items:
        for dep in it.predecessors:
            succ[dep.code].append((it.code, dep.lag_wd))
    today_r = cal.roll_forward(today)
    T = cal.roll_forward(target)

    def width(it):
        return max(it.duration_wd, 1)

    # latest: walk every path to an original sink, back from the project start
    def latest_starts_after(code, start):  # all "next latest start" values seen by `code`
        if not succ[code]:
            yield start
        for s, lag in succ[code]:
            for s_start in latest_starts_after_node(s, start):
                yield cal.add_workdays(s_start, -lag)

    def latest_starts_after_node(code, start):  # latest start of `code` along each path
        it = by[code]
        for nxt in latest_starts_after(code, start):
            if it.status == NOT_APPLICABLE:
                yield nxt
            else:
                yield start_for(cal, it, cal.add_workdays(nxt, -1))

    def latest_finishes(start):
        return {
            it.code: min(cal.add_workdays(nxt, -1) for nxt in latest_starts_after(it.code, start))
            for it in items
            if it.status != NOT_APPLICABLE
        }

    LF = latest_finishes(T)

    # earliest: every path ending at a node, starting anywhere, through not-started / N/A nodes
    def release(code, es):
        it = by[code]
        if it.status == DONE:
            return cal.next_workday(it.actual_finish)
        if it.status == ACCEPTED_WITH_GAPS:
            return cal.next_workday(it.actual_start)
        if it.status == IN_PROGRESS:
            return cal.next_workday(max(finish_of(cal, it, it.actual_start), today_r))
        return cal.next_workday(finish_of(cal, it, es))

    preds = {it.code: [(d.code, d.lag_wd) for d in it.predecessors] for it in items}

    def arrivals(code):  # candidate "may start from" dates delivered to `code` by each path
        for p, lag in preds[code]:
            pit = by[p]
            if pit.status == NOT_APPLICABLE:
                for a in arrivals(p):
                    yield cal.add_workdays(a, lag)
            elif pit.status == NOT_STARTED:
                yield cal.add_workdays(release(p, today_r), lag)  # path starts at p
                for a in arrivals(p):
                    yield cal.add_workdays(release(p, max(a, today_r)), lag)
            else:
                yield cal.add_workdays(release(p, None), lag)

    ES, EF, REL = {}, {}, {}
    for it in items:
        c = it.code
        if it.status == NOT_APPLICABLE:
            continue
        if it.status == NOT_STARTED:
            ES[c] = max([today_r, *arrivals(c)])
            EF[c] = finish_of(cal, it, ES[c])
            REL[c] = cal.next_workday(EF[c])
        elif it.status == DONE:
            ES[c] = it.actual_start or start_for(cal, it, it.actual_finish)
            EF[c] = it.actual_finish
            REL[c] = release(c, None)
        else:
            ES[c] = it.actual_start
            EF[c] = max(finish_of(cal, it, it.actual_start), today_r)
            REL[c] = release(c, None)

    # project start: every path from an applicable node to an original sink through N/A nodes only
    def to_end(code, at):
        if not succ[code]:
            yield at
        for s, lag in succ[code]:
            if by[s].status == NOT_APPLICABLE:
                yield from to_end(s, cal.add_workdays(at, lag))

    blocking = [c for c in LF if by[c].status in BLOCKING]
    ends = [e for c in REL for e in to_end(c, REL[c])]
    expected = max(ends) if ends else T
    expected = max([expected, *(REL[c] for c in blocking)])  # every open blocking item first
    slack = {c: cal.workdays_between(EF[c], LF[c]) for c in LF}
    LF_E = latest_finishes(expected)
    flt = {c: cal.workdays_between(EF[c], LF_E[c]) for c in LF}
    m = min((flt[c] for c in blocking), default=None)
    out = {}
    for c in LF:
        it = by[c]
        ls = start_for(cal, it, LF[c])
        open_ = it.status != DONE
        overdue = open_ and today > LF[c]
        out[c] = (
            ls, LF[c], ES[c], EF[c], slack[c],
            c in blocking and flt[c] == m,
            overdue,
            open_ and not overdue and slack[c] < at_risk,
        )  # fmt: skip
    days_late = max(0, cal.workdays_between(T, expected))
    return out, expected, days_late


def as_tuple(r):
    return (*dates_of(r), r.critical, r.overdue, r.at_risk)


@settings(max_examples=400, deadline=None)
@given(chains(max_items=6, statuses=tuple(WITH_NA)))
def test_matches_brute_force_on_small_graphs(chain):
    items, today, target = chain
    res = run(items, target, today)
    out, expected, days_late = brute_force(items, today, target, CAL)
    assert {r.code: as_tuple(r) for r in res.items} == out
    assert res.expected_start == expected
    assert res.days_late_wd == days_late


@settings(max_examples=300, deadline=None)
@given(chains(max_items=9, statuses=tuple(WITH_NA)))
def test_latest_and_earliest_respect_precedence(chain):
    items, today, target = chain
    res = run(items, target, today)
    r = res.by_code()
    by = {it.code: it for it in items}
    edges = applicable_edges(items)
    for (p, s), lag in edges.items():
        # latest: successor starts at least lag + 1 workdays after predecessor's latest finish
        assert CAL.workdays_between(r[p].latest_finish, r[s].latest_start) >= lag + 1
        if by[s].status == NOT_STARTED:
            ref = by[p].actual_start if by[p].status == ACCEPTED_WITH_GAPS else r[p].earliest_finish
            assert CAL.workdays_between(ref, r[s].earliest_start) >= lag + 1
    last = CAL.prev_workday(target)
    for x in res.items:
        it = by[x.code]
        assert x.duration_unit == it.duration_unit
        assert x.latest_finish <= last
        assert CAL.is_workday(x.latest_start) and CAL.is_workday(x.latest_finish)
        if it.duration_unit == WORKING_DAYS:
            assert CAL.finish_date(x.latest_start, x.duration_wd) == x.latest_finish
        else:  # the last start that finishes in time; its finish may come earlier
            assert finish_of(CAL, it, x.latest_start) <= x.latest_finish
            assert finish_of(CAL, it, CAL.next_workday(x.latest_start)) > x.latest_finish
        assert CAL.workdays_between(x.earliest_finish, x.latest_finish) == x.slack_wd
        if x.status == NOT_STARTED:
            assert x.earliest_start >= CAL.roll_forward(today)
            assert finish_of(CAL, it, x.earliest_start) == x.earliest_finish
        if x.status != DONE:
            assert res.expected_start > x.earliest_finish or x.status == ACCEPTED_WITH_GAPS


@settings(max_examples=300, deadline=None)
@given(chains(max_items=9, statuses=tuple(WITH_NA), units=(WORKING_DAYS,)))
def test_slack_minimum_exactly_on_critical_items(chain):
    """With working days only, the critical items are exactly those of minimum slack."""
    items, today, target = chain
    res = run(items, target, today)
    blocking = [x for x in res.items if x.status in BLOCKING]
    m = min((x.slack_wd for x in blocking), default=None)
    for x in res.items:
        assert x.critical == (x.status in BLOCKING and x.slack_wd == m)
    crit = [x.code for x in res.items if x.critical]
    assert bool(res.critical_path) == bool(crit)
    assert set(res.critical_path) <= set(crit)
    edges = applicable_edges(items)
    for p, s in zip(res.critical_path, res.critical_path[1:]):
        assert (p, s) in edges


@settings(max_examples=300, deadline=None)
@given(chains(max_items=9, statuses=(NOT_STARTED,), units=(WORKING_DAYS,)))
def test_unstarted_chain_lateness_equals_negative_min_slack(chain):
    items, today, target = chain
    res = run(items, target, today)
    if not items:
        return
    m = min(x.slack_wd for x in res.items)
    assert res.days_late_wd == max(0, -m)
    assert res.expected_start == CAL.add_workdays(CAL.roll_forward(target), -m)
    # with only unstarted items the critical path runs from a source to a sink
    path = res.critical_path
    by = {it.code: it for it in items}
    assert not by[path[0]].predecessors or res.by_code()[
        path[0]
    ].earliest_start == CAL.roll_forward(today)
    assert not any(path[-1] == d.code for it in items for d in it.predecessors)


@settings(max_examples=200, deadline=None)
@given(chains(max_items=8, statuses=tuple(WITH_NA)), st.randoms(use_true_random=False))
def test_input_order_invariance(chain, rnd):
    items, today, target = chain
    shuffled = items[:]
    rnd.shuffle(shuffled)
    a = {r.code: as_tuple(r) for r in run(items, target, today).items}
    b = run(shuffled, target, today)
    assert {r.code: as_tuple(r) for r in b.items} == a
    assert [r.code for r in b.items] == [it.code for it in shuffled if it.status != NOT_APPLICABLE]


def delayed_by_one_workday(items, code):
    """The chain with ``code`` releasing its successors (and the start) one workday later."""
    out = []
    for it in items:
        deps = [Dep(d.code, d.lag_wd + (d.code == code)) for d in it.predecessors]
        out.append(
            Item(
                it.code,
                it.name,
                it.duration_wd,
                deps,
                it.status,
                it.actual_start,
                it.actual_finish,
                it.duration_unit,
            )
        )
    if not any(d.code == code for it in items for d in it.predecessors):  # a sink: lag to 开工
        out.append(Item("ZZ", "开工", 0, [Dep(code, 1)], NOT_APPLICABLE))
    return out


@settings(max_examples=300, deadline=None)
@given(chains(max_items=8, statuses=(NOT_STARTED,)))
def test_critical_exactly_when_a_one_day_delay_delays_the_start(chain):
    """On unstarted chains with both units: an item is critical iff finishing it one workday
    later moves the expected start (so a holiday that absorbs the delay makes it non-critical),
    and the critical path is a chain of critical items along real dependencies."""
    items, today, target = chain
    res = run(items, target, today)
    for x in res.items:
        later = run(delayed_by_one_workday(items, x.code), target, today)
        assert x.critical == (later.expected_start > res.expected_start), x.code
    edges = applicable_edges(items)
    assert bool(res.critical_path) == bool(items)
    assert all(res.by_code()[c].critical for c in res.critical_path)
    for p, s in zip(res.critical_path, res.critical_path[1:]):
        assert (p, s) in edges


# ---------------------------------------------------------------- calendar days (自然日)
# 2026 Spring Festival (chinesecalendar 1.11.0, 国办发明电〔2025〕7号): days off Sun 02-15 ..
# Mon 02-23; make-up workdays Sat 02-14 and Sat 02-28.  Workdays around it:
#   Jan 12-16, 19-23, 26-30; Feb 2-6, 9-13, Sat 14, 24-27, Sat 28; Mar 2-6, 9-13, 16-20 ...


def land_sale_chain(unit):
    return [
        Item("A", "出让方案批复", 5),
        Item("B", "土地招拍挂出让（公告20日、挂牌10日）", 30, [Dep("A")], duration_unit=unit),
        Item("C", "建设用地规划许可证", 7, [Dep("B")]),
    ]


def test_spring_festival_land_sale_in_calendar_days_is_on_time():
    # today Mon 01-26.  A: 5 workdays 01-26 .. Fri 01-30.
    # B: 30 自然日 from Mon 02-02: 02-02 + 29 days = Tue 03-03, a workday → finishes 03-03.
    # C: 7 workdays from Wed 03-04: 03-04, 05, 06, 09, 10, 11, 12 → finishes Thu 03-12.
    # 开工 possible Fri 03-13 = the target: on time.
    res = run(land_sale_chain(CALENDAR_DAYS), D(2026, 3, 13), D(2026, 1, 26))
    a, b, c = res.items
    assert (b.earliest_start, b.earliest_finish) == (D(2026, 2, 2), D(2026, 3, 3))
    assert (c.earliest_start, c.earliest_finish) == (D(2026, 3, 4), D(2026, 3, 12))
    assert res.expected_start == D(2026, 3, 13) and res.days_late_wd == 0
    # backward: C 03-04 .. 03-12; B must finish 03-03, latest start 03-03 − 29 days = 02-02.
    assert (b.latest_start, b.latest_finish) == (D(2026, 2, 2), D(2026, 3, 3))
    assert (a.latest_start, a.latest_finish) == (D(2026, 1, 26), D(2026, 1, 30))
    assert [x.slack_wd for x in res.items] == [0, 0, 0]
    assert res.critical_path == ["A", "B", "C"]
    assert b.duration_unit == CALENDAR_DAYS and res.to_dict()["items"][1]["duration_unit"] == (
        "calendar_days"
    )


def test_spring_festival_land_sale_in_working_days_shows_twelve_days_late():
    # The same chain with B entered as 30 工作日: from Mon 02-02 the 30th workday is
    # 02-02..06 (5), 09..13 (10), Sat 14 (11), 24..27 (15), Sat 28 (16), 03-02..06 (21),
    # 09..13 (26), 16, 17, 18, 19 (30) → Thu 03-19.  C: 03-20, 23, 24, 25, 26, 27, 30 → 03-30.
    # 开工 03-31: (03-13, 03-31] holds 16-20, 23-27, 30, 31 = 12 workdays late.
    res = run(land_sale_chain(WORKING_DAYS), D(2026, 3, 13), D(2026, 1, 26))
    assert res.by_code()["B"].earliest_finish == D(2026, 3, 19)
    assert res.expected_start == D(2026, 3, 31)
    assert res.days_late_wd == 12


def test_holiday_absorbs_a_predecessors_delay_so_slack_varies_along_the_chain():
    # today Mon 01-12, target Thu 03-05.  A: 01-12 .. Fri 01-16.
    # B: 30 自然日 from Mon 01-19: 01-19 + 29 days = Tue 02-17, inside the festival → ends on
    #    the next workday, Tue 02-24.  C: 02-25, 26, 27, Sat 28, 03-02, 03, 04 → 03-04.
    # 开工 Thu 03-05 = target.  Backward: C 02-25 .. 03-04; B must finish Tue 02-24, latest
    # start 02-24 − 29 days = Mon 01-26 (02-17 + 7 days still rolls to 02-24); A must finish
    # Fri 01-23: A has 5 workdays of slack (01-19 .. 01-23), B and C none.  A one-week slip
    # of A does not move 开工, so A is not on the critical path.
    res = run(land_sale_chain(CALENDAR_DAYS), D(2026, 3, 5), D(2026, 1, 12))
    a, b, c = res.items
    assert (b.earliest_start, b.earliest_finish) == (D(2026, 1, 19), D(2026, 2, 24))
    assert (b.latest_start, b.latest_finish) == (D(2026, 1, 26), D(2026, 2, 24))
    assert a.latest_finish == D(2026, 1, 23)
    assert [x.slack_wd for x in res.items] == [5, 0, 0]
    assert res.expected_start == D(2026, 3, 5) and res.days_late_wd == 0
    assert [x.critical for x in res.items] == [False, True, True]
    assert res.critical_path == ["B", "C"]
    slipped = [
        Item("A", "出让方案批复", 5, status=IN_PROGRESS, actual_start=D(2026, 1, 19)),
        *land_sale_chain(CALENDAR_DAYS)[1:],
    ]
    assert run(slipped, D(2026, 3, 5), D(2026, 1, 12)).expected_start == D(2026, 3, 5)


def test_critical_path_follows_the_delay_not_the_minimum_slack():
    # today Mon 01-12, target Wed 04-01 (feasible).  P 5 workdays → Q 30 自然日; R 26 workdays
    # in parallel.  P: 01-12 .. 01-16; Q: 01-19 .. 02-17 (holiday) → 02-24; R: 26th workday
    # from 01-12 is Sat 02-14 (make-up day).  开工 Wed 02-25, held up by Q.
    # Slack to the target (sinks finish by Tue 03-31): Q (02-24, 03-31] = 26; R (02-14, 03-31]
    # = 27; P must finish before Q's latest start 03-31 − 29 days = Mon 03-02, i.e. by Sat 02-28
    # (make-up day): (01-16, 02-28] = 26.  P ties Q on slack, yet a slip of P is swallowed by
    # the festival (float to 开工: 5 workdays), so only Q is critical.
    items = [
        Item("P", "出让方案批复", 5),
        Item("Q", "土地招拍挂出让", 30, [Dep("P")], duration_unit=CALENDAR_DAYS),
        Item("R", "环境影响评价", 26),
    ]
    res = run(items, D(2026, 4, 1), D(2026, 1, 12))
    r = res.by_code()
    assert (r["P"].slack_wd, r["Q"].slack_wd, r["R"].slack_wd) == (26, 26, 27)
    assert r["P"].latest_finish == D(2026, 2, 28)
    assert res.expected_start == D(2026, 2, 25)
    assert [x.code for x in res.items if x.critical] == ["Q"]
    assert res.critical_path == ["Q"]


def test_calendar_day_item_under_way_counts_from_its_actual_start():
    # 挂牌 10 自然日 started Sat 02-14 (make-up day): 02-14 .. 02-23 is all holiday after the
    # first day → the period ends on the next workday, Tue 02-24.
    items = [
        Item("G", "挂牌", 10, status=IN_PROGRESS, actual_start=D(2026, 2, 14),
             duration_unit=CALENDAR_DAYS),
    ]  # fmt: skip
    res = run(items, D(2026, 3, 2), D(2026, 2, 14))
    assert res.items[0].earliest_finish == D(2026, 2, 24)
    assert res.expected_start == D(2026, 2, 25)
    done = [
        Item("G", "公示", 10, status=DONE, actual_finish=D(2026, 3, 10),
             duration_unit=CALENDAR_DAYS),
    ]  # fmt: skip
    # no actual start: 03-10 − 9 days = Sun 03-01 → the workday on or before, Sat 02-28
    assert run(done, D(2026, 4, 1), D(2026, 3, 11)).items[0].earliest_start == D(2026, 2, 28)

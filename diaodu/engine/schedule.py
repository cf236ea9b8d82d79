"""倒排工期: backward scheduling of a project's pre-construction approvals
(前期手续) from the target start date (计划开工日期), plus a forward pass from
today and the actual dates, and the critical path.

Pure Python, no Django: plain dataclasses in, plain dataclasses out.

Conventions (lags, slack and lateness are in working days, see engine.calendar)
---------------------------------------------------------------------------
* An item's duration ``duration_wd`` is counted in its ``duration_unit``:
  ``"working_days"`` (工作日, the default: 行政许可 time limits, 《行政许可法》
  第八十二条) or ``"calendar_days"`` (自然日: statutory notice and publicity
  periods such as the 招拍挂 公告 (不少于20日) and 挂牌 (不少于10日) periods).
* A working-day item starting on workday S with duration n occupies n workdays
  and finishes on the n-th workday counting S as day 1.  A calendar-day item
  starting on workday S with duration n runs over the n days S .. S+n-1; when
  that last day is not a workday the period ends on the next workday
  (《民法典》第二百零三条: a period whose last day is a holiday ends on the day
  after the holiday).  Every start and finish is therefore a workday.  A
  milestone (duration 0) finishes on its start day, so for chaining it behaves
  like a 1-day item.  A calendar-day item that is under way counts from its
  actual start date itself.
* Dependencies are finish-to-start: a predecessor finishing on workday D lets
  its successor start on the next workday after D, plus ``lag_wd`` further
  workdays (lag >= 0).  The project can start (开工) on the next workday after
  all sink items finish; the project start is treated as a successor of every
  sink (with lag 0).
* ``not_applicable`` (不适用) items are removed before scheduling and their
  predecessors are linked through: a successor inherits the dropped item's
  predecessors with the two lags added (when several routes give the same
  predecessor, the largest lag is kept).  If the dropped item was a sink, its
  predecessors become sinks carrying that lag to the project start.  They are
  listed in ``ScheduleResult.not_applicable`` and not in ``items``.
* Backward pass (latest dates, 最迟): sinks must finish by the workday before
  ``target_start``; ``latest_start`` is the last workday from which the item
  still finishes by ``latest_finish`` (working days:
  ``start_date_for_finish(latest_finish, n)``; calendar days: the workday on or
  before ``latest_finish − (n − 1)`` days, so its finish may fall before
  ``latest_finish`` when a holiday would push it past); a predecessor's latest
  finish is the minimum over its successors of (workday before the successor's
  latest start, minus the lag).
* Forward pass (earliest dates, 最早), from ``today`` and actual dates:
  - ``done`` (已办结): fixed at its actual dates (``actual_finish`` required;
    ``earliest_start`` is ``actual_start``, or derived from the duration if
    missing).  Successors may start the next workday after ``actual_finish``.
  - ``in_progress`` (办理中): starts at ``actual_start`` (required) and finishes
    at max(finish_date(actual_start, n), today rolled forward).
  - ``accepted_with_gaps`` (容缺受理): dated like ``in_progress``, but it does
    not block: successors (and the project start) may start the next workday
    after its ``actual_start`` (plus lag).  It can be overdue / at risk (the
    missing materials still have a deadline) but, since it drives nothing, it
    is never critical.
  - ``not_started`` (未启动): starts at max(today rolled forward, the next
    workday after each predecessor's release + lag) and lasts its duration.
* ``expected_start``: the latest of (a) each sink's release (the next workday
  after its finish, or after its actual start for 容缺受理) plus its lag to the
  start, and (b) the next workday after the earliest finish of every open
  blocking item (``not_started`` / ``in_progress``) — this matters only for
  inconsistent data such as a done successor of an unfinished item.  It is
  not clamped to today (for a fully done chain it is the workday after the
  last approval); with no applicable items it is ``target_start`` rolled
  forward.  ``days_late_wd`` = max(0, workdays from
  ``target_start`` rolled forward to ``expected_start``).
* ``slack_wd`` = workdays from ``earliest_finish`` to ``latest_finish``
  (negative when the target is infeasible).
* Critical: the items that actually hold up ``expected_start``.  An item's
  *float* is the number of workdays its finish can slip before
  ``expected_start`` moves: the latest finish of a backward pass run from
  ``expected_start`` (instead of ``target_start``) minus its earliest finish.
  An item is critical iff it is open and blocking (``not_started`` or
  ``in_progress``) and its float equals the minimum float over all such items
  (0 for consistent data).  With working days only, the backward pass is a
  shift, float = ``slack_wd`` − (target − expected), and the critical items
  are exactly those of minimum slack (standard longest-path criticality; with
  a feasible target the minimum slack may be > 0).  With calendar-day items a
  holiday inside an item absorbs part of a predecessor's delay, slack is no
  longer constant along a chain, and only the chain that really delays the
  start is critical.  ``critical_path`` is a chain of critical items linked by
  tight edges of that backward pass (pred.latest_finish == succ.latest_start
  − 1 − lag), following predecessors from a source to a sink (longest such
  chain, preferring one that ends at a sink; ties → input order).
* ``overdue`` = open (not done) and today > ``latest_finish``.
  ``at_risk`` = open, not overdue, and ``slack_wd < at_risk_slack_wd``.

Internally everything is integer workday-index arithmetic (see
``WorkCalendar.index_on_or_after`` etc.), with one topological sort per call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from diaodu.engine.calendar import WorkCalendar, year_warning

__all__ = [
    "NOT_STARTED",
    "IN_PROGRESS",
    "DONE",
    "ACCEPTED_WITH_GAPS",
    "NOT_APPLICABLE",
    "STATUSES",
    "WORKING_DAYS",
    "CALENDAR_DAYS",
    "DURATION_UNITS",
    "UNIT_LABELS",
    "Dep",
    "Item",
    "ItemResult",
    "ScheduleResult",
    "CycleError",
    "find_cycle",
    "validate_chain",
    "schedule",
]

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
DONE = "done"
ACCEPTED_WITH_GAPS = "accepted_with_gaps"
NOT_APPLICABLE = "not_applicable"
STATUSES = frozenset({NOT_STARTED, IN_PROGRESS, DONE, ACCEPTED_WITH_GAPS, NOT_APPLICABLE})

WORKING_DAYS = "working_days"
CALENDAR_DAYS = "calendar_days"
DURATION_UNITS = (WORKING_DAYS, CALENDAR_DAYS)
UNIT_LABELS = {WORKING_DAYS: "工作日", CALENDAR_DAYS: "自然日"}

_BIG = 1 << 60


@dataclass(frozen=True, slots=True)
class Dep:
    """Finish-to-start dependency on item ``code`` with ``lag_wd`` >= 0."""

    code: str
    lag_wd: int = 0


@dataclass(slots=True)
class Item:
    """One 前期手续.  ``duration_wd`` is counted in ``duration_unit``
    (working days unless the item says ``CALENDAR_DAYS``)."""

    code: str
    name: str
    duration_wd: int
    predecessors: list[Dep] = field(default_factory=list)
    status: str = NOT_STARTED
    actual_start: date | None = None
    actual_finish: date | None = None
    duration_unit: str = WORKING_DAYS


@dataclass(slots=True)
class ItemResult:
    code: str
    name: str
    status: str
    duration_wd: int
    latest_start: date
    latest_finish: date
    earliest_start: date
    earliest_finish: date
    slack_wd: int
    critical: bool
    overdue: bool
    at_risk: bool
    duration_unit: str = WORKING_DAYS


@dataclass(slots=True)
class ScheduleResult:
    items: list[ItemResult]
    target_start: date
    expected_start: date
    days_late_wd: int
    critical_path: list[str]
    calendar_warnings: list[str]
    not_applicable: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        def conv(v):
            return v.isoformat() if isinstance(v, date) else v

        return {
            "items": [{k: conv(v) for k, v in asdict(r).items()} for r in self.items],
            "target_start": self.target_start.isoformat(),
            "expected_start": self.expected_start.isoformat(),
            "days_late_wd": self.days_late_wd,
            "critical_path": list(self.critical_path),
            "calendar_warnings": list(self.calendar_warnings),
            "not_applicable": list(self.not_applicable),
        }

    def by_code(self) -> dict[str, ItemResult]:
        return {r.code: r for r in self.items}


class CycleError(ValueError):
    """A dependency cycle; ``cycle`` is e.g. ``["A", "B", "A"]``."""

    def __init__(self, cycle: list[str]):
        self.cycle = list(cycle)
        super().__init__("前期手续存在循环依赖：" + " → ".join(self.cycle))


# ---------------------------------------------------------------- validation
def find_cycle(edges) -> list[str] | None:
    """A cycle in a directed graph, or None.

    ``edges`` is an iterable of ``(u, v)`` pairs meaning u → v (u precedes v),
    or a mapping ``{u: [v, ...]}``.  The cycle is returned closed, following
    the arrows: ``["A", "B", "A"]``.  Deterministic (insertion order).
    """
    adj: dict = {}
    if isinstance(edges, Mapping):
        for u, vs in edges.items():
            adj.setdefault(u, [])
            for v in vs:
                adj[u].append(v)
                adj.setdefault(v, [])
    else:
        for u, v in edges:
            adj.setdefault(u, []).append(v)
            adj.setdefault(v, [])
    WHITE, GREY, BLACK = 0, 1, 2
    color = dict.fromkeys(adj, WHITE)
    for root in adj:
        if color[root] != WHITE:
            continue
        path = [root]
        pos = {root: 0}
        color[root] = GREY
        stack = [iter(adj[root])]
        while stack:
            for v in stack[-1]:
                c = color[v]
                if c == GREY:
                    return path[pos[v] :] + [v]
                if c == WHITE:
                    color[v] = GREY
                    pos[v] = len(path)
                    path.append(v)
                    stack.append(iter(adj[v]))
                    break
            else:
                stack.pop()
                u = path.pop()
                del pos[u]
                color[u] = BLACK
    return None


def _label(it: Item) -> str:
    return f"「{it.name}」({it.code})" if it.name else f"({it.code})"


_STATUS_LABEL = {IN_PROGRESS: "办理中", ACCEPTED_WITH_GAPS: "容缺受理"}


def _item_error(it: Item) -> None:
    """Raise the Chinese error for an item that failed the fast checks."""
    st = it.status
    if st not in STATUSES:
        raise ValueError(f"前期手续{_label(it)}的状态无效：{st!r}")
    unit = it.duration_unit
    if unit not in DURATION_UNITS:
        raise ValueError(f"前期手续{_label(it)}的工期单位无效：{unit!r}（应为工作日或自然日）")
    d = it.duration_wd
    if isinstance(d, bool) or not isinstance(d, int):
        raise ValueError(f"前期手续{_label(it)}的工期必须是整数{UNIT_LABELS[unit]}：{d!r}")
    if d < 0:
        raise ValueError(f"前期手续{_label(it)}的工期不能为负数：{d}")
    if st == DONE and it.actual_finish is None:
        raise ValueError(f"已办结的前期手续{_label(it)}缺少实际完成日期")
    if st in _STATUS_LABEL and it.actual_start is None:
        raise ValueError(f"{_STATUS_LABEL[st]}的前期手续{_label(it)}缺少实际开始日期")
    raise ValueError(f"前期手续{_label(it)}的实际完成日期早于实际开始日期")


def _dep_error(it: Item, dep, index) -> None:
    code, lag = (
        (dep, 0) if isinstance(dep, str) else (getattr(dep, "code", dep), getattr(dep, "lag_wd", 0))
    )
    if code not in index:
        raise ValueError(f"前期手续{_label(it)}的前置手续编码不存在：{code}")
    if isinstance(lag, bool) or not isinstance(lag, int):
        raise ValueError(f"前期手续{_label(it)}对前置手续 {code} 的间隔必须是整数工作日：{lag!r}")
    raise ValueError(f"前期手续{_label(it)}对前置手续 {code} 的间隔不能为负数：{lag}")


def _prepare(items: list[Item]):
    """Validate; return (predecessor lists of (idx, lag), has-successor flags, topological order,
    calendar-day flags or None when every item counts working days)."""
    n = len(items)
    index: dict[str, int] = {}
    for i, it in enumerate(items):
        code = it.code
        if code in index:
            raise ValueError(f"前期手续编码重复：{code}")
        index[code] = i
    preds: list[list[tuple[int, int]]] = []
    has_succ = [False] * n
    in_order = True  # every predecessor listed before its successor?
    caldays = None
    get = index.get
    for i, it in enumerate(items):
        st = it.status
        d = it.duration_wd
        if type(d) is not int or d < 0 or st not in STATUSES:
            _item_error(it)
        if it.duration_unit != WORKING_DAYS:
            if it.duration_unit != CALENDAR_DAYS:
                _item_error(it)
            if caldays is None:
                caldays = [False] * n
            caldays[i] = True
        if st != NOT_STARTED and st != NOT_APPLICABLE:
            a0, a1 = it.actual_start, it.actual_finish
            if st == DONE:
                if a1 is None or (a0 is not None and a1 < a0):
                    _item_error(it)
            elif a0 is None or (a1 is not None and a1 < a0):
                _item_error(it)
        plist = []
        deps = it.predecessors
        if deps:
            for dep in deps:
                if type(dep) is Dep:
                    p = get(dep.code)
                    lag = dep.lag_wd
                elif isinstance(dep, str):
                    p = get(dep)
                    lag = 0
                else:
                    p = get(getattr(dep, "code", None))
                    lag = getattr(dep, "lag_wd", None)
                if p is None or type(lag) is not int or lag < 0:
                    _dep_error(it, dep, index)
                if p >= i:
                    in_order = False
                plist.append((p, lag))
                has_succ[p] = True
        preds.append(plist)

    if in_order:  # the input order is already topological (the usual case)
        return preds, has_succ, list(range(n)), caldays

    # Kahn's algorithm, stable in input order.
    succs: list[list[int]] = [[] for _ in range(n)]
    indeg = [0] * n
    for i, plist in enumerate(preds):
        for p, _ in plist:
            succs[p].append(i)
        indeg[i] = len(plist)
    order = [i for i in range(n) if not indeg[i]]
    k = 0
    while k < len(order):
        for s in succs[order[k]]:
            indeg[s] -= 1
            if not indeg[s]:
                order.append(s)
        k += 1
    if len(order) != n:
        codes = [it.code for it in items]
        cyc = find_cycle(
            [(codes[p], codes[i]) for i in range(n) if indeg[i] for p, _ in preds[i] if indeg[p]]
        )
        cyc = cyc or []
        if len(cyc) > 2:  # rotate so that it starts with the earliest item in input order
            ring = cyc[:-1]
            k0 = min(range(len(ring)), key=lambda j: index[ring[j]])
            ring = ring[k0:] + ring[:k0]
            cyc = ring + [ring[0]]
        raise CycleError(cyc)
    return preds, has_succ, order, caldays


def validate_chain(items: list[Item]) -> list[str]:
    """Raise ``ValueError`` (Chinese message) for a duplicate code, an invalid
    status or duration unit, a negative/non-integer duration or lag, an unknown predecessor
    code, missing actual dates (done → actual_finish; in progress / 容缺受理 →
    actual_start) or finish before start; ``CycleError`` for a cycle.
    Returns the codes in a topological order."""
    order = _prepare(items)[2]
    return [items[i].code for i in order]


# ---------------------------------------------------------------- scheduling
def schedule(
    items: list[Item],
    *,
    target_start: date,
    today: date,
    calendar: WorkCalendar,
    at_risk_slack_wd: int = 5,
) -> ScheduleResult:
    preds, has_succ, order, caldays = _prepare(items)
    n = len(items)
    cal = calendar
    ceil_ix = cal.index_on_or_after
    floor_ix = cal.index_on_or_before
    from_ix = cal.from_index
    table = cal.index_table()  # unknown years are reported once below, over the whole span
    tlen = len(table)

    # --- link through not_applicable items; effective preds and sink lags.
    applicable = [it.status != NOT_APPLICABLE for it in items]
    if all(applicable):
        eff = preds  # duplicates (if any) are harmless: passes take min / max
        end_lag = {i: 0 for i in range(n) if not has_succ[i]}  # sinks -> lag to project start
    else:
        eff = preds[:]  # per item: list of (pred idx, lag), N/A preds linked through
        for i in order:
            plist = preds[i]
            for p, _ in plist:
                if not applicable[p]:
                    break
            else:
                continue
            merged: dict[int, int] = {}
            for p, lag in plist:
                if applicable[p]:
                    if merged.get(p, -1) < lag:
                        merged[p] = lag
                else:
                    for q, l2 in eff[p]:
                        if merged.get(q, -1) < l2 + lag:
                            merged[q] = l2 + lag
            eff[i] = list(merged.items())
        end_lag = {}
        for i in range(n):
            if has_succ[i]:
                continue
            if applicable[i]:
                end_lag[i] = 0
            else:
                for q, lag in eff[i]:
                    if end_lag.get(q, -1) < lag:
                        end_lag[q] = lag
        order = [i for i in order if applicable[i]]

    width = [0] * n
    for i in order:
        d = items[i].duration_wd
        width[i] = d if d > 0 else 1
    if caldays is not None and not any(caldays[i] for i in order):
        caldays = None  # only not-applicable items count calendar days

    def date_of(k: int) -> date:
        return table[k] if 0 <= k < tlen else from_ix(k)

    def backward(last: int) -> tuple[list[int], list[int]]:
        """Latest finish / latest start indices when the sinks must finish by ``last``."""
        LF = [_BIG] * n
        LS = [0] * n
        for q, lag in end_lag.items():
            v = last - lag
            if v < LF[q]:
                LF[q] = v
        for i in reversed(order):
            if caldays is None or not caldays[i]:
                ls = LF[i] - width[i] + 1
            else:  # the last workday from which n calendar days still end by LF
                ls = floor_ix(date_of(LF[i]) - timedelta(days=width[i] - 1))
            LS[i] = ls
            for p, lag in eff[i]:
                v = ls - 1 - lag
                if v < LF[p]:
                    LF[p] = v
        return LF, LS

    # --- backward pass (indices).
    T = ceil_ix(target_start)  # index of target_start rolled forward
    Tm1 = T - 1  # the workday before target_start
    LF, LS = backward(Tm1)

    # --- forward pass, slack.
    t = ceil_ix(today)
    ES = [0] * n
    EF = [0] * n
    rel = [0] * n  # index from which successors may start (before lag)
    slack = [0] * n
    blocking = [False] * n  # open and blocking: candidates for "critical"
    for i in order:
        it = items[i]
        st = it.status
        cd = caldays[i] if caldays is not None else False
        if st == NOT_STARTED:
            es = t
            for p, lag in eff[i]:
                v = rel[p] + lag
                if v > es:
                    es = v
            if cd:
                ef = ceil_ix(date_of(es) + timedelta(days=width[i] - 1))
            else:
                ef = es + width[i] - 1
            rel[i] = ef + 1
            blocking[i] = True
        elif st == DONE:
            ef = floor_ix(it.actual_finish)
            if it.actual_start is not None:
                es = ceil_ix(it.actual_start)
            elif cd:
                es = floor_ix(it.actual_finish - timedelta(days=width[i] - 1))
            else:
                es = ef - width[i] + 1
            rel[i] = ef + 1
        else:  # in_progress / accepted_with_gaps
            es = ceil_ix(it.actual_start)
            if cd:
                ef = ceil_ix(it.actual_start + timedelta(days=width[i] - 1))
            else:
                ef = es + width[i] - 1
            if ef < t:
                ef = t
            if st == IN_PROGRESS:
                rel[i] = ef + 1
                blocking[i] = True
            else:
                rel[i] = floor_ix(it.actual_start) + 1
        ES[i] = es
        EF[i] = ef
        slack[i] = LF[i] - ef

    E = max(rel[q] + lag for q, lag in end_lag.items()) if end_lag else T
    for i in order:  # every open blocking item must be finished before 开工
        if blocking[i] and rel[i] > E:
            E = rel[i]
    days_late = E - T if E > T else 0

    # --- criticality and the critical path (longest chain of tight critical edges), on the
    # float to the expected start.  With working days only that backward pass is the one
    # above shifted by (T - E), so slack itself serves.
    if caldays is None:
        fLF, fLS, last, flt = LF, LS, Tm1, slack
    else:
        last = E - 1
        fLF, fLS = backward(last)
        flt = [fLF[i] - EF[i] for i in range(n)]
    m = _BIG  # minimum float over blocking items
    for i in order:
        if blocking[i] and flt[i] < m:
            m = flt[i]
    crit = [False] * n
    critical_path: list[str] = []
    if m != _BIG:
        best = [0] * n
        back = [-1] * n
        end = -1
        end_key = None
        for i in order:
            if flt[i] != m or not blocking[i]:
                continue
            crit[i] = True
            b, bp = 1, -1
            ls = fLS[i]
            for p, lag in eff[i]:
                if crit[p] and fLF[p] == ls - 1 - lag:
                    c = best[p] + 1
                    if c > b or (c == b and p < bp):
                        b, bp = c, p
            best[i] = b
            back[i] = bp
            lag = end_lag.get(i)
            key = (lag is not None and fLF[i] == last - lag, b, -i)
            if end_key is None or key > end_key:
                end, end_key = i, key
        while end != -1:
            critical_path.append(items[end].code)
            end = back[end]
        critical_path.reverse()

    # --- results.
    results: list[ItemResult] = []
    lo_ix, hi_ix = min(t, T, E), max(t, T, E)
    for i in range(n):
        if not applicable[i]:
            continue
        it = items[i]
        st = it.status
        lf = LF[i]
        ls = LS[i]
        es = ES[i]
        ef = EF[i]
        if ls < lo_ix:
            lo_ix = ls
        if es < lo_ix:
            lo_ix = es
        if ef > hi_ix:
            hi_ix = ef
        if lf > hi_ix:
            hi_ix = lf
        sl = slack[i]
        if st == DONE:
            es_d = (
                it.actual_start
                if it.actual_start is not None
                else (table[es] if 0 <= es < tlen else from_ix(es))
            )
            ef_d = it.actual_finish
            overdue = at_risk = False
        else:
            if st == NOT_STARTED:
                es_d = table[es] if 0 <= es < tlen else from_ix(es)
            else:
                es_d = it.actual_start
            ef_d = table[ef] if 0 <= ef < tlen else from_ix(ef)
            overdue = t > lf  # today > latest_finish (t = today rolled forward)
            at_risk = (not overdue) and sl < at_risk_slack_wd
        results.append(
            ItemResult(
                it.code,
                it.name,
                st,
                it.duration_wd,
                table[ls] if 0 <= ls < tlen else from_ix(ls),
                table[lf] if 0 <= lf < tlen else from_ix(lf),
                es_d,
                ef_d,
                sl,
                crit[i],
                overdue,
                at_risk,
                it.duration_unit,
            )
        )

    unknown = cal.unknown_years_between_indices(lo_ix, hi_ix)
    return ScheduleResult(
        items=results,
        target_start=target_start,
        expected_start=from_ix(E),
        days_late_wd=days_late,
        critical_path=critical_path,
        calendar_warnings=[year_warning(y) for y in unknown],
        not_applicable=[it.code for it in items if it.status == NOT_APPLICABLE],
    )

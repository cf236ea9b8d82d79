"""The 督办 board's figures, defined once (pages, the API and the assessment indicator call
:func:`board`); every figure drills down to the task list with the same filter.

Definitions (on a date, over the tasks the person may see):

* 任务数 ``total`` — every task (sub-tasks included);
* 已办结 ``done`` — status 已办结;
* 逾期 ``overdue`` — still on the unit's desk (待签收/办理中/退回) and past its 完成时限;
* 按期在办 ``on_time`` — not done, not overdue (申请办结 and 挂起 included);
* 督办中 ``escalated`` — on the desk and at 催办 or above.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.db.models import Count, Q

from diaodu import clock
from diaodu.tasks import queries
from diaodu.tasks.models import RUNNING

DEFINITIONS = {
    "total": "任务数：所有可见任务（含子任务）。",
    "done": "已办结：状态为已办结的任务。",
    "overdue": "逾期：待签收、办理中或退回，且已过完成时限的任务。",
    "on_time": "按期在办：未办结且未逾期的任务（含申请办结、挂起）。",
    "escalated": "督办中：待签收、办理中或退回，且督办级别在催办及以上的任务。",
}
GROUPS = {"unit": "lead_unit", "leader": "leader_name", "document": "document"}


@dataclass
class BoardRow:
    key: str
    label: str
    total: int
    done: int
    overdue: int
    on_time: int
    escalated: int
    param: str  # the list filter that drills down to this row

    def link(self, extra: str = "") -> str:
        return f"/tasks/?{self.param}" + (f"&{extra}" if extra else "")

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("key", "label", "total", "done", "overdue",
                                              "on_time", "escalated")} | {"drill": self.link()}  # fmt: skip


def counts(today: date) -> dict:
    """The aggregate expressions of the figures (one definition)."""
    overdue = queries.overdue_q(today)
    return {
        "total": Count("id"),
        "done": Count("id", filter=Q(status="done")),
        "overdue": Count("id", filter=overdue),
        "on_time": Count("id", filter=~Q(status="done") & ~overdue),
        "escalated": Count("id", filter=Q(status__in=RUNNING, escalation_level__gte=1)),
    }


def board(user, by: str = "unit", *, today: date | None = None) -> list[BoardRow]:
    """Rows of the board by lead unit, by responsible leader or by source document, most overdue
    first. One grouped query (and one to name the groups)."""
    today = today or clock.today()
    if by not in GROUPS:
        by = "unit"
    field = GROUPS[by]
    group = field if field.endswith("_name") else f"{field}_id"
    rows = list(queries.visible(user).order_by().values(group).annotate(**counts(today)))
    labels = _labels(by, [r[group] for r in rows])
    out = []
    for r in rows:
        key = r[group] if r[group] != "" else None
        param_name = {"unit": "lead_unit", "leader": "leader", "document": "document"}[by]
        out.append(
            BoardRow(
                key=str(key if key is not None else ""),
                label=labels.get(key) or ("（未指定）" if by != "document" else "（非文件来源）"),
                total=r["total"],
                done=r["done"],
                overdue=r["overdue"],
                on_time=r["on_time"],
                escalated=r["escalated"],
                param=urlencode({param_name: "" if key is None else key})
                if key is not None
                else urlencode({f"no_{param_name}": 1}),
            )  # fmt: skip
        )
    out.sort(key=lambda x: (-x.overdue, -x.total, x.label))
    return out


def _labels(by: str, keys) -> dict:
    keys = [k for k in keys if k is not None]
    if by == "leader":
        return {k: k for k in keys}
    if by == "unit":
        from diaodu.org.models import Unit

        return dict(Unit.objects.filter(pk__in=keys).values_list("pk", "name"))
    from diaodu.tasks.models import SourceDocument

    return dict(SourceDocument.objects.filter(pk__in=keys).values_list("pk", "title"))


def totals(user, *, today: date | None = None) -> dict:
    """The same figures over every visible task (the home page and the board's header)."""
    today = today or clock.today()
    return queries.visible(user).order_by().aggregate(**counts(today))


def done_on_time(user, unit, start: date, end: date) -> tuple[int, dict]:
    """按期办结 (the assessment's derived indicator 重点任务按期办结): tasks led by *unit* or a unit
    below it, visible to *user*, done between *start* and *end*, no later than their deadline (a
    task without a deadline counts when done). Returns (count, {task id: date done})."""
    from django.db.models import F
    from django.db.models.functions import TruncDate

    rows = (
        queries.visible(user)
        .filter(lead_unit__path__startswith=unit.path, status="done", done_at__isnull=False)
        .annotate(done_on=TruncDate("done_at"))
        .filter(done_on__gte=start, done_on__lte=end)
        .filter(Q(deadline__isnull=True) | Q(done_on__lte=F("deadline")))
        .values_list("pk", "done_on")
    )
    found = dict(rows)
    return len(found), found

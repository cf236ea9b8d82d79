"""重点任务按期办结 as a derived indicator of the assessment: the tasks a unit (and the units below
it) led and finished no later than their deadline this year, by the same figure for every page."""

from datetime import date

from diaodu.targets import derived
from diaodu.targets.models import Indicator, Source
from diaodu.tasks import services


def test_tasks_done_on_time_feed_the_indicator(make_task, person, demo, clock):
    office, dept = person("duchashi"), person("ziranziyuan")
    on_time = make_task("按期", deadline=date(2026, 12, 31))
    late = make_task("逾期办结", deadline=date(2026, 11, 10))
    make_task("未办结")
    for t in (on_time, late):
        services.request_done(dept, t, summary="已完成")
        services.approve_done(office, t)
    ind = Indicator.objects.create(code="T-ONTIME", name="重点任务按期办结", category="重点工作",
                                   measure="个", source=Source.TASKS)  # fmt: skip
    figs = derived.compute(
        office,
        [(demo["QHKFQ"], ind), (demo["QHKFQ-ZR"], ind), (demo["QHKFQ-FG"], ind)],
        2026,
        date(2026, 11, 18),
    )
    assert figs[(demo["QHKFQ"].pk, ind.pk)].value == 1
    assert list(figs[(demo["QHKFQ-ZR"].pk, ind.pk)].projects) == [on_time.pk]
    assert figs[(demo["QHKFQ-FG"].pk, ind.pk)].value == 0
    assert "按期办结的重点任务数" in ind.rule_text

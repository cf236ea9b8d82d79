"""The home page per role: what each person must do now, each item one tap from its form, and
nobody sees another's items."""

import re

import pytest

from diaodu.audit.context import acting_as

pytestmark = pytest.mark.django_db

ITEM = re.compile(r'<a class="list-group-item[^"]*" href="([^"]+)" data-item="([^"]+)"')


def items_of(client) -> dict[str, str]:
    """data-item key → link of every item on the home page."""
    r = client.get("/")
    assert r.status_code == 200
    return {key: url.replace("&amp;", "&") for url, key in ITEM.findall(r.content.decode())}


def blocks_of(client) -> set[str]:
    return set(re.findall(r'data-block="([^"]+)"', client.get("/").content.decode()))


def opens(client, url: str) -> bool:
    return client.get(url).status_code == 200


def test_secretary_home_lists_due_returned_contacts_and_ratings(
    week, person, client_for, demo, clock
):
    from diaodu.supervision import services
    from diaodu.supervision.models import ProgressReport

    sec, office, zj = person("mishu_wl"), person("duchashi"), person("zhujian")
    a, c, d = week["a"], week["c"], week["d"]
    clock.set(2026, 11, 19, 10, 0)  # Thursday morning, before the 17:00 deadline
    services.return_report(
        office, ProgressReport.objects.get(project=a, period="2026-W47"), "照片不是现场照片"
    )
    pr = d.problems.get()
    services.start_problem(zj, pr)
    services.resolve_problem(zj, pr, answer="已批复")

    client = client_for("mishu_wl")
    page = client.get("/").content.decode()
    assert "本期待填报 1 个，截止11月19日（周四）17:00" in page
    items = items_of(client)
    report_new = items[f"report-new-{c.pk}"]
    assert report_new == f"/supervision/reports/new/{c.pk}/?period=2026-W47"
    assert f"report-new-{a.pk}" not in items  # filed (then returned): not due again
    returned = ProgressReport.objects.get(project=a, period="2026-W47")
    assert items[f"report-edit-{returned.pk}"] == f"/supervision/reports/{returned.pk}/edit/"
    assert "照片不是现场照片" in page
    assert items[f"contact-new-{c.pk}"] == f"/supervision/contacts/new/?project={c.pk}"
    assert f"contact-new-{a.pk}" not in items  # contacted on Tuesday of this week
    assert items[f"problem-{pr.pk}"] == f"/supervision/problems/{pr.pk}/"
    for url in items.values():
        assert opens(client, url), url
    # the rating form is on the problem page the item opens
    assert 'name="satisfaction"' in client.get(items[f"problem-{pr.pk}"]).content.decode()
    # after filing, the report is no longer due
    services.file_report(
        sec, c, {"progress_text": "基础施工", "invested": "0", "next_plan": "主体施工"}
    )
    assert f"report-new-{c.pk}" not in items_of(client)


def test_secretary_lights_link_to_the_project(week, cycle, person, client_for):
    from diaodu.engine import periods as P
    from diaodu.supervision import services

    services.compute_lights(person("duchashi"), cycle, P.parse("2026-W47"))
    items = items_of(client_for("mishu_wl"))
    lit = {k: v for k, v in items.items() if k.startswith("light-")}
    assert lit, "红灯或黄灯项目应出现在秘书首页"
    assert all(v.startswith("/projects/") for v in lit.values())
    # other parks' secretaries see nothing of 物流园
    other = items_of(client_for("mishu_zb"))
    assert not any(k.startswith(("light-", "report-new-", "contact-new-")) for k in other)
    assert "reports_due" not in blocks_of(client_for("mishu_zb"))  # no projects: no block


def test_department_home_lists_its_problems_and_procedures_overdue_first(
    week, person, client_for, demo
):
    pr = week["d"].problems.get()
    client = client_for("zhujian")
    items = items_of(client)
    assert items[f"problem-{pr.pk}"] == f"/supervision/problems/{pr.pk}/"
    page = client.get("/").content.decode()
    assert "已超期" in page
    for url in items.values():
        assert opens(client, url), url
    # procedure items are those waiting on the department, each opening its form
    from diaodu.procedures import queries as pq

    for unit_code, username in (("QHKFQ-ZJ", "zhujian"), ("QHKFQ-FG", "fagai")):
        waiting = list(pq.waiting_on_units([demo[unit_code]]))
        got = {k for k in items_of(client_for(username)) if k.startswith("procedure-")}
        assert got == {f"procedure-{it.pk}" for it in waiting[:8]}
        # overdue first: the order of the list is the waiting order
    # another department does not see 住建局's problem
    assert f"problem-{pr.pk}" not in items_of(client_for("fagai"))


def test_office_home_missing_review_overdue_and_next_meeting(week, person, client_for, demo, clock):
    from diaodu.supervision import services
    from diaodu.supervision.models import ProgressReport

    clock.set(2026, 11, 20, 9, 0)
    with acting_as(None):
        m = services.create_meeting(
            person("duchashi"), demo["QHKFQ"], {"held_on": "2026-11-23", "period": "2026-W47"}
        )
    client = client_for("duchashi")
    items = items_of(client)
    c, d = week["c"], week["d"]
    assert items[f"missing-{c.pk}"].startswith("/supervision/missing/?unit=")
    filed = ProgressReport.objects.get(project=week["a"], period="2026-W47")
    assert items[f"review-{filed.pk}"] == f"/supervision/reports/{filed.pk}/"
    pr = d.problems.get()
    assert items[f"problem-{pr.pk}"] == f"/supervision/problems/{pr.pk}/"
    assert items[f"meeting-{m.pk}"] == f"/supervision/meetings/{m.pk}/"
    for url in items.values():
        assert opens(client, url), url
    assert {"missing", "to_review", "overdue_problems", "next_meeting"} <= blocks_of(client)


def test_leader_home_red_lights_overdue_problems_and_targets(
    week, cycle, person, client_for, clock
):
    from diaodu.engine import periods as P
    from diaodu.supervision import services

    services.compute_lights(person("duchashi"), cycle, P.parse("2026-W47"))
    client = client_for("quzhang")
    blocks = blocks_of(client)
    assert {"leader_lights", "overdue_problems", "targets_behind"} <= blocks
    items = items_of(client)
    pr = week["d"].problems.get()
    assert items[f"problem-{pr.pk}"] == f"/supervision/problems/{pr.pk}/"
    for url in items.values():
        assert opens(client, url), url
    assert "reports_due" not in blocks and "to_review" not in blocks


@pytest.mark.parametrize("username", ["sysadmin", "secadmin", "auditor"])
def test_administrators_have_no_business_items(username, week, client_for):
    assert not blocks_of(client_for(username))


def test_home_renders_without_report_cycles(demo, client_for):
    """A zone without report cycles: every role's home renders, with nothing due."""
    for username in ("mishu_wl", "zhujian", "duchashi", "quzhang", "wl_zhuren"):
        assert client_for(username).get("/").status_code == 200


COUNT = re.compile(
    r'data-block="([^"]+)">.*?<h3 class="card-title">[^<]*(?:<span[^>]*data-count>(\d+)</span>)?',
    re.S,
)


def counts_of(client) -> dict[str, int]:
    """block key → the count its heading shows (0 when none)."""
    return {k: int(n or 0) for k, n in COUNT.findall(client.get("/").content.decode())}


def test_home_counts_are_the_shared_figures(week, cycle, person, client_for, demo, clock):
    """The secretary's 本期待填报, the office's 待审核 and the leader's 红灯 are the figure
    functions' numbers (supervision.figures), not counts of their own."""
    from diaodu.engine import periods as P
    from diaodu.projects.models import Project
    from diaodu.supervision import figures, services
    from diaodu.supervision.models import ProgressReport

    office, sec = person("duchashi"), person("mishu_wl")
    w47 = P.parse("2026-W47")
    services.return_report(
        office, ProgressReport.objects.get(project=week["a"], period="2026-W47"), "请补充照片"
    )
    services.compute_lights(office, cycle, w47)
    zone = demo["QHKFQ"]
    own = Project.objects.filter(secretary=sec)
    rc = figures.report_counts(sec, zone, w47, among=own)
    got = counts_of(client_for("mishu_wl"))
    assert got["reports_due"] == rc.never_filed == rc.missing - 1  # the returned one is apart
    assert rc.returned == 1
    rc_office = figures.report_counts(office, zone, w47)
    assert counts_of(client_for("duchashi"))["to_review"] == rc_office.to_review
    from diaodu.supervision import queries as sq

    filed = list(sq.period_reports(office, zone, w47))
    assert rc_office.to_review == len([r for r in filed if r.status == "submitted"]) > 0
    leader = person("quzhang")
    rc_l = figures.report_counts(leader, zone, w47)
    red = figures.light_counts(leader, zone, w47, rc_l.due)["red"]
    assert counts_of(client_for("quzhang"))["leader_lights"] == red

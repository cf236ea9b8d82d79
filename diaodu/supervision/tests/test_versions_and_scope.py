"""Every update of a record that has a ``version`` is built on the version the request saw — the
problem's moves (交办, 办结, 销号, 退回, 延期 …) and the report's 审核/退回, on the page and in the
API: without it, or with a non-number, the request is refused (422); with an older one it is
refused naming who changed it (409 in the API); nothing changes either way.

And every write that names a unit or a person by id keeps to the writer's reach: a 交办 or a
suggested unit, an action item's owner or unit, of another zone is refused in Chinese, naming
it, and nothing changes."""

import json

import pytest

from diaodu.audit.context import acting_as
from diaodu.org import services as org_services
from diaodu.org.models import Membership, Role, User
from diaodu.org.scope import SYSTEM
from diaodu.supervision import services
from diaodu.supervision.models import ActionItem, Problem, ProgressReport

from .conftest import REPORT


def _other_zone(demo):
    """河东开发区, a second zone under the district, with its 招商局 and one of its people."""
    with acting_as(None):
        zone = org_services.create_unit(
            SYSTEM,
            parent=demo["QH"],
            name="河东经济开发区管委会",
            short_name="河东",
            kind="zone",
            code="HD",
        )
        dept = org_services.create_unit(
            SYSTEM,
            parent=zone,
            name="河东招商局",
            short_name="河东招商局",
            kind="department",
            code="HD-ZS",
        )
    person = User.objects.create(username="hd_zhang", name="河东张科长")
    Membership.objects.create(user=person, unit=dept, is_primary=True)
    return dept, person


@pytest.fixture
def raised(cycle, make_project, person, demo, clock):
    p = make_project()
    return services.raise_problem(person("mishu_wl"), p, title="冷库用地规划条件", type_code="land")


def _snap(pr):
    p = Problem.objects.get(pk=pr.pk)
    return (p.status, p.responsible_unit_id, p.due_date, p.version)


def _move(c, pr, **body):
    return c.post(
        f"/api/v1/supervision/problems/{pr.pk}/transition",
        json.dumps(body),
        content_type="application/json",
    )


# ---------------------------------------------------------------- version on problem moves
def test_api_problem_move_needs_the_version_it_was_built_on(raised, client_for, demo, person):
    office = client_for("duchashi")
    move = {"action": "assign", "unit_id": demo["QHKFQ-ZR"].pk, "deadline_wd": 5}
    before = _snap(raised)
    r = _move(office, raised, **move)  # no version
    assert r.status_code == 422 and "version" in r.json()["errors"], r.content
    r = _move(office, raised, **move, version="abc")
    assert r.status_code == 422 and "应为整数" in r.json()["errors"]["version"][0]
    for bad in (0, -1, 2**40):
        assert _move(office, raised, **move, version=bad).status_code == 422
    assert _snap(raised) == before
    # someone else changes the problem (a note of the raiser's satisfaction is a change too)
    with acting_as(person("wl_zhuren"), channel="web"):
        services.assign_problem(person("wl_zhuren"), raised, unit=demo["QHKFQ-ZJ"], deadline_wd=3)
    changed = _snap(raised)
    r = _move(office, raised, **move, version=raised.version)  # the version it saw: now stale
    assert r.status_code == 409, r.content
    says = r.json()["errors"]["version"][0]
    assert "已被" in says and person("wl_zhuren").name in says and "第 2 版" in says, says
    assert _snap(raised) == changed
    r = _move(office, raised, action="start", version=changed[3])
    assert r.status_code in (200, 403), r.content  # the version is right: the machine decides


def test_api_resolve_multipart_checks_the_version(raised, client_for, demo, person):
    services.assign_problem(person("duchashi"), raised, unit=demo["QHKFQ-ZR"], deadline_wd=5)
    c = client_for("ziranziyuan")
    url = f"/api/v1/supervision/problems/{raised.pk}/resolve"
    before = _snap(raised)
    assert c.post(url, {"answer": "已办结"}).status_code == 422  # no version
    r = c.post(url, {"answer": "已办结", "version": "1"})
    assert (
        r.status_code == 409 and "duchashi" not in r.json()["detail"]
    )  # the name, not the account
    assert _snap(raised) == before
    r = c.post(url, {"answer": "已办结", "version": str(before[3])})
    assert r.status_code == 200 and r.json()["status"] == "resolved"


def test_page_problem_move_carries_and_checks_the_version(raised, client_for, demo, person):
    office = client_for("duchashi")
    html = office.get(f"/supervision/problems/{raised.pk}/").content.decode()
    assert f'name="version" value="{raised.version}"' in html
    url = f"/supervision/problems/{raised.pk}/assign/"
    data = {"unit": demo["QHKFQ-ZR"].pk, "deadline_wd": "5"}
    before = _snap(raised)
    r = office.post(url, data, follow=True)
    assert "请提供问题的版本号" in r.content.decode() and _snap(raised) == before
    with acting_as(person("wl_zhuren"), channel="web"):
        services.assign_problem(person("wl_zhuren"), raised, unit=demo["QHKFQ-ZJ"], deadline_wd=3)
    changed = _snap(raised)
    r = office.post(url, {**data, "version": before[3]}, follow=True)
    assert person("wl_zhuren").name in r.content.decode() and _snap(raised) == changed


# ---------------------------------------------------------------- version on report review
@pytest.fixture
def submitted(cycle, make_project, person, clock):
    return services.file_report(person("mishu_wl"), make_project(), REPORT)


def test_report_accept_and_return_need_the_current_version(submitted, client_for, person):
    office = client_for("duchashi")
    base = f"/api/v1/supervision/reports/{submitted.pk}"
    v = submitted.version
    for url, body in ((f"{base}/accept", {}), (f"{base}/return", {"reason": "照片不清晰"})):
        r = office.post(url, json.dumps(body), content_type="application/json")
        assert r.status_code == 422 and "version" in r.json()["errors"], r.content
        r = office.post(url, json.dumps({**body, "version": "x"}), content_type="application/json")
        assert r.status_code == 422
        r = office.post(
            url, json.dumps({**body, "version": v + 1}), content_type="application/json"
        )
        assert r.status_code == 409 and "周报已被" in r.json()["detail"], r.content
    assert ProgressReport.objects.get(pk=submitted.pk).status == "submitted"
    # the page: the form carries the version, a stale one is refused by name
    page = office.get(f"/supervision/reports/{submitted.pk}/").content.decode()
    assert page.count(f'name="version" value="{v}"') == 2
    r = office.post(f"/supervision/reports/{submitted.pk}/accept/", follow=True)
    assert "请提供周报的版本号" in r.content.decode()
    with acting_as(person("wl_zhuren"), channel="web"):  # someone else, meanwhile
        services.return_report(person("wl_zhuren"), submitted, "金额有误")
    r = office.post(f"/supervision/reports/{submitted.pk}/accept/", {"version": v}, follow=True)
    assert person("wl_zhuren").name in r.content.decode()
    assert ProgressReport.objects.get(pk=submitted.pk).status == "returned"
    r = office.post(
        f"{base}/accept", json.dumps({"version": v + 1}), content_type="application/json"
    )  # the current version: the state machine answers (a returned report is not reviewed)
    assert r.status_code == 422 and "status" in r.json()["errors"]


# ---------------------------------------------------------------- forged ids
def test_assign_to_another_zones_department_is_refused(raised, client_for, demo):
    """The park's director (本部门及以下) may 交办 to the zone's departments, not another zone's;
    the district's 督查室 (全部数据) oversees both zones."""
    dept, _ = _other_zone(demo)
    before = _snap(raised)
    park = client_for("wl_zhuren")
    assign = {"action": "assign", "unit_id": dept.pk, "deadline_wd": 5}
    r = _move(park, raised, **assign, version=raised.version)
    assert r.status_code == 422 and "河东招商局" in r.json()["errors"]["unit"][0], r.content
    r = park.post(
        f"/supervision/problems/{raised.pk}/assign/",
        {"unit": dept.pk, "deadline_wd": "5", "version": raised.version},
        follow=True,
    )
    assert "河东招商局" in r.content.decode()
    assert _snap(raised) == before
    r = _move(park, raised, **{**assign, "unit_id": demo["QHKFQ-ZR"].pk}, version=raised.version)
    assert r.status_code == 200 and r.json()["responsible_unit_id"] == demo["QHKFQ-ZR"].pk
    r = _move(client_for("duchashi"), raised, action="return", reason="x", version=1)
    assert r.status_code == 409


def test_suggested_unit_of_another_zone_is_refused(cycle, make_project, client_for, demo, clock):
    dept, _ = _other_zone(demo)
    p = make_project()
    n = Problem.objects.count()
    r = client_for("mishu_wl").post(
        "/api/v1/supervision/problems",
        json.dumps(
            {"project_id": p.pk, "title": "x", "type_code": "land", "suggested_unit_id": dept.pk}
        ),
        content_type="application/json",
    )
    assert r.status_code == 422 and "河东招商局" in json.dumps(r.json(), ensure_ascii=False)
    assert Problem.objects.count() == n


def test_action_item_owner_and_unit_of_another_zone_are_refused(
    cycle, person, client_for, demo, clock
):
    """A park's own 调度会 (a role with meetings.manage over 本部门及以下): its action items go to
    the park's people or the zone's departments, not to another zone's."""
    dept, outsider = _other_zone(demo)
    role = Role.objects.create(
        code="park_meetings", name="园区调度会", permissions=["meetings.manage"], data_scope=4
    )
    boss = person("wl_zhuren")
    boss.roles.add(role)
    m = services.create_meeting(boss, demo["QHKFQ-WL"], {"held_on": "2026-11-23"})
    c = client_for("wl_zhuren")
    url = f"/api/v1/supervision/meetings/{m.pk}/actions"
    base = {"content": "限期完成管网接驳", "deadline": "2026-12-01"}
    for extra, field, name in (
        ({"owner_id": outsider.pk}, "owner_id", "河东张科长"),
        ({"unit_id": dept.pk}, "unit_id", "河东招商局"),
    ):
        r = c.post(url, json.dumps({**base, **extra}), content_type="application/json")
        assert r.status_code == 422 and name in r.json()["errors"][field][0], r.content
    assert not ActionItem.objects.filter(meeting=m).exists()
    r = c.post(
        url,
        json.dumps({**base, "unit_id": demo["QHKFQ-ZJ"].pk, "owner_id": person("zhujian").pk}),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content

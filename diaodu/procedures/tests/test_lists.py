"""The "waiting on my department" list, the miss-target list, procedure_warnings(): contents,
scope and fixed query counts."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from diaodu.procedures import queries, services

ZR_CODES = {"B03", "B06", "B08", "B09", "B10", "B11", "B12"}  # 自然资源局's pre-start items


def count_queries(c, url):
    with CaptureQueriesContext(connection) as ctx:
        r = c.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries), r.content.decode()


def test_waiting_on_my_department(make_chain, client_for, person, demo):
    a = make_chain(name="甲项目")
    b = make_chain(name="乙项目", unit="QHKFQ-GX", secretary="mishu_gx", start=date(2027, 6, 1))
    sec = person("mishu_wl")
    services.update_item(
        sec,
        a.items.get(code="B01"),
        {"status": "done", "actual_start": "2026-05-04", "actual_finish": "2026-05-08"},
    )
    services.update_item(
        sec,
        a.items.get(code="B03"),
        {"status": "done", "actual_start": "2026-05-11", "actual_finish": "2026-05-29"},
    )
    rows = list(queries.waiting_on_units([demo["QHKFQ-ZR"]]))
    assert {(r.project_id, r.code) for r in rows} == {
        (a.project_id, c) for c in ZR_CODES - {"B03"}
    } | {(b.project_id, c) for c in ZR_CODES}
    finishes = [r.latest_finish for r in rows]
    assert finishes == sorted(finishes)  # most urgent first
    assert rows[0].project_id == a.project_id  # 甲 is late: its latest dates come first
    c = client_for("ziranziyuan")  # 自然资源局: sees its items across parks, not the chains
    n, html = count_queries(c, "/procedures/waiting/")
    assert "甲项目" in html and "乙项目" in html and "土地招拍挂出让（摘牌）" in html
    assert "入园评审及投资协议" not in html  # 招商局's
    assert (
        f"/procedures/project/{a.project_id}/" not in html
    )  # no link to a chain outside its scope
    assert 'data-menu="procedures:waiting"' in html
    html = client_for("zhaoshang").get("/procedures/waiting/").content.decode()
    assert (
        "入园评审及投资协议" in html and "乙项目" in html and "甲项目" not in html
    )  # 甲's B01 is done
    # the supervision office may look at a department's list; a park may not pick a unit outside its scope
    assert (
        "甲项目"
        in client_for("duchashi")
        .get(f"/procedures/waiting/?unit={demo['QHKFQ-ZR'].pk}")
        .content.decode()
    )
    assert (
        client_for("mishu_wl").get(f"/procedures/waiting/?unit={demo['QHKFQ-ZR'].pk}").status_code
        == 404
    )


def test_waiting_list_query_count_is_fixed(make_chain, client_for, django_assert_max_num_queries):
    make_chain(name="项目1")
    make_chain(name="项目2", unit="QHKFQ-ZB", secretary="mishu_zb")
    c = client_for("ziranziyuan")
    few, html = count_queries(c, "/procedures/waiting/")
    assert html.count("data-item=") == 14
    for i in range(3, 7):
        make_chain(
            name=f"项目{i}",
            unit=["QHKFQ-GX", "QHKFQ-SY", "QHKFQ-SM", "QHKFQ-WL"][i - 3],
            secretary=None,
        )
    with django_assert_max_num_queries(few):
        html = c.get("/procedures/waiting/").content.decode()
    assert html.count("data-item=") == 42


def test_projects_that_will_miss_their_start(
    make_chain, client_for, person, django_assert_max_num_queries
):
    late_wl = make_chain(name="物流晚项目", start=date(2026, 12, 1))
    later_gx = make_chain(
        name="高新更晚项目", unit="QHKFQ-GX", secretary="mishu_gx", start=date(2026, 10, 1)
    )
    make_chain(name="按期项目", unit="QHKFQ-GX", secretary="mishu_gx", start=date(2027, 9, 1))
    make_chain(name="已开工项目", stage="under_construction", start=date(2026, 7, 1))
    c = client_for("quzhang")
    n, html = count_queries(c, "/procedures/late/")
    assert html.index("高新更晚项目") < html.index("物流晚项目")
    assert "按期项目" not in html and "已开工项目" not in html
    assert "入园评审及投资协议" in html  # the procedure that causes it
    rows = list(queries.late_projects(person("quzhang")))
    assert [r.project_id for r in rows] == [later_gx.project_id, late_wl.project_id]
    assert rows[0].days_late_wd > rows[1].days_late_wd > 0
    html = client_for("wl_zhuren").get("/procedures/late/").content.decode()
    assert "物流晚项目" in html and "高新更晚项目" not in html  # scoped
    for i in range(4):
        make_chain(name=f"晚项目{i}", unit="QHKFQ-SY", secretary=None, start=date(2026, 11, 2))
    with django_assert_max_num_queries(n):
        html = c.get("/procedures/late/").content.decode()
    assert html.count("data-project=") == 6


def test_procedure_warnings_for_the_weekly_loop(make_chain, make_project, person):
    late = make_chain(name="晚项目", start=date(2026, 12, 1))
    tight = make_chain(name="紧项目", start=date(2026, 12, 31))  # 开工 possible 12-30: 1 day
    easy = make_chain(name="宽松项目", start=date(2028, 1, 1))
    bare = make_project(name="无链条项目")
    out = queries.procedure_warnings([late.project_id, tight.project_id, easy.project_id, bare.pk])
    assert out[late.project_id]["overdue"][0] == "入园评审及投资协议"
    assert "土地招拍挂出让（摘牌）" in out[late.project_id]["at_risk"]
    assert out[tight.project_id]["overdue"] == [] and out[tight.project_id]["at_risk"]
    assert out[easy.project_id] == {"overdue": [], "at_risk": []}
    assert out[bare.pk] == {"overdue": [], "at_risk": []}
    services.update_item(
        person("mishu_wl"), late.items.get(code="B01"), {"status": "not_applicable"}
    )
    assert (
        "入园评审及投资协议"
        not in queries.procedure_warnings([late.project_id])[late.project_id]["overdue"]
    )

"""The problem list's page and API list parse their filters with one FilterSet."""

import pytest

from diaodu.supervision import services


@pytest.fixture
def problems(cycle, make_project, person, demo, clock):
    p = make_project()
    sec, office = person("mishu_wl"), person("duchashi")
    a = services.raise_problem(sec, p, title="甲问题用地", type_code="land")
    b = services.raise_problem(sec, p, title="乙问题资金", type_code="funding")
    services.raise_problem(sec, p, title="丙问题电力", type_code="utilities")
    services.assign_problem(office, a, unit=demo["QHKFQ-ZR"], deadline_wd=1)
    services.assign_problem(office, b, unit=demo["QHKFQ-FG"], deadline_wd=10)
    clock.set(2026, 11, 25, 9, 0)  # a is overdue
    return ("甲问题用地", "乙问题资金", "丙问题电力")


QUERIES = [
    {},
    {"status": "raised"},
    {"type": "land"},
    {"overdue": "1"},
    {"q": "资金"},
    {"open": "1", "status": "assigned"},
]


@pytest.mark.parametrize("params", QUERIES)
def test_page_and_api_agree(client_for, problems, params):
    c = client_for("duchashi")
    html = c.get("/supervision/problems/", params).content.decode()
    page = {t for t in problems if t in html}
    r = c.get("/api/v1/supervision/problems", {**params, "limit": 200})
    assert r.status_code == 200, r.content[:300]
    assert page == {p["title"] for p in r.json()["items"]}


def test_mine_for_a_department(client_for, problems):
    c = client_for("ziranziyuan")
    r = c.get("/api/v1/supervision/problems", {"mine": "true"})
    assert [p["title"] for p in r.json()["items"]] == ["甲问题用地"]
    assert "甲问题用地" in c.get("/supervision/problems/", {"mine": "1"}).content.decode()


def test_api_refuses_a_bad_status_naming_it(client_for, problems):
    r = client_for("duchashi").get("/api/v1/supervision/problems", {"status": "flying"})
    assert r.status_code == 422 and "“状态”" in r.json()["errors"]["status"][0]
    assert (
        client_for("duchashi").get("/supervision/problems/", {"status": "flying"}).status_code
        == 200
    )

"""The ledger's page and API list parse their filters with one FilterSet: the same query string
gives the same projects; a bad value is ignored (with a message for stages) on the page and
refused with a Chinese message naming the filter in the API."""

import pytest

from diaodu.projects.tests.test_pages import ledger  # noqa: F401 - the fixture

QUERIES = [
    {},
    {"stage": ["under_construction"]},
    {"category": "new_start"},
    {"industry": "g59"},
    {"q": "物流"},
    {"person_name": "不存在的人"},
    {"sort": "name", "stage": ["lead", "under_construction"]},
]


def _api_names(c, params):
    r = c.get("/api/v1/projects/", {**params, "limit": 200})
    assert r.status_code == 200, r.content[:300]
    return {p["name"] for p in r.json()["items"]}


def _page_names(c, params, ledger):  # noqa: F811
    html = c.get("/projects/", params).content.decode()
    return {n for n in ledger if n in html}


@pytest.mark.parametrize("params", QUERIES)
def test_page_and_api_agree(client_for, ledger, params):  # noqa: F811
    c = client_for("duchashi")
    assert _page_names(c, params, ledger) == _api_names(c, params)


@pytest.mark.parametrize(
    ("params", "field", "label"),
    [
        ({"category": "bogus"}, "category", "计划类别"),
        ({"stage": "flying"}, "stage", "项目阶段"),
        ({"sort": "drop table"}, "sort", "排序"),
    ],
)
def test_api_refuses_a_bad_filter_naming_it(client_for, ledger, params, field, label):  # noqa: F811
    r = client_for("duchashi").get("/api/v1/projects/", params)
    assert r.status_code == 422, r.content[:300]
    assert label in str(r.json()), r.json()
    # the page ignores it and shows everything else
    page = client_for("duchashi").get("/projects/", params)
    assert page.status_code == 200

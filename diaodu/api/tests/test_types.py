"""The API requires the declared JSON types: a string for a number, a list for an object, a body
that is not an object, an impossible date, dates in the wrong order, numbers past a column's
range — each is a 400/422 in Chinese naming the field, nothing is written, never a 500."""

import json

import pytest

from diaodu.audit.models import AuditEntry
from diaodu.org.models import Unit
from diaodu.projects.models import Project
from diaodu.supervision.models import AgendaItem, DispatchMeeting


def post(c, url, body):
    raw = body if isinstance(body, str) else json.dumps(body)
    return c.post(f"/api/v1{url}", raw, content_type="application/json")


@pytest.fixture
def office(client_for):
    return client_for("duchashi")


def _park(demo):
    return demo["QHKFQ-WL"].pk


@pytest.mark.parametrize(
    "body, field, says",
    [
        ({"name": 5}, "name", "应为文字"),
        ({"name": "x", "unit_id": "abc"}, "unit_id", "应为整数"),
        ({"name": "x", "unit_id": 1.5}, "unit_id", "应为整数"),
        ({"name": "x", "total_investment": "很多"}, "total_investment", "应为数字"),
        ({"name": "x", "total_investment": [1]}, "total_investment", "应为数字"),
        ({"name": "x", "planned_start_date": "2026-02-30"}, "planned_start_date", "日期"),
        ({"name": "x", "planned_start_date": "明天"}, "planned_start_date", "YYYY-MM-DD"),
        ({"name": "x", "lead_official_ids": {"a": 1}}, "lead_official_ids", "应为列表"),
        ({"name": "x", "lead_official_ids": ["甲"]}, "lead_official_ids[0]", "应为整数"),
        ({"name": ["x"]}, "name", "应为文字"),
    ],
)
def test_wrong_types_name_the_field(demo, office, body, field, says):
    before = Project.objects.count(), AuditEntry.objects.count()
    body = {"unit_id": _park(demo), **body}
    r = post(office, "/projects/", body)
    assert r.status_code == 422, r.content
    data = r.json()
    assert field in data["errors"] and says in data["errors"][field][0], data
    assert (
        "数据校验未通过" in data["detail"] and f"「{next(iter(data['errors']))}」" in data["detail"]
    )
    assert (Project.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "x", "total_investment": "1e30"}, "total_investment"),
        ({"name": "x", "total_investment": 10**20}, "total_investment"),
        ({"name": "x", "land_area_mu": "99999999999"}, "land_area_mu"),
        ({"name": "x", "latitude": "1e30"}, "latitude"),
        ({"name": "x", "expected_jobs": 10**12}, "expected_jobs"),
        (
            {
                "name": "x",
                "planned_start_date": "2026-09-01",
                "planned_completion_date": "2026-01-01",
            },
            "planned_completion_date",
        ),
    ],
)
def test_out_of_range_and_wrong_order_refused_by_field(demo, office, body, field):
    before = Project.objects.count()
    r = post(office, "/projects/", {"unit_id": _park(demo), **body})
    assert r.status_code == 422, r.content
    assert field in r.json()["errors"], r.json()
    assert Project.objects.count() == before


def test_a_body_must_be_an_object(demo, office):
    unit = Unit.objects.get(pk=_park(demo)).parent
    meeting = post(office, "/supervision/meetings", {"unit_id": unit.pk, "title": "第48周调度会"})
    assert meeting.status_code == 201, meeting.content
    mid = meeting.json()["id"]
    items = AgendaItem.objects.filter(meeting_id=mid).count()
    for raw in ('"一条议题"', "[1, 2]", "42", "null", "{bad json", "\ufeff{}"):
        r = post(office, f"/supervision/meetings/{mid}/agenda", raw)
        assert r.status_code in (400, 422), (raw, r.status_code, r.content)
        assert "JSON" in r.json()["detail"] or "errors" in r.json(), r.json()
    r = post(office, f"/supervision/meetings/{mid}/agenda", '"一条议题"')
    assert r.status_code == 400 and "请求体应为 JSON 对象" in r.json()["detail"]
    assert AgendaItem.objects.filter(meeting_id=mid).count() == items
    r = post(office, "/projects/", [1, 2])
    assert r.status_code == 400 and "JSON 对象" in r.json()["detail"]
    assert DispatchMeeting.objects.filter(pk=mid).exists()


def test_bounds_on_query_and_path(demo, office):
    r = office.get("/api/v1/people", {"offset": -106})
    assert r.status_code == 422 and "offset" in r.json()["errors"]
    assert "不能为负数" in r.json()["errors"]["offset"][0]
    r = office.get("/api/v1/projects/", {"unit": "abc"})
    assert r.status_code == 422 and "应为整数" in r.json()["errors"]["unit"][0]
    for pk in ("99999999999999999999999", str(2**63)):
        r = office.get(f"/api/v1/projects/{pk}")
        assert r.status_code in (404, 422), (pk, r.status_code)
    r = office.get("/api/v1/supervision/problems", {"project": 10**25})
    assert r.status_code in (200, 404, 422)

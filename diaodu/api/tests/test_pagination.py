"""One pagination style across the API: ?limit=&offset=, answered as items/count/limit/offset/has_next."""

import pytest

LISTS = [
    "/api/v1/people",
    "/api/v1/units",
    "/api/v1/projects/",
    "/api/v1/notify/inbox",
    "/api/v1/targets/agreements",
    "/api/v1/targets/rankings",
    "/api/v1/supervision/problems",
    "/api/v1/supervision/meetings",
    "/api/v1/supervision/actions",
]


@pytest.mark.parametrize("url", LISTS)
def test_every_list_answers_the_same_envelope(url, client_for, demo):
    r = client_for("duchashi").get(url, {"limit": 2})
    assert r.status_code == 200, r.content
    body = r.json()
    assert set(body) == {"items", "count", "limit", "offset", "has_next", "count_capped"}
    assert body["limit"] == 2 and body["offset"] == 0 and len(body["items"]) <= 2
    assert body["has_next"] == (body["count"] > 2)


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(
    "params, needle",
    [
        ({"offset": -1}, "offset（跳过条数）不能为负数"),
        ({"offset": "x"}, "offset（跳过条数）应为整数"),
        ({"limit": 0}, "limit（每页条数）应在 1 到 200 之间"),
        ({"limit": 201}, "limit（每页条数）应在 1 到 200 之间"),
        ({"limit": "1.5"}, "limit（每页条数）应为整数"),
    ],
)
def test_bad_limit_or_offset_is_a_chinese_422_never_a_500(url, params, needle, client_for, demo):
    r = client_for("duchashi").get(url, params)
    assert r.status_code == 422, (url, r.status_code, r.content[:200])
    errors = r.json()["errors"]
    assert needle in " ".join(m for messages in errors.values() for m in messages), errors
    assert set(errors) <= {"limit", "offset"}


def test_pages_walk_the_list_without_gaps_or_repeats(client_for, demo):
    c = client_for("sysadmin")
    whole = c.get("/api/v1/people", {"limit": 200}).json()
    assert whole["count"] == len(whole["items"]) > 5 and not whole["has_next"]
    seen = []
    offset = 0
    while True:
        page = c.get("/api/v1/people", {"limit": 3, "offset": offset}).json()
        assert page["count"] == whole["count"] and page["offset"] == offset
        seen += [p["id"] for p in page["items"]]
        if not page["has_next"]:
            break
        offset += 3
    assert seen == [p["id"] for p in whole["items"]]
    beyond = c.get("/api/v1/people", {"offset": whole["count"] + 10}).json()
    assert beyond["items"] == [] and not beyond["has_next"]


def test_projects_count_can_be_skipped(client_for, demo):
    body = client_for("duchashi").get("/api/v1/projects/", {"with_count": False}).json()
    assert body["count"] == -1 and body["count_capped"] is False


def test_openapi_documents_limit_and_offset(client_for):
    spec = client_for("mishu_wl").get("/api/v1/openapi.json").json()  # signed-in only
    for url in LISTS:
        params = {p["name"] for p in spec["paths"][url]["get"]["parameters"]}
        assert {"limit", "offset"} <= params, url

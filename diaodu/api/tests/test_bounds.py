"""Integers from a query string are bounded everywhere: an offset, a limit, a page number, an id or
a year far out of range is a Chinese 422 in the API and an ordinary page on the web — never a
500 (found by bench/probe_security.py: ?page=10**20 overflowed the database's bigint, and
year=99999 a Python date)."""

import pytest

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/people?offset=-106",
        "/api/v1/people?limit=-1",
        "/api/v1/people?limit=100000000",
        f"/api/v1/people?offset={HUGE}",
        "/api/v1/projects/?limit=abc",
        "/api/v1/targets/progress?unit=1&year=99999",
        "/api/v1/targets/progress?unit=1&year=-1",
        "/api/v1/targets/monthly?year=99999",
        "/api/v1/targets/monthly?year=2026&month=13",
        "/api/v1/targets/rankings?year=0",
        "/api/v1/targets/agreements?year=123456",
        "/api/v1/targets/economy/ranking?group=1&indicator=1&year=2026&month=0",
    ],
)
def test_api_bounds_are_422(client_for, url):
    r = client_for("duchashi").get(url)
    assert r.status_code == 422, (url, r.status_code, r.content[:200])
    assert r.json()["detail"] and not r.json()["detail"].isascii()


@pytest.mark.parametrize(
    "url",
    [
        f"/projects/?page={HUGE}",
        "/projects/?page=-1",
        "/projects/?page=abc",
        f"/procedures/late/?page={HUGE}",
        f"/procedures/waiting/?page={HUGE}",
        f"/supervision/problems/?page={HUGE}",
        "/targets/monthly/?year=99999&month=-3",
        f"/supervision/problems/?unit={HUGE}",
    ],
)
def test_page_bounds_never_500(client_for, url):
    r = client_for("duchashi").get(url)
    assert r.status_code in (200, 404), (url, r.status_code)

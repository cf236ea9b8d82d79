"""Permission matrix: for each built-in role and each data-scope code, which units and people a
person can list and fetch — in the pages and in the API — including forged ids across parks."""

import pytest

from diaodu.audit.context import acting_as
from diaodu.org import services
from diaodu.org.models import User
from diaodu.org.scope import SYSTEM

ZONE_CODES = {
    "QHKFQ",
    "QHKFQ-WL",
    "QHKFQ-ZB",
    "QHKFQ-GX",
    "QHKFQ-SY",
    "QHKFQ-SM",
    "QHKFQ-ZS",
    "QHKFQ-ZR",
    "QHKFQ-ZSB",
    "QHKFQ-FG",
    "QHKFQ-ZJ",
    "QHKFQ-HB",
    "QHKFQ-DC",
    "QHKFQ-BGS",
}
ALL_CODES = ZONE_CODES | {"QH"}

# username -> unit codes visible (None: may not list units at all)
EXPECTED_UNITS = {
    "sysadmin": ALL_CODES,  # scope 1, sys.units
    "secadmin": None,  # security admin: roles, not units
    "auditor": None,  # audit admin: logs only
    "duchashi": ALL_CODES,  # 督查室, scope 1
    "fuzhuren": ZONE_CODES,  # leader, scope 4 at the zone
    "quzhang": ALL_CODES,  # leader, scope 4 at the district (and the zone)
    "wl_zhuren": {"QHKFQ-WL"},  # park staff + leader, scope 4 at one park
    "ziranziyuan": {"QHKFQ-ZR"},  # department, scope 3
    "zhaoshang": {"QHKFQ-ZS", "QHKFQ-GX", "QHKFQ-SY"},  # scope 3 ∪ scope 2 (custom: two parks)
    "mishu_wl": None,  # secretary, scope 5: projects only
}


def api_get(client, path):
    return client.get(f"/api/v1{path}")


def api_items(client, path) -> list:
    """A whole (short) API list: one page of the largest size."""
    r = client.get(f"/api/v1{path}", {"limit": 200})
    assert r.status_code == 200 and not r.json()["has_next"], r.content[:200]
    return r.json()["items"]


@pytest.mark.parametrize("username", sorted(EXPECTED_UNITS))
def test_units_list_and_fetch(username, client_for, demo):
    c = client_for(username)
    expected = EXPECTED_UNITS[username]
    page = c.get("/org/units/")
    api = api_get(c, "/units")
    if expected is None:
        assert page.status_code == 403
        assert api.status_code == 403
        assert "权限" in api.json()["detail"]
        return
    assert page.status_code == 200
    assert api.status_code == 200
    assert {u["code"] for u in api.json()["items"]} == expected
    html = page.content.decode()
    for code, unit in demo.items():
        assert (f"<code>{code}</code>" in html) == (code in expected), code
        detail = c.get(f"/org/units/{unit.pk}/")
        fetched = api_get(c, f"/units/{unit.pk}")
        want = 200 if code in expected else 404
        assert detail.status_code == want, (code, detail.status_code)
        assert fetched.status_code == want, (code, fetched.status_code)
        if want == 404:
            assert unit.name not in fetched.content.decode()


def test_forged_id_across_parks_reveals_nothing(client_for, demo):
    c = client_for("wl_zhuren")
    other = demo["QHKFQ-ZB"]
    r = api_get(c, f"/units/{other.pk}")
    assert r.status_code == 404
    assert "装备" not in r.content.decode()
    assert c.get(f"/org/units/{other.pk}/").status_code == 404
    assert api_get(c, "/units/999999").status_code == 404
    assert c.get("/org/units/abc/").status_code == 404


EXPECTED_PEOPLE = {
    "wl_zhuren": {"wl_zhuren", "mishu_wl"},
    "ziranziyuan": {"ziranziyuan"},
    "zhaoshang": {"zhaoshang", "mishu_zb", "gx_zhuren", "mishu_gx", "sy_zhuren", "mishu_sy"},
}


@pytest.mark.parametrize("username", sorted(EXPECTED_PEOPLE))
def test_people_list_and_fetch(username, client_for, demo):
    c = client_for(username)
    expected = EXPECTED_PEOPLE[username]
    r = api_get(c, "/people")
    assert r.status_code == 200
    assert {p["username"] for p in r.json()["items"]} == expected
    page = c.get("/org/people/").content.decode()
    for user in User.objects.all():
        assert (f"<td>{user.username}</td>" in page) == (user.username in expected), user.username
        want = 200 if user.username in expected else 404
        assert c.get(f"/org/people/{user.pk}/").status_code == want
        assert api_get(c, f"/people/{user.pk}").status_code == want


def test_all_scope_sees_everyone(client_for):
    r = api_get(client_for("sysadmin"), "/people")
    assert r.json()["count"] == User.objects.count()


def test_self_only_scope_sees_only_oneself(client_for, demo):
    with acting_as(None):
        role = services.create_role(
            SYSTEM,
            code="self_people",
            name="仅本人查看",
            permissions=["people.view", "units.view"],
            data_scope=5,
        )
        user = User.objects.get(username="mishu_zb")
        services.grant_roles(SYSTEM, user, [role])
    c = client_for("mishu_zb")
    assert [p["username"] for p in api_items(c, "/people")] == ["mishu_zb"]
    # 仅本人 for units: the units one belongs to (兼职: two of them)
    assert {u["code"] for u in api_items(c, "/units")} == {"QHKFQ-ZB", "QHKFQ-ZS"}
    other = User.objects.get(username="mishu_wl")
    assert api_get(c, f"/people/{other.pk}").status_code == 404


def test_union_of_roles(client_for, demo):
    # 招商局 staff: 本部门 (招商局) plus 自定数据 (高新园, 医药园) — the union, nothing more
    codes = {u["code"] for u in api_items(client_for("zhaoshang"), "/units")}
    assert codes == {"QHKFQ-ZS", "QHKFQ-GX", "QHKFQ-SY"}


def test_masked_phone_and_id_in_lists(client_for, demo):
    with acting_as(None):
        u = User.objects.get(username="mishu_wl")
        services.update_person(SYSTEM, u, id_number="220102199001011234")
    c = client_for("sysadmin")
    html = c.get("/org/people/").content.decode()
    assert "13900000040" not in html
    assert "139****0040" in html
    assert "220102199001011234" not in html
    assert "220102********1234" in html
    data = api_items(c, "/people")
    assert all("****" in p["phone"] for p in data if p["phone"])


def test_anonymous_gets_nothing(client, demo):
    assert client.get("/org/units/").status_code == 302
    r = client.get("/api/v1/units")
    assert r.status_code == 401
    assert "未登录" in r.json()["detail"]

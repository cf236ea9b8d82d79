"""Pages of the unit tree, people and roles: menus by role, forms, fixed query counts."""

import pytest

from diaodu.audit.context import acting_as
from diaodu.org import services
from diaodu.org.models import DictItem, Unit, User
from diaodu.org.scope import SYSTEM

MENU = {
    "sysadmin": {"org:units", "org:people", "org:dicts"},
    "secadmin": {"org:roles", "org:people"},
    "auditor": {"audit:entries", "audit:logins"},
    "mishu_wl": set(),
}
ADMIN_ITEMS = {"org:units", "org:people", "org:dicts", "org:roles", "audit:entries", "audit:logins"}


@pytest.mark.parametrize("username", sorted(MENU))
def test_menu_shows_only_what_role_allows(client_for, username):
    html = client_for(username).get("/").content.decode()
    shown = {k for k in ADMIN_ITEMS if f'data-menu="{k}"' in html}
    assert shown == MENU[username]
    assert 'data-menu="web:profile"' in html


def test_home_lists_units_and_roles(client_for):
    html = client_for("mishu_zb").get("/").content.decode()
    assert "装备制造产业园" in html and "招商局" in html and "项目秘书" in html


def test_create_unit_through_form(client_for, demo):
    c = client_for("sysadmin")
    r = c.post(
        "/org/units/new/",
        {
            "name": "新材料产业园",
            "code": "QHKFQ-XC",
            "kind": "park",
            "parent": demo["QHKFQ"].pk,
            "sort_order": "9",
            "short_name": "",
            "region_code": "",
        },
    )
    assert r.status_code == 302
    u = Unit.objects.get(code="QHKFQ-XC")
    assert u.parent == demo["QHKFQ"] and u.path == f"{demo['QHKFQ'].path}{u.pk}/"
    r = c.post(
        "/org/units/new/",
        {"name": "", "code": "QHKFQ-XC", "kind": "park", "parent": "", "sort_order": "x"},
    )
    html = r.content.decode()
    assert r.status_code == 200 and "排序应为整数" in html


def test_forged_parent_id_refused(client_for, demo):
    r = client_for("sysadmin").post(
        "/org/units/new/",
        {"name": "x", "code": "X1", "kind": "park", "parent": "99999", "sort_order": "0"},
    )
    assert r.status_code == 404
    assert not Unit.objects.filter(code="X1").exists()


def test_create_person_and_grant_roles_via_pages(client_for, demo):
    c = client_for("sysadmin")
    r = c.post(
        "/org/people/new/",
        {
            "username": "liming",
            "name": "李明",
            "password": "Li#ming2026x",
            "phone": "13812345678",
            "id_number": "",
            "email": "",
            "unit": [str(demo["QHKFQ-SY"].pk)],
            "position": ["科员"],
        },
    )
    assert r.status_code == 302, r.content.decode()[:500]
    u = User.objects.get(username="liming")
    assert u.must_change_password and u.memberships.get().unit.code == "QHKFQ-SY"
    sec = client_for("secadmin")
    from diaodu.org.models import Role

    r = sec.post(
        f"/org/people/{u.pk}/roles/", {"role": [str(Role.objects.get(code="secretary").pk)]}
    )
    assert r.status_code == 302
    assert list(u.roles.values_list("code", flat=True)) == ["secretary"]
    r = sec.post(
        f"/org/people/{u.pk}/roles/",
        {
            "role": [
                str(Role.objects.get(code="sysadmin").pk),
                str(Role.objects.get(code="auditadmin").pk),
            ]
        },
    )
    assert "三员分立" in r.content.decode()
    assert list(u.roles.values_list("code", flat=True)) == ["secretary"]


def test_role_editor(client_for):
    sec = client_for("secadmin")
    r = sec.post(
        "/org/roles/new/",
        {
            "code": "viewer",
            "name": "只读",
            "data_scope": "4",
            "permissions": ["projects.view", "units.view"],
        },
    )
    assert r.status_code == 302
    r = sec.post(
        "/org/roles/new/",
        {
            "code": "bad",
            "name": "坏",
            "data_scope": "1",
            "permissions": ["projects.view", "audit.view"],
        },
    )
    assert "三员分立" in r.content.decode()
    assert sec.get("/org/roles/").status_code == 200
    assert client_for("sysadmin").get("/org/roles/").status_code == 403


def test_dictionary_seeded_with_industry_sections_and_editable(client_for):
    sections = DictItem.objects.filter(dict_type__code="industry", parent_code="").order_by(
        "sort_order"
    )
    assert [i.code for i in sections] == list("ABCDEFGHIJKLMNOPQRST")
    assert sections.get(code="C").label == "制造业"
    c = client_for("sysadmin")
    assert "制造业" in c.get("/org/dicts/?type=industry").content.decode()
    c.post(
        "/org/dicts/problem_type/save/",
        {"code": "traffic", "label": "交通", "sort_order": "20", "is_active": "1"},
    )
    assert DictItem.objects.get(dict_type__code="problem_type", code="traffic").label == "交通"
    r = c.post(
        "/org/dicts/problem_type/save/",
        {"code": "traffic", "label": "重复", "sort_order": "1"},
        follow=True,
    )
    assert "已存在" in r.content.decode()
    assert client_for("duchashi").get("/org/dicts/").status_code == 403


@pytest.mark.parametrize("extra", [0, 40])
def test_people_list_query_count_is_fixed(client_for, demo, django_assert_max_num_queries, extra):
    with acting_as(None):
        for i in range(extra):
            services.create_person(
                SYSTEM,
                username=f"bulk{i:03d}",
                password="Bulk#Pass99",
                name=f"批量{i}",
                memberships=[(demo["QHKFQ-WL"], "科员")],
            )
    c = client_for("sysadmin")
    c.get("/org/people/")
    with django_assert_max_num_queries(14):
        assert c.get("/org/people/").status_code == 200


@pytest.mark.parametrize("extra", [0, 40])
def test_units_list_query_count_is_fixed(client_for, demo, django_assert_max_num_queries, extra):
    with acting_as(None):
        for i in range(extra):
            services.create_unit(
                SYSTEM, parent=demo["QHKFQ-WL"], code=f"B{i:03d}", name=f"科室{i}", kind="office"
            )
    c = client_for("sysadmin")
    c.get("/org/units/")
    with django_assert_max_num_queries(12):
        assert c.get("/org/units/").status_code == 200

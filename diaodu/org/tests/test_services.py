"""Unit tree, people and roles through the services: moves, disable, 三员分立, validation."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from diaodu.audit.context import acting_as
from diaodu.audit.models import AuditEntry
from diaodu.org import services
from diaodu.org.models import Role, Unit, User
from diaodu.org.scope import SYSTEM, scope_for


@pytest.fixture
def sysadmin(person):
    return person("sysadmin")


def test_subtree_query_and_move(demo, sysadmin):
    zone = demo["QHKFQ"]
    assert set(Unit.objects.subtree(zone).values_list("code", flat=True)) == {
        c for c in demo if c.startswith("QHKFQ")
    }
    with acting_as(sysadmin):
        office = services.create_unit(
            sysadmin, parent=demo["QHKFQ-WL"], code="WL-1", name="物流园综合科", kind="office"
        )
        deeper = services.create_unit(
            sysadmin, parent=office, code="WL-1-1", name="一组", kind="office"
        )
        services.move_unit(sysadmin, demo["QHKFQ-WL"], demo["QH"])
    wl = Unit.objects.get(code="QHKFQ-WL")
    deeper.refresh_from_db()
    assert wl.parent.code == "QH" and wl.depth == 1
    assert deeper.path == f"{demo['QH'].path}{wl.pk}/{office.pk}/{deeper.pk}/" and deeper.depth == 3
    assert not Unit.objects.subtree(zone).filter(code="WL-1-1").exists()
    assert AuditEntry.objects.filter(action="unit.move").count() == 1


def test_cannot_move_under_own_descendant(demo, sysadmin):
    with acting_as(sysadmin), pytest.raises(ValidationError) as exc:
        services.move_unit(sysadmin, demo["QHKFQ"], demo["QHKFQ-WL"])
    assert "下级" in str(exc.value)
    assert Unit.objects.get(code="QHKFQ").parent.code == "QH"


def test_disable_subtree_and_enable(demo, sysadmin):
    with acting_as(sysadmin):
        services.set_unit_active(sysadmin, demo["QHKFQ"], False)
        assert not Unit.objects.subtree(demo["QHKFQ"]).filter(is_active=True).exists()
        with pytest.raises(ValidationError):
            services.set_unit_active(sysadmin, demo["QHKFQ-WL"], True)
        services.set_unit_active(sysadmin, demo["QHKFQ"], True)
    assert Unit.objects.get(code="QHKFQ").is_active


def test_unit_validation_changes_nothing(demo, sysadmin):
    before = Unit.objects.count()
    audit_before = AuditEntry.objects.count()
    with acting_as(sysadmin):
        for bad in (
            {"code": "QHKFQ", "name": "重复", "kind": "park"},
            {"code": "含 空格", "name": "x", "kind": "park"},
            {"code": "OK1", "name": "", "kind": "park"},
            {"code": "OK2", "name": "x", "kind": "planet"},
            {"code": "OK3", "name": "x", "kind": "park", "region_code": "12"},
        ):
            with pytest.raises(ValidationError):
                services.create_unit(sysadmin, parent=None, **bad)
    assert Unit.objects.count() == before and AuditEntry.objects.count() == audit_before


def test_business_roles_cannot_administer(demo, person):
    u = person("duchashi")
    with pytest.raises(PermissionDenied):
        services.create_unit(u, parent=None, code="X", name="x", kind="park")
    with pytest.raises(PermissionDenied):
        services.create_role(u, code="x", name="x", permissions=[], data_scope=1)


def test_three_admins_cannot_do_each_others_work(demo, person):
    sys_, sec, aud = person("sysadmin"), person("secadmin"), person("auditor")
    target = person("mishu_wl")
    with pytest.raises(PermissionDenied):
        services.grant_roles(sys_, target, [])  # sysadmin cannot grant roles
    with pytest.raises(PermissionDenied):
        services.create_unit(
            sec, parent=None, code="X", name="x", kind="park"
        )  # secadmin cannot manage units
    with pytest.raises(PermissionDenied):
        services.update_person(aud, target, name="x")  # auditor cannot edit people
    for admin in (sys_, sec, aud):
        s = scope_for(admin)
        assert not any(k.startswith("projects.") for k in s.perms)


def test_separation_of_duties_on_roles(demo, person):
    sec = person("secadmin")
    with acting_as(sec):
        with pytest.raises(ValidationError) as exc:
            services.create_role(
                sec, code="mix", name="混合", permissions=["sys.units", "audit.view"], data_scope=1
            )
        assert "三员分立" in str(exc.value)
        with pytest.raises(ValidationError):
            services.create_role(
                sec,
                code="mix2",
                name="混合",
                permissions=["sys.people", "projects.view"],
                data_scope=1,
            )
        # granting sysadmin + auditadmin to one person is refused too
        roles = list(Role.objects.filter(code__in=["sysadmin", "auditadmin"]))
        with pytest.raises(ValidationError):
            services.grant_roles(sec, person("mishu_wl"), roles)
        with pytest.raises(PermissionDenied):  # nobody changes their own roles
            services.grant_roles(sec, sec, [Role.objects.get(code="sysadmin")])
        # built-in admin roles keep their keys
        with pytest.raises(ValidationError):
            services.update_role(
                sec,
                Role.objects.get(code="auditadmin"),
                name="审计管理员",
                permissions=["audit.view"],
                data_scope=1,
            )


def test_people_service_validation(demo, sysadmin):
    with acting_as(sysadmin):
        with pytest.raises(ValidationError) as exc:
            services.create_person(
                sysadmin, username="mishu_wl", password="Good#Pass1", name="重名"
            )
        assert "已存在" in str(exc.value)
        with pytest.raises(ValidationError):
            services.create_person(
                sysadmin, username="abc", password="Good#Pass1", name="x", phone="123"
            )
        with pytest.raises(PermissionDenied):
            services.set_person_active(sysadmin, sysadmin, False)
    assert not User.objects.filter(username="abc").exists()


def test_memberships_many_units(demo, sysadmin):
    with acting_as(sysadmin):
        u = services.create_person(
            sysadmin,
            username="jianzhi",
            password="Good#Pass1",
            name="兼职者",
            memberships=[(demo["QHKFQ-ZS"], "科员"), (demo["QHKFQ-GX"], "联络员")],
        )
    ms = list(u.memberships.order_by("-is_primary", "id"))
    assert [(m.unit.code, m.position, m.is_primary) for m in ms] == [
        ("QHKFQ-ZS", "科员", True),
        ("QHKFQ-GX", "联络员", False),
    ]


def test_system_actor_is_not_a_request_user(client):
    assert scope_for(None).perms == frozenset()
    assert scope_for(SYSTEM).all_units

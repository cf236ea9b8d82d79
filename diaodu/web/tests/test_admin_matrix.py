"""三员分立 (等保2.0): none of the three administrators can reset, unlock, disable, edit or change
the roles of another administrator or of themselves, in the UI or the API; an administrator is
recovered only by `diaodu admin-recover` on the server, audited and told to the audit
administrator; sensitive actions on anyone are audited with the actor."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from diaodu.audit.context import acting_as
from diaodu.audit.models import AuditEntry
from diaodu.notify.models import Message
from diaodu.org import services
from diaodu.org.demo import DEMO_PASSWORD
from diaodu.org.models import Role, User

ADMINS = ("sysadmin", "secadmin", "auditor")
NEW_PASSWORD = "Takeover#2026"


def _state(user: User) -> tuple:
    user = User.objects.get(pk=user.pk)
    return (
        user.password,
        user.is_active,
        user.locked_until,
        user.must_change_password,
        sorted(user.roles.values_list("code", flat=True)),
        user.name,
    )


def _attempts(c: Client, target: User) -> dict[str, int]:
    """Every sensitive action on `target` through the pages; the status of each answer."""
    pk = target.pk
    any_role = Role.objects.get(code="sysadmin").pk
    return {
        "password": c.post(f"/org/people/{pk}/password/", {"password": NEW_PASSWORD}).status_code,
        "unlock": c.post(f"/org/people/{pk}/unlock/").status_code,
        "toggle": c.post(f"/org/people/{pk}/toggle/").status_code,
        "roles_page": c.get(f"/org/people/{pk}/roles/").status_code,
        "roles": c.post(f"/org/people/{pk}/roles/", {"role": [any_role]}).status_code,
        "edit": c.post(
            f"/org/people/{pk}/edit/", {"username": target.username, "name": "改名"}
        ).status_code,
    }


@pytest.mark.parametrize("actor", ADMINS)
@pytest.mark.parametrize("target", ADMINS)
def test_administrators_cannot_act_on_each_other_or_themselves(client_for, person, actor, target):
    victim = person(target)
    User.objects.filter(pk=victim.pk).update(locked_until=timezone.now() + timedelta(minutes=9))
    before = _state(victim)
    answers = _attempts(client_for(actor), victim)
    assert all(code in (403, 404) for code in answers.values()), answers
    assert _state(victim) == before
    # and the new password does not open the account
    assert not User.objects.get(pk=victim.pk).check_password(NEW_PASSWORD)


@pytest.mark.parametrize("actor", ADMINS)
@pytest.mark.parametrize("target", ADMINS)
def test_services_refuse_the_same(person, actor, target):
    by, victim = person(actor), person(target)
    calls = [
        lambda: services.reset_password(by, victim, NEW_PASSWORD),
        lambda: services.unlock_person(by, victim),
        lambda: services.set_person_active(by, victim, False),
        lambda: services.grant_roles(by, victim, []),
    ]
    with acting_as(by):
        for call in calls:
            with pytest.raises(PermissionDenied):
                call()
    assert User.objects.get(pk=victim.pk).is_active
    assert User.objects.get(pk=victim.pk).roles.exists()


def test_people_page_offers_no_action_on_administrators(client_for, person):
    html = client_for("sysadmin").get("/org/people/?q=admin").content.decode()
    for name in ("secadmin", "sysadmin"):
        pk = person(name).pk
        assert f"/org/people/{pk}/toggle/" not in html
        assert f"/org/people/{pk}/edit/" not in html
    assert "仅服务器上恢复" in html


def test_api_has_no_route_that_writes_a_person(client_for, person):
    c = client_for("sysadmin")
    target = person("auditor").pk
    for method in ("post", "put", "patch", "delete"):
        r = getattr(c, method)(
            f"/api/v1/people/{target}",
            data={"password": NEW_PASSWORD},
            content_type="application/json",
        )
        assert r.status_code in (401, 403, 404, 405), (method, r.status_code)
    r = c.post("/api/v1/people", data={}, content_type="application/json")
    assert r.status_code in (401, 403, 404, 405)
    from diaodu.api.api import api

    for path, methods in api.get_openapi_schema()["paths"].items():
        if "/people" in path:
            assert set(methods) == {"get"}, path


def test_sensitive_actions_on_business_accounts_are_audited_and_shown(client_for, person):
    secretary = person("mishu_wl")
    User.objects.filter(pk=secretary.pk).update(locked_until=timezone.now() + timedelta(minutes=5))
    sysadmin, secadmin = client_for("sysadmin"), client_for("secadmin")
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    assert (
        sysadmin.post(f"/org/people/{secretary.pk}/password/", {"password": NEW_PASSWORD})
    ).status_code == 302
    assert secadmin.post(f"/org/people/{secretary.pk}/unlock/").status_code == 302
    role = Role.objects.get(code="secretary")
    assert (
        secadmin.post(f"/org/people/{secretary.pk}/roles/", {"role": [role.pk]}).status_code == 302
    )
    secretary.refresh_from_db()
    assert secretary.must_change_password and secretary.check_password(NEW_PASSWORD)
    actors = dict(
        AuditEntry.objects.filter(object_id=str(secretary.pk), object_type="org.user", id__gt=last)
        .filter(action__in=["person.reset_password", "person.unlock", "person.roles"])
        .values_list("action", "actor_name")
    )
    assert actors == {
        "person.reset_password": "sysadmin",
        "person.unlock": "secadmin",
        "person.roles": "secadmin",
    }
    auditor = client_for("auditor")
    for action in actors:
        html = auditor.get(f"/audit/?action={action}").content.decode()
        assert action in html or "sysadmin" in html or "secadmin" in html


def test_admin_recover_command(person):
    auditor = person("auditor")
    User.objects.filter(pk=auditor.pk).update(
        locked_until=timezone.now() + timedelta(minutes=10), is_active=False
    )
    out = io.StringIO()
    call_command("admin-recover", "auditor", "--reason", "审计管理员遗忘密码", stdout=out)
    password = out.getvalue().split("一次性密码")[1].split()[0]
    auditor.refresh_from_db()
    assert auditor.is_active and auditor.locked_until is None and auditor.must_change_password
    assert auditor.check_password(password)
    entry = AuditEntry.objects.filter(action="person.admin_recover").last()
    assert entry.channel == "cli" and entry.after["reason"] == "审计管理员遗忘密码"
    assert Message.objects.filter(recipient=auditor, title__contains="auditor").exists()
    # the one-time password must be changed at the first sign-in
    r = Client().post("/login/", {"username": "auditor", "password": password})
    assert r["Location"] == "/password/"


def test_admin_recover_refuses_business_accounts_and_needs_a_reason(person):
    with pytest.raises(CommandError, match="不是管理员"):
        call_command("admin-recover", "mishu_wl", "--reason", "忘记密码", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("admin-recover", "sysadmin", "--reason", " ", stdout=io.StringIO())
    assert person("sysadmin").check_password(DEMO_PASSWORD)

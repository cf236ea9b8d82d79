"""A new deployment starts with the three administrators, each with a one-time password."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from diaodu.audit.services import verify
from diaodu.org.models import User


def test_init_admins_creates_three_separate_admins(db, capsys):
    call_command("init-admins", "--unit", "NEWZONE", "--unit-name", "新区管委会")
    out = capsys.readouterr().out
    passwords = dict(re.findall(r"账号 (\S+)  初始密码 (\S+)", out))
    assert set(passwords) == {"sysadmin", "secadmin", "auditadmin"}
    for username, password in passwords.items():
        user = User.objects.get(username=username)
        assert user.must_change_password and list(user.roles.values_list("code", flat=True)) == [
            username
        ]
        c = Client()
        r = c.post("/login/", {"username": username, "password": password})
        assert r["Location"] == "/password/"
    assert verify().ok
    with pytest.raises(CommandError, match="只能初始化一次"):
        call_command("init-admins", "--unit", "NEWZONE")


def test_unknown_unit_without_name_is_refused(db):
    with pytest.raises(CommandError, match="不存在"):
        call_command("init-admins", "--unit", "NOPE")
    assert not User.objects.exists()


def test_superuser_flag_grants_nothing(db):
    """Permissions come only from roles: a Django superuser flag opens no Diaodu page."""
    from diaodu.org.scope import scope_for

    u = User.objects.create_superuser("root", password="Root#2026x", name="root")
    u.must_change_password = False
    u.save()
    assert scope_for(u).perms == frozenset()
    c = Client()
    c.force_login(u)
    for path in ("/org/units/", "/audit/", "/projects/", "/org/roles/"):
        assert c.get(path).status_code == 403, path

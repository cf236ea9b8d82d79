"""The production backup (docs/production.md): `pg_dump -Fc` of the live database restored with
`pg_restore` into an empty one gives the same records, and `audit-verify` passes on the restored
copy — the audit chain, its triggers and its keyed seals survive the round trip."""

import shutil
import subprocess
import uuid

import pytest
from django.db import connection

from diaodu.audit.context import acting_as
from diaodu.audit.models import AuditEntry
from diaodu.ops.testing import database_url
from diaodu.projects import services
from diaodu.projects.models import Project
from diaodu.web.tests.background import live_demo, processes  # noqa: F401

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump / pg_restore: PostgreSQL 的备份与恢复"
)

TABLES = ("org_unit", "org_user", "projects_project", "audit_auditentry")


def _pg(*args, dbname: str | None, check: bool = True, **kw):
    """Run a PostgreSQL client program against the test server (``dbname`` last, if given)."""
    s = connection.settings_dict
    base = ["-h", s["HOST"] or "127.0.0.1", "-p", str(s["PORT"] or 5432), "-U", s["USER"]]
    tail = [dbname] if dbname else []
    return subprocess.run([*args[:1], *base, *args[1:], *tail], check=check, **kw)


def _counts(dbname: str) -> dict:
    out = {}
    for table in TABLES:
        res = _pg(
            "psql",
            "-At",
            "-c",
            f"SELECT count(*) FROM {table}",
            dbname=dbname,
            capture_output=True,
            text=True,
        )
        out[table] = int(res.stdout.strip())
    return out


def test_pg_dump_restores_to_an_equal_database_whose_audit_chain_verifies(
    live_demo,  # noqa: F811
    processes,  # noqa: F811
    tmp_path,
):
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.fail("pg_dump / pg_restore 未安装（postgresql-client）")
    from diaodu.org.models import User

    user = User.objects.get(username="duchashi")
    with acting_as(user, channel="web"):
        services.create_project(
            user,
            unit=live_demo["QHKFQ"],
            data={"name": "备份恢复演练项目", "total_investment": "1200"},
        )
    source = connection.settings_dict["NAME"]
    assert Project.objects.filter(name="备份恢复演练项目").exists()
    assert AuditEntry.objects.exists()
    before = _counts(source)

    dump = tmp_path / "diaodu.dump"
    _pg("pg_dump", "-Fc", "-f", str(dump), dbname=source)
    target = f"restore_{uuid.uuid4().hex[:10]}"
    _pg("createdb", dbname=target)
    try:
        _pg("pg_restore", "--no-owner", "--exit-on-error", "-d", target, str(dump), dbname=None)
        assert _counts(target) == before
        url = database_url().rsplit("/", 1)[0] + "/" + target
        verify = processes.diaodu("audit-verify", "--no-local-anchor", DATABASE_URL=url)
        assert verify.wait(timeout=120) == 0, processes.output(verify)
        # the restored copy still refuses to rewrite its history
        res = _pg(
            "psql",
            "-c",
            "DELETE FROM audit_auditentry",
            dbname=target,
            check=False,
            capture_output=True,
            text=True,
        )
        assert res.returncode != 0 and "audit" in (res.stderr + res.stdout).lower()
    finally:
        _pg("dropdb", "--if-exists", dbname=target, check=False)

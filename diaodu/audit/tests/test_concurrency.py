"""Appending is concurrent (PostgreSQL): many threads and processes write audited transactions at
once and every committed entry ends up sealed, once, in one verifying chain; a long transaction
never blocks the audited writes of others; a process killed mid-transaction leaves neither its
write nor its entry, and one killed after commit leaves both (the entry sealed by the sweep).

These need a database shared between connections, so they run on PostgreSQL only (SQLite's
test database lives in one connection's memory)."""

import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from diaodu.audit import chain
from diaodu.audit.models import AuditEntry
from diaodu.audit.services import ObjectRef, record
from diaodu.org.models import Unit

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs a database shared by connections"
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[3]
WAIT = 60  # seconds: a bound against hangs, never a measurement


def _threaded(n, target):
    errors = []

    def run(i):
        try:
            target(i)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    assert not errors, errors


def _assert_whole_chain(expected: int):
    # No sweep first: the writers' own after-commit sealing must have left nothing behind.
    assert not AuditEntry.objects.filter(hash="").exists()
    assert AuditEntry.objects.count() == expected
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, expected + 1))
    result = chain.verify(seal_first=False)
    assert result.ok, result.message


def test_threads_append_at_once():
    barrier = threading.Barrier(8)

    def work(i):
        barrier.wait(WAIT)
        for j in range(15):
            with transaction.atomic():
                record("test.thread", ObjectRef("test.thing", f"{i}-{j}", "t"))
                record("test.thread.more", ObjectRef("test.thing", f"{i}-{j}", "t"))

    _threaded(8, work)
    _assert_whole_chain(8 * 15 * 2)


def _child_env():
    env = dict(os.environ)
    db = connection.settings_dict
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env["DIAODU_AUDIT_KEY"] = settings.AUDIT_KEYS[settings.AUDIT_KEY_ID]
    env["DIAODU_AUDIT_HASH"] = settings.AUDIT_HASH
    env["DJANGO_SETTINGS_MODULE"] = "diaodu.settings"
    return env


CHILD = """
import os, sys, time, django
django.setup()
from django.db import transaction
from diaodu.audit.services import ObjectRef, record
from diaodu.org.models import Unit
mode, tag = sys.argv[1], sys.argv[2]
if mode == "append":
    for i in range(int(sys.argv[3])):
        with transaction.atomic():
            record("test.process", ObjectRef("test.thing", f"{tag}-{i}", "p"))
            record("test.process.more", ObjectRef("test.thing", f"{tag}-{i}", "p"))
elif mode == "hang":  # killed while its transaction is open
    with transaction.atomic():
        u = Unit.objects.create(code=tag, name="写到一半", kind="park")
        record("unit.create", u)
        print("ready", flush=True)
        time.sleep(120)
elif mode == "die-after-commit":  # dies between the commit and the sealing
    with transaction.atomic():
        transaction.on_commit(lambda: os._exit(9))
        u = Unit.objects.create(code=tag, name="已提交", kind="park")
        record("unit.create", u)
"""


def _spawn(*args):
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, *args],
        cwd=ROOT,
        env=_child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_processes_append_at_once():
    procs = [_spawn("append", f"p{i}", "20") for i in range(4)]
    for p in procs:
        _, err = p.communicate(timeout=WAIT * 2)
        assert p.returncode == 0, err
    _assert_whole_chain(4 * 20 * 2)


def test_a_long_transaction_does_not_block_others():
    """An import holds its transaction open; meanwhile others' audited writes commit and are
    sealed. With version 1 they queued behind the head row until the import ended."""
    started, release = threading.Event(), threading.Event()

    def long_writer(_):
        with transaction.atomic():
            record("import.row", ObjectRef("test.import", "1", "导入"))
            started.set()
            assert release.wait(WAIT)
            record("import.done", ObjectRef("test.import", "1", "导入"))

    importer = threading.Thread(target=_threaded, args=(1, long_writer))
    importer.start()
    assert started.wait(WAIT)
    try:
        _threaded(4, lambda i: record("test.other", ObjectRef("test.thing", str(i), "o")))
        others = AuditEntry.objects.filter(action="test.other")
        assert others.count() == 4 and not others.filter(hash="").exists()
        assert not AuditEntry.objects.filter(action__startswith="import.").exists()
    finally:
        release.set()
        importer.join(WAIT)
    assert not importer.is_alive()
    _assert_whole_chain(6)
    first_import = AuditEntry.objects.get(action="import.row")
    assert first_import.seq > max(o.seq for o in AuditEntry.objects.filter(action="test.other"))


def test_process_killed_mid_transaction_leaves_nothing():
    record("test.before", ObjectRef("test.thing", "0", "b"))
    p = _spawn("hang", "KILLED-MID")
    ready, _, _ = select.select([p.stdout], [], [], WAIT)
    assert ready and p.stdout.readline().strip() == "ready", p.stderr.read()
    os.kill(p.pid, signal.SIGKILL)
    p.wait(WAIT)
    assert not Unit.objects.filter(code="KILLED-MID").exists()
    assert not AuditEntry.objects.filter(action="unit.create").exists()
    record("test.after", ObjectRef("test.thing", "0", "a"))
    _assert_whole_chain(2)


def test_process_killed_after_commit_keeps_write_and_entry():
    p = _spawn("die-after-commit", "KILLED-AFTER")
    p.communicate(timeout=WAIT)
    assert p.returncode == 9
    unit = Unit.objects.get(code="KILLED-AFTER")
    entry = AuditEntry.objects.get(action="unit.create", object_id=str(unit.pk))
    assert entry.seq is None  # committed, not yet sealed: the sweep does it
    assert chain.seal_all() == 1
    _assert_whole_chain(1)

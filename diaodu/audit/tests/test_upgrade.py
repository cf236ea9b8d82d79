"""The version-1 chain (unkeyed SHA-256) carries over: the data migration seals it with one keyed
entry, after which it verifies, and re-hashing the old part without the key no longer does."""

import datetime as dt
import importlib

import pytest
from django.db import connection

from diaodu.audit import chain
from diaodu.audit.models import GENESIS, AuditEntry, LoginLog
from diaodu.audit.services import ObjectRef, record

upgrade = importlib.import_module("diaodu.audit.migrations.0005_audit_v2_seal_and_guard").upgrade
PG = connection.vendor == "postgresql"


def raw(sql, params=()):
    with connection.cursor() as cur:
        if PG:  # what the migration does before its triggers exist
            cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute(sql, params)


def legacy_entry(seq, prev, name):
    e = AuditEntry(
        seq=seq,
        created_at=dt.datetime(2026, 5, 1, 8, seq, tzinfo=dt.UTC),
        actor_name="wl_zhuren",
        request_id=f"r{seq}",
        channel="web",
        ip="10.0.0.1",
        action="unit.update",
        object_type="org.unit",
        object_id="7",
        object_repr=name,
        before={"name": "旧"},
        after={"name": name},
        prev_hash=prev,
    )
    e.hash = e.legacy_hash()
    return e


def insert(e):
    raw(
        "INSERT INTO audit_auditentry (seq, created_at, actor_name, request_id, channel, ip, action,"
        " object_type, object_id, object_repr, before, after, mac_tag, mac, chain_tag, prev_hash,"
        " hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', '', '', %s, %s)",
        [
            e.seq,
            e.created_at,
            e.actor_name,
            e.request_id,
            e.channel,
            e.ip,
            e.action,
            e.object_type,
            e.object_id,
            e.object_repr,
            '{"name": "旧"}',
            f'{{"name": "{e.object_repr}"}}',
            e.prev_hash,
            e.hash,
        ],
    )


@pytest.fixture
def version_1(db):
    prev = GENESIS
    for seq in range(1, 4):
        e = legacy_entry(seq, prev, f"园区{seq}")
        insert(e)
        prev = e.hash
    raw("UPDATE audit_audithead SET seq = 3, hash = %s WHERE id = 1", [prev])
    for result in ("failed", "success"):
        raw(
            "INSERT INTO audit_loginlog (created_at, username, ip, user_agent, result, mac_tag, mac,"
            " chain_tag, prev_hash, hash) VALUES (%s, 'mishu_wl', '10.0.0.2', 'Firefox', %s,"
            " '', '', '', '', '')",
            [dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC), result],
        )
    upgrade(connection)


def test_version_1_chain_verifies_after_the_upgrade(version_1):
    sealed = AuditEntry.objects.get(seq=4)
    assert sealed.action == "audit.upgrade" and sealed.chain_tag
    assert sealed.after["legacy_seq"] == 3
    assert list(LoginLog.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2]
    result = chain.verify()
    assert result.ok, result.message
    assert result.checked == 4
    upgrade(connection)  # running it again adds nothing
    assert AuditEntry.objects.count() == 4
    record("test.after", ObjectRef("t", "1", "x"))
    assert chain.verify().ok and AuditEntry.objects.get(action="test.after").seq == 5


def test_old_part_rehashed_without_the_key_is_caught(version_1):
    forged = legacy_entry(2, AuditEntry.objects.get(seq=1).hash, "伪造园区")
    raw(
        "UPDATE audit_auditentry SET object_repr = %s, after = %s, hash = %s WHERE seq = 2",
        [forged.object_repr, '{"name": "伪造园区"}', forged.hash],
    )
    third = AuditEntry.objects.get(seq=3)
    third.prev_hash = forged.hash
    raw(
        "UPDATE audit_auditentry SET prev_hash = %s, hash = %s WHERE seq = 3",
        [forged.hash, third.legacy_hash()],
    )
    result = chain.verify()
    assert not result.ok and result.bad_seq == 4


def test_edited_old_entry_is_caught(version_1):
    raw("UPDATE audit_auditentry SET actor_name = 'x' WHERE seq = 1")
    result = chain.verify()
    assert not result.ok and result.bad_seq == 1

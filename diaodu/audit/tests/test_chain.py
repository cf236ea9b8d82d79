"""The audit chain: a normal sequence of writes verifies clean; editing, deleting or inserting a
row directly in the database is caught by `diaodu audit-verify`, naming the first bad entry."""

import json

import pytest
from django.core.management import call_command
from django.db import connection

from diaodu.audit.context import acting_as
from diaodu.audit.models import AuditEntry, AuditProtectedError
from diaodu.audit.services import record, verify
from diaodu.org import services
from diaodu.org.scope import SYSTEM


@pytest.fixture
def chain(demo):
    with acting_as(None):
        unit = demo["QHKFQ-WL"]
        for i in range(5):
            services.update_unit(SYSTEM, unit, sort_order=100 + i)
    return AuditEntry.objects.count()


def raw(sql, params=()):
    """Write straight to the table, as someone with database access would."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL diaodu.audit_maintenance = 'on'")
        cur.execute(sql, params)


def run_verify():
    try:
        call_command("audit-verify")
    except SystemExit as exc:
        return exc.code
    return 0


def test_clean_chain_verifies(chain, capsys):
    result = verify()
    assert result.ok, result.message
    assert result.checked == chain
    assert run_verify() == 0
    assert "校验通过" in capsys.readouterr().out


def test_entry_records_who_what_before_after(demo):
    user = demo["QHKFQ-WL"]
    with acting_as(None, request_id="req42"):
        services.update_unit(SYSTEM, user, name="现代物流园（新）")
    e = AuditEntry.objects.order_by("-seq").first()
    assert e.action == "unit.update"
    assert e.request_id == "req42"
    assert e.before == {"name": "现代物流产业园"}
    assert e.after == {"name": "现代物流园（新）"}
    assert e.object_type == "org.unit" and e.object_id == str(user.pk)


def test_edited_row_is_caught(chain, capsys):
    target = AuditEntry.objects.get(seq=3)
    raw("UPDATE audit_auditentry SET after = %s WHERE seq = 3", [json.dumps({"name": "篡改"})])
    result = verify()
    assert not result.ok and result.bad_seq == 3
    assert "篡改" in result.message
    assert run_verify() == 1
    assert "第 3 条" in capsys.readouterr().err
    del target


def test_edited_actor_is_caught(chain):
    raw("UPDATE audit_auditentry SET actor_name = 'someone' WHERE seq = 2")
    assert verify().bad_seq == 2


def test_deleted_row_is_caught(chain):
    raw("DELETE FROM audit_auditentry WHERE seq = 4")
    result = verify()
    assert not result.ok and result.bad_seq == 4
    assert "删除" in result.message


def test_deleted_newest_row_is_caught(chain):
    raw("DELETE FROM audit_auditentry WHERE seq = %s", [chain])
    result = verify()
    assert not result.ok
    assert result.bad_seq == chain


def test_inserted_row_is_caught(chain):
    e = AuditEntry.objects.get(seq=chain)
    # a forged entry slipped in at the end, with a plausible but wrong hash
    raw(
        "INSERT INTO audit_auditentry (seq, created_at, actor_name, request_id, channel, ip, action, object_type,"
        " object_id, object_repr, prev_hash, hash) VALUES (%s, %s, 'x', 'r', 'web', '', 'unit.update', 'org.unit',"
        " '1', 'x', %s, %s)",
        [chain + 1, e.created_at, e.hash, "f" * 64],
    )
    result = verify()
    assert not result.ok and result.bad_seq == chain + 1


def test_inserted_row_in_the_middle_is_caught(chain):
    # shift the tail up by one and put a forged entry at seq 3
    raw("UPDATE audit_auditentry SET seq = seq + 1000 WHERE seq >= 3")
    raw("UPDATE audit_auditentry SET seq = seq - 999 WHERE seq >= 1003")
    prev = AuditEntry.objects.get(seq=2)
    raw(
        "INSERT INTO audit_auditentry (seq, created_at, actor_name, request_id, channel, ip, action, object_type,"
        " object_id, object_repr, prev_hash, hash) VALUES (3, %s, 'x', 'r', 'web', '', 'unit.update', 'org.unit',"
        " '1', 'x', %s, %s)",
        [prev.created_at, prev.hash, "0" * 64],
    )
    result = verify()
    assert not result.ok and result.bad_seq == 3


def test_application_cannot_edit_or_delete(chain):
    e = AuditEntry.objects.first()
    e.action = "changed"
    with pytest.raises(AuditProtectedError):
        e.save()
    with pytest.raises(AuditProtectedError):
        e.delete()
    with pytest.raises(AuditProtectedError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AuditProtectedError):
        AuditEntry.objects.filter(seq=1).update(action="x")


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgres_trigger_refuses_update(chain):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET action = 'x' WHERE seq = 1")


def test_record_outside_request_names_system(db):
    from diaodu.audit.services import ObjectRef

    e = record("test.ping", ObjectRef("test.thing", "1", "thing"), after={"a": 1})
    assert e.actor_name == "system" and e.seq == 1
    assert verify().ok

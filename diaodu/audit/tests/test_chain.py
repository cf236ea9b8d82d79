"""The audit chain: a normal sequence of writes verifies clean; every kind of tampering by
someone with database access — edit, delete, insert, truncate, re-hash, head edits, login-log
edits — is caught by `audit-verify` (with an anchor where only an anchor can tell)."""

import json

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from diaodu.audit import chain, crypto
from diaodu.audit.context import acting_as
from diaodu.audit.models import AuditEntry, AuditHead, AuditProtectedError, LoginLog
from diaodu.audit.services import ObjectRef, log_login, record, verify
from diaodu.org import services
from diaodu.org.scope import SYSTEM

PG = connection.vendor == "postgresql"
only_pg = pytest.mark.skipif(not PG, reason="PostgreSQL triggers")


@pytest.fixture
def chain_(demo):
    with acting_as(None):
        unit = demo["QHKFQ-WL"]
        for i in range(5):
            services.update_unit(SYSTEM, unit, sort_order=100 + i)
    log_login(None, "mishu_wl", "failed")
    log_login(None, "mishu_wl", "success")
    chain.seal_all()
    return AuditEntry.objects.count()


@pytest.fixture
def small_chain(db):
    for i in range(5):
        record("test.ping", ObjectRef("test.thing", str(i), "thing"), after={"i": i})
    log_login(None, "mishu_wl", "failed")
    chain.seal_all()
    return AuditEntry.objects.count()


def raw(sql, params=()):
    """Write straight to the tables as the database owner would, triggers switched off
    (PostgreSQL: `session_replication_role`, which only a superuser may set)."""
    with connection.cursor() as cur:
        if PG:
            cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute(sql, params)


def run_command(name, *args):
    try:
        call_command(name, *args)
    except SystemExit as exc:
        return exc.code
    return 0


def anchor_now() -> dict:
    return chain.read_anchor(json.dumps(chain.make_anchor()))


def rehash_from(start: int, tag: str, table: str = "audit_auditentry", name: str = "audit"):
    """Recompute every MAC and link from `start` on with the key named by `tag` (what a forger
    does after an edit), and move the head along."""
    ch = chain.AUDIT if name == "audit" else chain.LOGIN
    model = ch.model
    prev = model.objects.get(seq=start - 1).hash if start > 1 else chain.GENESIS
    seq = start - 1
    for e in model.objects.filter(seq__gte=start).order_by("seq"):
        e.mac_tag = tag
        mac = chain.entry_mac(ch, e, tag)
        digest = chain.link_hash(ch, tag, e.seq, prev, mac)
        raw(
            f"UPDATE {table} SET mac_tag = %s, mac = %s, chain_tag = %s, prev_hash = %s, hash = %s"
            " WHERE id = %s",
            [tag, mac, tag, prev, digest, e.pk],
        )
        prev, seq = digest, e.seq
    raw("UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = %s", [seq, prev, ch.head_id])


# ---------------------------------------------------------------- the clean case


def test_clean_chain_verifies(chain_, capsys):
    result = verify()
    assert result.ok, result.message
    assert result.checked == chain_
    assert "登录日志完整：共 2 条" in result.notes[0]
    assert run_command("audit-verify", "--no-local-anchor") == 0
    assert "校验通过" in capsys.readouterr().out


def test_entry_records_who_what_before_after(demo):
    unit = demo["QHKFQ-WL"]
    with acting_as(None, request_id="req42"):
        services.update_unit(SYSTEM, unit, name="现代物流园（新）")
    e = AuditEntry.objects.order_by("-id").first()
    assert e.action == "unit.update"
    assert e.request_id == "req42"
    assert e.before == {"name": "现代物流产业园"}
    assert e.after == {"name": "现代物流园（新）"}
    assert e.object_type == "org.unit" and e.object_id == str(unit.pk)
    assert e.mac and e.mac_tag == crypto.current_tag()


def test_entries_are_sealed_in_order_with_keyed_links(chain_):
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, chain_ + 1))
    assert all(e.chain_tag.startswith("sm3:") for e in entries)
    head = AuditHead.objects.get(id=1)
    assert (head.seq, head.hash) == (entries[-1].seq, entries[-1].hash)
    assert LoginLog.objects.filter(hash="").count() == 0


def test_record_outside_a_transaction_is_sealed_at_once(transactional_db):
    e = record("test.ping", ObjectRef("test.thing", "1", "thing"), after={"a": 1})
    e = AuditEntry.objects.get(pk=e.pk)
    assert e.actor_name == "system" and e.seq is not None
    assert verify().ok


def test_entry_in_a_transaction_waits_for_commit(db):
    with transaction.atomic():
        e = record("test.ping", ObjectRef("test.thing", "1", "thing"))
        assert AuditEntry.objects.get(pk=e.pk).seq is None  # written, not yet sealed
    # the test's own outer transaction never commits, so sealing is what verify does first
    assert verify().ok
    assert AuditEntry.objects.get(pk=e.pk).seq == 1


# ---------------------------------------------------------------- tampering


def test_edited_row_is_caught(chain_, capsys):
    raw("UPDATE audit_auditentry SET after = %s WHERE seq = 3", [json.dumps({"name": "篡改"})])
    result = verify()
    assert not result.ok and result.bad_seq == 3
    assert "篡改" in result.message
    assert run_command("audit-verify", "--no-local-anchor") == 1
    assert "第 3 条" in capsys.readouterr().err


def test_edited_actor_is_caught(chain_):
    raw("UPDATE audit_auditentry SET actor_name = 'someone' WHERE seq = 2")
    assert verify().bad_seq == 2


def test_deleted_row_is_caught(chain_):
    raw("DELETE FROM audit_auditentry WHERE seq = 4")
    result = verify()
    assert not result.ok and result.bad_seq == 4
    assert "删除" in result.message


def test_deleted_newest_row_is_caught(chain_):
    raw("DELETE FROM audit_auditentry WHERE seq = %s", [chain_])
    result = verify()
    assert not result.ok and result.bad_seq == chain_


def test_inserted_row_is_caught(chain_):
    e = AuditEntry.objects.get(seq=chain_)
    raw(
        "INSERT INTO audit_auditentry (seq, created_at, actor_name, request_id, channel, ip, action,"
        " object_type, object_id, object_repr, mac_tag, mac, chain_tag, prev_hash, hash)"
        " VALUES (%s, %s, 'x', 'r', 'web', '', 'unit.update', 'org.unit', '1', 'x', %s, %s, %s, %s, %s)",
        [chain_ + 1, e.created_at, e.mac_tag, "a" * 64, e.chain_tag, e.hash, "f" * 64],
    )
    raw("UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1", [chain_ + 1, "f" * 64])
    result = verify()
    assert not result.ok and result.bad_seq == chain_ + 1


def test_inserted_row_in_the_middle_is_caught(chain_):
    raw("UPDATE audit_auditentry SET seq = seq + 1000 WHERE seq >= 3")
    raw("UPDATE audit_auditentry SET seq = seq - 999 WHERE seq >= 1003")
    prev = AuditEntry.objects.get(seq=2)
    raw(
        "INSERT INTO audit_auditentry (seq, created_at, actor_name, request_id, channel, ip, action,"
        " object_type, object_id, object_repr, mac_tag, mac, chain_tag, prev_hash, hash)"
        " VALUES (3, %s, 'x', 'r', 'web', '', 'unit.update', 'org.unit', '1', 'x', %s, %s, %s, %s, %s)",
        [prev.created_at, prev.mac_tag, "a" * 64, prev.chain_tag, prev.hash, "0" * 64],
    )
    result = verify()
    assert not result.ok and result.bad_seq == 3


def test_forged_pending_entry_is_sealed_but_caught(chain_):
    """Someone inserts an unsealed entry directly: the sealer gives it a place (it cannot tell
    the database's rows apart), but its MAC, made without the key, fails verification."""
    e = AuditEntry.objects.get(seq=1)
    raw(
        "INSERT INTO audit_auditentry (created_at, actor_name, request_id, channel, ip, action,"
        " object_type, object_id, object_repr, mac_tag, mac, chain_tag, prev_hash, hash)"
        " VALUES (%s, 'ghost', 'r', 'web', '', 'unit.delete', 'org.unit', '1', 'x', %s, %s, '', '', '')",
        [e.created_at, e.mac_tag, "b" * 64],
    )
    result = verify()
    assert not result.ok and result.bad_seq == chain_ + 1
    assert "伪造" in result.message


def test_edited_pending_entry_is_caught_before_sealing(chain_):
    with transaction.atomic():
        e = record("test.ping", ObjectRef("test.thing", "1", "thing"), after={"a": 1})
    raw("UPDATE audit_auditentry SET after = %s WHERE id = %s", [json.dumps({"a": 2}), e.pk])
    result = chain.verify_chain(chain.AUDIT)
    assert not result.ok and "待封存" in result.message


def test_rehash_without_the_key_is_caught(chain_):
    """A forger edits entry 2 and recomputes every MAC and link from there with a key of his
    own (he does not have ours): nothing verifies, even with the head moved along."""
    raw("UPDATE audit_auditentry SET actor_name = 'someone' WHERE seq = 2")
    forged_key = "f" * 40
    forged_id = "0123456789abcdef"
    with override_settings(AUDIT_KEYS={forged_id: forged_key}):
        rehash_from(2, f"sm3:{forged_id}")
    result = verify()
    assert not result.ok and result.bad_seq == 2


def test_rehash_under_our_key_id_without_the_key_is_caught(chain_):
    real = crypto.current_tag()
    raw("UPDATE audit_auditentry SET actor_name = 'someone' WHERE seq = 2")
    key_id = real.partition(":")[2]
    with override_settings(AUDIT_KEYS={key_id: "g" * 40}):
        rehash_from(2, real)
    result = verify()
    assert not result.ok and result.bad_seq == 2


def test_rehash_as_an_unkeyed_version_1_chain_is_caught(chain_):
    """Turning the whole chain into version-1 (unkeyed SHA-256) entries is refused: a version-1
    part must be sealed by a keyed upgrade entry."""
    prev = chain.GENESIS
    for e in AuditEntry.objects.order_by("seq"):
        e.prev_hash = prev
        digest = e.legacy_hash()
        raw(
            "UPDATE audit_auditentry SET chain_tag = '', mac_tag = '', mac = '', prev_hash = %s,"
            " hash = %s WHERE id = %s",
            [prev, digest, e.pk],
        )
        prev = digest
    raw("UPDATE audit_audithead SET hash = %s WHERE id = 1", [prev])
    result = verify()
    assert not result.ok and "升级" in result.message


def test_rewrite_with_the_key_is_caught_only_by_the_anchor(chain_):
    """Even someone holding the key cannot rewrite what an anchor covers."""
    anchor = anchor_now()
    raw("UPDATE audit_auditentry SET actor_name = 'someone' WHERE seq = 2")
    rehash_from(2, crypto.current_tag())
    assert verify().ok  # consistent in itself …
    result = verify(anchor)  # … but not with what the auditor kept
    assert not result.ok and result.bad_seq == chain_


def test_truncate_is_caught_by_the_anchor(chain_):
    anchor = anchor_now()
    raw("DELETE FROM audit_auditentry" if not PG else "TRUNCATE audit_auditentry")
    raw("UPDATE audit_audithead SET seq = 0, hash = %s WHERE id = 1", [chain.GENESIS])
    result = verify(anchor)
    assert not result.ok and "截断" in result.message
    assert result.checked == 0


def test_truncated_tail_is_caught_by_the_anchor(chain_):
    anchor = anchor_now()
    last = AuditEntry.objects.get(seq=chain_ - 1)
    raw("DELETE FROM audit_auditentry WHERE seq >= %s", [chain_ - 1])
    prev = AuditEntry.objects.get(seq=chain_ - 2)
    raw("UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1", [prev.seq, prev.hash])
    assert verify().ok  # the head was moved back with the tail: consistent in itself
    result = verify(anchor)
    assert not result.ok and "截断" in result.message
    del last


def test_head_edits_are_caught(chain_):
    raw("UPDATE audit_audithead SET seq = seq - 1 WHERE id = 1")
    assert not verify().ok
    raw("UPDATE audit_audithead SET seq = seq + 1, hash = %s WHERE id = 1", ["e" * 64])
    result = verify()
    assert not result.ok and "链头" in result.message


def test_deleted_head_is_caught(chain_):
    raw("DELETE FROM audit_audithead WHERE id = 1")
    result = chain.verify_chain(chain.AUDIT)
    assert not result.ok and "链头" in result.message


def test_login_log_edits_are_caught(chain_):
    raw("UPDATE audit_loginlog SET result = 'success' WHERE seq = 1")
    result = verify()
    assert not result.ok and result.chain == "login" and result.bad_seq == 1


def test_login_log_delete_is_caught(chain_):
    raw("DELETE FROM audit_loginlog WHERE seq = 1")
    result = verify()
    assert not result.ok and result.chain == "login"


def test_login_log_truncate_is_caught_by_the_anchor(chain_):
    anchor = anchor_now()
    raw("DELETE FROM audit_loginlog")
    raw("UPDATE audit_audithead SET seq = 0, hash = %s WHERE id = 2", [chain.GENESIS])
    result = verify(anchor)
    assert not result.ok and result.chain == "login" and "截断" in result.message


def test_anchor_file_round_trip_and_forgery(chain_, tmp_path, settings, capsys):
    settings.VAR_DIR = tmp_path
    out = tmp_path / "anchor.json"
    assert run_command("audit-anchor", "--out", str(out)) == 0
    data = json.loads(out.read_text())
    assert data["chains"]["audit"]["seq"] == chain_ and data["signature"]
    assert list((tmp_path / "audit_anchors").glob("*.json"))  # a local copy, outside the DB
    assert run_command("audit-verify", "--anchor", str(out)) == 0
    assert "与锚点" in capsys.readouterr().out
    data["chains"]["audit"]["seq"] = 1  # an anchor edited to excuse a truncation
    out.write_text(json.dumps(data))
    assert run_command("audit-verify", "--anchor", str(out)) == 1
    assert "签名无效" in capsys.readouterr().err


def test_verify_uses_the_newest_local_anchor(chain_, tmp_path, settings, capsys):
    settings.VAR_DIR = tmp_path
    assert run_command("audit-anchor", "--out", str(tmp_path / "a.json")) == 0
    raw("DELETE FROM audit_auditentry WHERE seq >= %s", [chain_ - 1])
    prev = AuditEntry.objects.get(seq=chain_ - 2)
    raw("UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1", [prev.seq, prev.hash])
    capsys.readouterr()
    assert run_command("audit-verify") == 1
    assert "截断" in capsys.readouterr().err


def test_broken_chain_is_never_anchored(chain_, capsys):
    raw("UPDATE audit_auditentry SET actor_name = 'x' WHERE seq = 1")
    assert run_command("audit-anchor") == 1
    assert "拒绝签发" in capsys.readouterr().err


# ---------------------------------------------------------------- the application side


def test_application_cannot_edit_or_delete(chain_):
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
    with pytest.raises(AuditProtectedError):
        LoginLog.objects.all().delete()


@only_pg
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET action = 'x' WHERE seq = 1",
        "DELETE FROM audit_auditentry WHERE seq = 1",
        "TRUNCATE audit_auditentry",
        "UPDATE audit_auditentry SET hash = '', seq = NULL WHERE seq = 1",
        "INSERT INTO audit_auditentry (seq, created_at, actor_name, request_id, channel, ip, action,"
        " object_type, object_id, object_repr, mac_tag, mac, chain_tag, prev_hash, hash)"
        " VALUES (999, now(), 'x', 'r', 'web', '', 'a', 'b', '1', 'x', '', '', 'sm3:x', '', 'f')",
        "UPDATE audit_loginlog SET result = 'success' WHERE seq = 1",
        "DELETE FROM audit_loginlog",
        "TRUNCATE audit_loginlog",
        "UPDATE audit_audithead SET seq = 0 WHERE id = 1",
        "UPDATE audit_audithead SET seq = seq + 1, hash = 'x' WHERE id = 1",
        "DELETE FROM audit_audithead",
        "TRUNCATE audit_audithead",
        "TRUNCATE audit_auditentry, audit_audithead, audit_loginlog",
    ],
)
@pytest.mark.parametrize("bypass", ["", "SET LOCAL diaodu.audit_maintenance = 'on'"])
def test_postgres_triggers_refuse_and_have_no_bypass(small_chain, sql, bypass):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        if bypass:
            cur.execute(bypass)
        cur.execute(sql)
    assert verify().ok


@only_pg
def test_postgres_pending_entry_content_is_frozen(small_chain):
    with transaction.atomic():
        e = record("test.ping", ObjectRef("test.thing", "1", "thing"))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "UPDATE audit_auditentry SET action = 'x', seq = 999, hash = 'f' WHERE id = %s", [e.pk]
        )
    assert verify().ok


# ---------------------------------------------------------------- hashes and keys


def test_sm3_matches_the_standard_and_both_implementations():
    """GB/T 32905-2016 appendix A test vectors, through OpenSSL and through gmssl."""
    vectors = {
        b"abc": "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0",
        b"abcd" * 16: "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732",
    }
    factories = [crypto.sm3_factory(prefer_openssl=False)]
    if crypto._OPENSSL_SM3 is not None:
        factories.append(crypto.sm3_factory())
    for factory in factories:
        for message, digest in vectors.items():
            assert factory(message).hexdigest() == digest
    import hmac

    key, msg = b"k" * 40, "审计".encode() * 50
    macs = {hmac.new(key, msg, f).hexdigest() for f in factories}
    assert len(macs) == 1


def test_hmac_sha256_by_setting_and_mixed_chain(db, settings):
    record("test.a", ObjectRef("t", "1", "x"))
    settings.AUDIT_HASH = "sha256"
    record("test.b", ObjectRef("t", "1", "x"))
    chain.seal_all()
    tags = list(AuditEntry.objects.order_by("seq").values_list("mac_tag", flat=True))
    assert tags[0].startswith("sm3:") and tags[1].startswith("sha256:")
    assert verify().ok


def test_key_rotation_keeps_old_entries_verifiable(db, settings):
    from diaodu.envconf import audit_key_id

    old_key = settings.AUDIT_KEYS[settings.AUDIT_KEY_ID]
    record("test.a", ObjectRef("t", "1", "x"))
    new_key = "n" * 48
    new_id = audit_key_id(new_key)
    settings.AUDIT_KEY_ID = new_id
    settings.AUDIT_KEYS = {audit_key_id(old_key): old_key, new_id: new_key}
    record("test.b", ObjectRef("t", "1", "x"))
    assert verify().ok
    settings.AUDIT_KEYS = {new_id: new_key}  # the retired key lost: its entries cannot be proven
    result = verify()
    assert not result.ok and result.bad_seq == 1


def test_key_ring_from_environment_and_var(tmp_path):
    from diaodu.envconf import ConfigError, audit_key_id, audit_keys

    current, ring = audit_keys({}, tmp_path)
    key = (tmp_path / "audit_key").read_text()
    assert ring == {current: key} and current == audit_key_id(key)
    assert (tmp_path / "audit_key").stat().st_mode & 0o777 == 0o600
    assert audit_keys({}, tmp_path)[0] == current  # created once
    (tmp_path / "audit_keys_retired").write_text("r" * 40 + "\n")
    current2, ring2 = audit_keys({"DIAODU_AUDIT_KEY": "x" * 32}, tmp_path)
    assert current2 == audit_key_id("x" * 32) and audit_key_id("r" * 40) in ring2
    with pytest.raises(ConfigError):
        audit_keys({"DIAODU_AUDIT_KEY": "short"}, tmp_path)

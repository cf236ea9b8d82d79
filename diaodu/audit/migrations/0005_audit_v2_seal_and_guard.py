"""Audit log version 2 (docs/audit.md): carry the existing chain over and guard the tables.

1. The version-1 maintenance bypass (`SET LOCAL diaodu.audit_maintenance = 'on'`) goes with its
   trigger function.
2. Entries sealed by version 1 (unkeyed SHA-256) stay as they are and keep verifying under the
   version-1 rule; one keyed entry `audit.upgrade` is sealed right after the last of them, its
   MAC covering that last hash. Re-hashing the old part without the key therefore breaks the
   keyed link that follows it.
3. Login-log rows written before version 2 were never chained: each gets its keyed MAC and a
   place in the new login chain, from here on protected like the audit log.
4. On PostgreSQL, triggers refuse UPDATE (except sealing a pending entry, content unchanged),
   DELETE and TRUNCATE on both logs and on the heads; the head only moves forward, to an
   entry that exists.

The hashing is written out here, frozen, so that later model changes never alter this step.
"""

import datetime as dt
import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations

GENESIS = "0" * 64


def _canonical(payload):
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _mac(tag, purpose, message):
    alg, _, key_id = tag.partition(":")
    key = settings.AUDIT_KEYS[key_id]
    if alg == "sm3":
        try:
            hashlib.new("sm3", b"")
            digestmod = lambda data=b"": hashlib.new("sm3", data)  # noqa: E731
        except ValueError:
            from diaodu.audit.crypto import _GmsslSM3 as digestmod
    else:
        digestmod = hashlib.sha256
    data = f"diaodu-audit:{purpose}|{message}".encode()
    return hmac.new(key.encode("utf-8"), data, digestmod).hexdigest()


def _tag():
    return f"{settings.AUDIT_HASH}:{settings.AUDIT_KEY_ID}"


def _iso(value):
    if isinstance(value, str):  # SQLite hands back text
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).isoformat()


def _head(cur, head_id):
    cur.execute("SELECT seq, hash FROM audit_audithead WHERE id = %s", [head_id])
    row = cur.fetchone()
    if row is None:
        cur.execute(
            "INSERT INTO audit_audithead (id, seq, hash) VALUES (%s, 0, %s)", [head_id, GENESIS]
        )
        return 0, GENESIS
    return row[0], row[1]


def upgrade(connection):
    """Seal the version-1 chain with a keyed entry and chain the old login log (idempotent)."""
    tag = _tag()
    now = dt.datetime.now(dt.timezone.utc)
    with connection.cursor() as cur:
        # --- the audit chain
        seq, prev = _head(cur, 1)
        cur.execute("SELECT COUNT(*) FROM audit_auditentry WHERE chain_tag = '' AND hash <> ''")
        legacy = cur.fetchone()[0]
        cur.execute("SELECT COUNT(*) FROM audit_auditentry WHERE chain_tag <> ''")
        keyed = cur.fetchone()[0]
        if legacy and not keyed:
            after = {"legacy_seq": seq, "legacy_hash": prev, "hash": settings.AUDIT_HASH}
            body = {
                "created_at": now.isoformat(),
                "actor_id": None,
                "actor_name": "system",
                "request_id": "audit-v2-upgrade",
                "channel": "system",
                "ip": "",
                "action": "audit.upgrade",
                "object_type": "audit.chain",
                "object_id": "audit",
                "object_repr": "审计日志（升级为密钥链）",
                "before": None,
                "after": after,
                "mac_tag": tag,
            }
            mac = _mac(tag, "audit", _canonical(body))
            seq += 1
            digest = _mac(tag, "chain:audit", f"{seq}|{prev}|{mac}")
            cur.execute(
                "INSERT INTO audit_auditentry (seq, created_at, actor_id, actor_name, request_id,"
                " channel, ip, action, object_type, object_id, object_repr, before, after,"
                " mac_tag, mac, chain_tag, prev_hash, hash)"
                " VALUES (%s, %s, NULL, 'system', 'audit-v2-upgrade', 'system', '', 'audit.upgrade',"
                " 'audit.chain', 'audit', %s, NULL, %s, %s, %s, %s, %s, %s)",
                [seq, now, body["object_repr"], json.dumps(after, ensure_ascii=False), tag, mac, tag, prev, digest],
            )
            cur.execute("UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1", [seq, digest])
        # --- the login chain: rows from before version 2 get their MAC and a place
        seq, prev = _head(cur, 2)
        cur.execute(
            "SELECT id, created_at, username, user_id, ip, user_agent, result FROM audit_loginlog"
            " WHERE hash = '' AND mac = '' ORDER BY id"
        )
        params = []
        for pk, created_at, username, user_id, ip, user_agent, result in cur.fetchall():
            body = {
                "created_at": _iso(created_at),
                "username": username,
                "user_id": user_id,
                "ip": ip,
                "user_agent": user_agent,
                "result": result,
                "mac_tag": tag,
            }
            mac = _mac(tag, "login", _canonical(body))
            seq += 1
            digest = _mac(tag, "chain:login", f"{seq}|{prev}|{mac}")
            params.append((tag, mac, seq, tag, prev, digest, pk))
            prev = digest
        if params:
            cur.executemany(
                "UPDATE audit_loginlog SET mac_tag = %s, mac = %s, seq = %s, chain_tag = %s,"
                " prev_hash = %s, hash = %s WHERE id = %s",
                params,
            )
            cur.execute("UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 2", [seq, prev])


GUARD = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();

CREATE OR REPLACE FUNCTION diaodu_sealed_log_guard() RETURNS trigger AS $$
DECLARE
  chain_cols text[] := ARRAY['seq', 'chain_tag', 'prev_hash', 'hash'];
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.seq IS NOT NULL OR NEW.hash <> '' OR NEW.prev_hash <> '' OR NEW.chain_tag <> '' THEN
      RAISE EXCEPTION '%：新记录只能以待封存状态写入', TG_TABLE_NAME;
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.hash = '' AND OLD.seq IS NULL
     AND NEW.hash <> '' AND NEW.seq IS NOT NULL
     AND (to_jsonb(NEW) - chain_cols) = (to_jsonb(OLD) - chain_cols) THEN
    RETURN NEW;  -- sealing a pending entry: its content stays as written
  END IF;
  RAISE EXCEPTION '%：审计日志只能追加，不可修改或删除', TG_TABLE_NAME;
END; $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION diaodu_audit_head_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION '审计链头不可删除';
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.seq <> 0 OR NEW.hash <> repeat('0', 64) THEN
      RAISE EXCEPTION '审计链头只能从零开始';
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.id = OLD.id AND NEW.seq = OLD.seq AND NEW.hash = OLD.hash THEN
    RETURN NEW;
  END IF;
  IF NEW.id <> OLD.id OR NEW.seq <= OLD.seq THEN
    RAISE EXCEPTION '审计链头只能前移';
  END IF;
  IF NEW.id = 1 THEN
    PERFORM 1 FROM audit_auditentry WHERE seq = NEW.seq AND hash = NEW.hash;
  ELSIF NEW.id = 2 THEN
    PERFORM 1 FROM audit_loginlog WHERE seq = NEW.seq AND hash = NEW.hash;
  END IF;
  IF NOT FOUND THEN
    RAISE EXCEPTION '审计链头只能指向已封存的记录';
  END IF;
  RETURN NEW;
END; $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION diaodu_log_no_truncate() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '%：审计日志不可清空（TRUNCATE）', TG_TABLE_NAME;
END; $$ LANGUAGE plpgsql;

CREATE TRIGGER audit_entry_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_auditentry
  FOR EACH ROW EXECUTE FUNCTION diaodu_sealed_log_guard();
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry
  FOR EACH STATEMENT EXECUTE FUNCTION diaodu_log_no_truncate();
CREATE TRIGGER login_log_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_loginlog
  FOR EACH ROW EXECUTE FUNCTION diaodu_sealed_log_guard();
CREATE TRIGGER login_log_no_truncate BEFORE TRUNCATE ON audit_loginlog
  FOR EACH STATEMENT EXECUTE FUNCTION diaodu_log_no_truncate();
CREATE TRIGGER audit_head_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_audithead
  FOR EACH ROW EXECUTE FUNCTION diaodu_audit_head_guard();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_audithead
  FOR EACH STATEMENT EXECUTE FUNCTION diaodu_log_no_truncate();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS audit_entry_guard ON audit_auditentry;
DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;
DROP TRIGGER IF EXISTS login_log_guard ON audit_loginlog;
DROP TRIGGER IF EXISTS login_log_no_truncate ON audit_loginlog;
DROP TRIGGER IF EXISTS audit_head_guard ON audit_audithead;
DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_audithead;
DROP FUNCTION IF EXISTS diaodu_sealed_log_guard();
DROP FUNCTION IF EXISTS diaodu_audit_head_guard();
DROP FUNCTION IF EXISTS diaodu_log_no_truncate();
"""


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;"
            " DROP FUNCTION IF EXISTS audit_entry_append_only();"
        )
    upgrade(connection)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(GUARD)  # no parameters: the messages' % are PL/pgSQL's


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_audit_v2")]
    operations = [migrations.RunPython(forward, backward)]

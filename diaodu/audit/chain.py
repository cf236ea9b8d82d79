"""Sealing and verifying the audit log and the login log (design and limits: docs/audit.md).

Entries are written inside the business transaction with their own keyed MAC and no place in
the chain. `seal()` runs right after commit (and from the scheduler as a sweep): in one short
transaction it locks the chain's head row, gives the committed pending entries (oldest first) a
gap-free `seq`, links each to the previous one with a keyed hash, and moves the head. No lock is
ever held for the length of a business transaction, and a transaction that rolls back (or a
process killed mid-way) leaves neither its write nor its entry.

`verify()` walks a chain and names the first entry that was altered, removed, inserted or
re-hashed; given an anchor (`diaodu audit-anchor`), it also proves nothing up to the anchored
head was truncated or rewritten.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from diaodu import clock
from diaodu.audit import crypto
from diaodu.audit.crypto import canonical
from diaodu.audit.models import (
    AUDIT_CHAIN,
    GENESIS,
    LOGIN_CHAIN,
    AuditEntry,
    AuditHead,
    LoginLog,
)

log = logging.getLogger(__name__)

ANCHOR_FORMAT = "diaodu-audit-anchor/1"


@dataclass(frozen=True)
class Chain:
    name: str
    head_id: int
    label: str
    model: type

    @property
    def table(self) -> str:
        return self.model._meta.db_table


AUDIT = Chain("audit", AUDIT_CHAIN, "审计日志", AuditEntry)
LOGIN = Chain("login", LOGIN_CHAIN, "登录日志", LoginLog)
CHAINS = (AUDIT, LOGIN)


class ChainBroken(Exception):
    pass


# ---------------------------------------------------------------- hashing


def entry_mac(chain: Chain, obj, tag: str | None = None) -> str:
    return crypto.mac(tag or obj.mac_tag, chain.name, canonical(obj.body()))


def link_message(seq: int, prev_hash: str, mac: str) -> str:
    return f"{seq}|{prev_hash}|{mac}"


def link_hash(chain: Chain, tag: str, seq: int, prev_hash: str, mac: str) -> str:
    return crypto.mac(tag, f"chain:{chain.name}", link_message(seq, prev_hash, mac))


# ---------------------------------------------------------------- sealing


def _head_for_update(chain: Chain):
    """The head row locked for this transaction, or None when another sealer holds it."""
    head = AuditHead.objects.select_for_update(skip_locked=True).filter(id=chain.head_id).first()
    if head is not None or AuditHead.objects.filter(id=chain.head_id).exists():
        return head
    if chain.model.objects.exclude(hash="").exists():
        raise ChainBroken(f"{chain.label}的链头缺失，拒绝继续封存：请运行 diaodu audit-verify。")
    try:
        with transaction.atomic():
            AuditHead.objects.create(id=chain.head_id, seq=0, hash=GENESIS)
    except IntegrityError:
        pass
    return AuditHead.objects.select_for_update(skip_locked=True).filter(id=chain.head_id).first()


def _seal_batch(chain: Chain, limit: int) -> int | None:
    with transaction.atomic():
        head = _head_for_update(chain)
        if head is None:
            return None  # another sealer holds the head: it looks again after its commit
        # a statement of its own, after the lock: it sees every entry committed until then
        # (joined to the locking statement, PostgreSQL would re-read the head row but not them)
        rows = list(
            chain.model.objects.filter(hash="").order_by("id").values_list("id", "mac")[:limit]
        )
        if not rows:
            return 0
        tag = crypto.current_tag()
        seq, prev = head.seq, head.hash
        params = []
        for pk, mac in rows:
            seq += 1
            digest = link_hash(chain, tag, seq, prev, mac)
            params.append((seq, tag, prev, digest, pk))
            prev = digest
        with connection.cursor() as cur:
            cur.executemany(
                f"UPDATE {chain.table} SET seq = %s, chain_tag = %s, prev_hash = %s, hash = %s"
                " WHERE id = %s AND hash = ''",
                params,
            )
        AuditHead.objects.filter(id=chain.head_id).update(seq=seq, hash=prev)
    return len(rows)


def seal(chain: Chain = AUDIT, batch: int = 1000) -> int:
    """Seal every committed pending entry of the chain; returns how many this call sealed.

    When another process holds the head, this returns at once: that process checks for pending
    entries again after its own commit, so an entry committed meanwhile is never left behind.
    """
    total = 0
    for _ in range(10_000):
        done = _seal_batch(chain, batch)
        if done is None:
            break
        total += done
        if done < batch and not chain.model.objects.filter(hash="").exists():
            break
    return total


def seal_all() -> int:
    return sum(seal(chain) for chain in CHAINS)


def _seal_quietly(chain: Chain) -> None:
    try:
        seal(chain)
    except Exception:  # the write is committed; the scheduler's sweep seals it later
        log.exception("封存%s失败，稍后由调度进程重试", chain.label)


def _seal_audit_after_commit():
    _seal_quietly(AUDIT)


def _seal_login_after_commit():
    _seal_quietly(LOGIN)


_AFTER_COMMIT = {AUDIT.name: _seal_audit_after_commit, LOGIN.name: _seal_login_after_commit}


def seal_after_commit(chain: Chain) -> None:
    """Seal right after the current transaction commits (at once outside a transaction).
    Registered once per transaction however many entries it writes."""
    func = _AFTER_COMMIT[chain.name]
    if connection.in_atomic_block and any(item[1] is func for item in connection.run_on_commit):
        return
    transaction.on_commit(func)


# ---------------------------------------------------------------- verifying


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    message: str
    bad_seq: int | None = None
    chain: str = "audit"
    head: tuple[int, str] = (0, GENESIS)
    pending: int = 0
    notes: list[str] = field(default_factory=list)


def _fail(chain, checked, message, bad_seq=None) -> VerifyResult:
    return VerifyResult(False, checked, f"{chain.label}：{message}", bad_seq, chain.name)


def verify_chain(chain: Chain, anchor: dict | None = None, batch_size: int = 2000) -> VerifyResult:
    """Walk one chain in order; report the first entry altered, removed, inserted or re-hashed."""
    model = chain.model
    prev_hash, expected, checked = GENESIS, 1, 0
    keyed_seen = legacy_seen = False
    anchored = (anchor or {}).get(chain.name)
    anchored_hash = None
    while True:
        batch = list(model.objects.filter(seq__gte=expected).order_by("seq")[:batch_size])
        if not batch:
            break
        for e in batch:
            if e.seq != expected:
                return _fail(
                    chain,
                    checked,
                    f"第 {expected} 条记录缺失（下一条为第 {e.seq} 条）：记录被删除。",
                    expected,
                )
            if e.prev_hash != prev_hash:
                return _fail(
                    chain,
                    checked,
                    f"第 {e.seq} 条记录的前序哈希不符：其前的记录被删除、替换或插入。",
                    e.seq,
                )
            if not e.chain_tag and chain is AUDIT and not keyed_seen:
                legacy_seen = True
                if e.legacy_hash() != e.hash:
                    return _fail(
                        chain, checked, f"第 {e.seq} 条记录的内容与哈希不符：记录被篡改。", e.seq
                    )
            else:
                keyed_seen = True
                if not crypto.check(e.mac_tag, chain.name, canonical(e.body()), e.mac):
                    return _fail(
                        chain,
                        checked,
                        f"第 {e.seq} 条记录的内容与其密钥摘要不符：记录被篡改或伪造。",
                        e.seq,
                    )
                message = link_message(e.seq, e.prev_hash, e.mac)
                if not crypto.check(e.chain_tag, f"chain:{chain.name}", message, e.hash):
                    return _fail(
                        chain,
                        checked,
                        f"第 {e.seq} 条记录的链接哈希不符：记录被插入、移动或未持密钥重算。",
                        e.seq,
                    )
            if anchored and e.seq == anchored["seq"]:
                anchored_hash = e.hash
            prev_hash = e.hash
            expected += 1
            checked += 1
    if legacy_seen and not keyed_seen:
        return _fail(chain, checked, "只有旧版（无密钥）记录，缺少升级时的密钥封存记录。", 1)
    odd = (
        model.objects.filter(
            Q(seq__lt=1) | Q(seq__isnull=False, hash="") | Q(seq__isnull=True) & ~Q(hash="")
        )
        .order_by("id")
        .first()
    )
    if odd is not None:
        return _fail(
            chain,
            checked,
            f"发现序号或哈希异常的记录（编号 {odd.pk}）：记录被插入或改动。",
            odd.seq,
        )
    pending = list(model.objects.filter(hash="").order_by("id"))
    for e in pending:
        if not crypto.check(e.mac_tag, chain.name, canonical(e.body()), e.mac):
            return _fail(
                chain,
                checked,
                f"待封存记录（编号 {e.pk}）的内容与其密钥摘要不符：记录被篡改或伪造。",
            )
    head = AuditHead.objects.filter(id=chain.head_id).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head is None and checked:
        return _fail(chain, checked, "链头缺失：链头记录被删除。", checked)
    if head_seq != checked or head_hash != prev_hash:
        if head_seq > checked:
            return _fail(
                chain,
                checked,
                f"链尾记录缺失：链头记载 {head_seq} 条，实有 {checked} 条（最新记录被删除）。",
                checked + 1,
            )
        return _fail(
            chain,
            checked,
            f"链头与记录不符：链头记载 {head_seq} 条，实有 {checked} 条（记录被插入或链头被改动）。",
            head_seq + 1,
        )
    if anchored:
        if checked < anchored["seq"]:
            return _fail(
                chain,
                checked,
                f"锚点记载 {anchored['seq']} 条，现仅 {checked} 条：记录被截断或删除。",
                checked + 1,
            )
        if anchored_hash != anchored["hash"]:
            return _fail(
                chain,
                checked,
                f"第 {anchored['seq']} 条记录的哈希与锚点不符：锚点之前的记录被改写或整体重算。",
                anchored["seq"],
            )
    result = VerifyResult(
        True,
        checked,
        f"{chain.label}完整：共 {checked} 条，哈希链校验通过。",
        chain=chain.name,
        head=(head_seq, head_hash),
        pending=len(pending),
    )
    if pending:
        result.message += f"另有 {len(pending)} 条待封存（摘要校验通过）。"
    if anchored:
        result.message += f"与锚点（第 {anchored['seq']} 条）一致。"
    return result


def verify(anchor: dict | None = None, *, chains=CHAINS, seal_first: bool = True) -> VerifyResult:
    """Verify the chains (sealing committed pending entries first); the first failure, or the
    audit chain's result with the others' notes."""
    if seal_first:
        for chain in chains:
            seal(chain)
    results = [verify_chain(chain, anchor) for chain in chains]
    for result in results:
        if not result.ok:
            return result
    first = results[0]
    first.notes = [r.message for r in results[1:]]
    return first


# ---------------------------------------------------------------- anchors


class AnchorError(Exception):
    pass


def make_anchor() -> dict:
    """Seal what is committed, verify, then sign each chain's verified head (seq, hash, time).
    Raises ChainBroken when a chain does not verify: a broken chain is never anchored."""
    heads = {}
    for chain in CHAINS:
        seal(chain)
        result = verify_chain(chain)
        if not result.ok:
            raise ChainBroken(result.message)
        heads[chain.name] = {"seq": result.head[0], "hash": result.head[1]}
    body = {
        "format": ANCHOR_FORMAT,
        "created_at": clock.wall_now().isoformat(),
        "chains": heads,
        "tag": crypto.current_tag(),
    }
    return {**body, "signature": crypto.mac(body["tag"], "anchor", canonical(body))}


def read_anchor(text: str) -> dict:
    """Parse and check an anchor; returns {chain name: {"seq", "hash"}, "created_at": …}."""
    try:
        data = json.loads(text)
        body = {k: data[k] for k in ("format", "created_at", "chains", "tag")}
        signature = data["signature"]
    except (ValueError, KeyError, TypeError):
        raise AnchorError("锚点文件格式不正确。") from None
    if body["format"] != ANCHOR_FORMAT:
        raise AnchorError(f"锚点文件格式“{body['format']}”不受支持。")
    tag = str(body["tag"])
    if tag.partition(":")[2] not in settings.AUDIT_KEYS:
        raise AnchorError("锚点所用的密钥不在密钥环中：无法验证其签名。")
    if not crypto.check(tag, "anchor", canonical(body), signature):
        raise AnchorError("锚点签名无效：锚点文件被改动或并非本系统签发。")
    out = {"created_at": body["created_at"]}
    for name, head in body["chains"].items():
        out[name] = {"seq": int(head["seq"]), "hash": str(head["hash"])}
    return out


def anchors_dir() -> Path:
    return Path(settings.VAR_DIR) / "audit_anchors"


def latest_local_anchor() -> Path | None:
    folder = anchors_dir()
    if not folder.is_dir():
        return None
    files = sorted(folder.glob("*.json"))
    return files[-1] if files else None

"""The keyed hash of the audit chain: HMAC-SM3 (GB/T 32905-2016) or HMAC-SHA-256.

SM3 comes from OpenSSL (through `hashlib`) when the local OpenSSL provides it, otherwise from the
`gmssl` package; both are checked against the standard's test vectors in the tests. No hash is
written here by hand. The algorithm is chosen by DIAODU_AUDIT_HASH; each sealed value records
which algorithm and key made it (`<alg>:<key id>`), so a rotation or a change of algorithm
leaves older entries verifiable.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings


class UnknownKey(Exception):
    """An entry names a key (or algorithm) that the key ring does not hold."""


def canonical(payload) -> str:
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    )


class _GmsslSM3:
    """hashlib-style wrapper of gmssl's SM3, for an OpenSSL built without SM3."""

    digest_size = 32
    block_size = 64
    name = "sm3"

    def __init__(self, data: bytes = b""):
        self._buf = bytearray(data)

    def update(self, data: bytes) -> None:
        self._buf += data

    def copy(self):
        return _GmsslSM3(bytes(self._buf))

    def digest(self) -> bytes:
        from gmssl import func, sm3

        return bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(bytes(self._buf))))

    def hexdigest(self) -> str:
        return self.digest().hex()


def _openssl_sm3():
    try:
        hashlib.new("sm3", b"abc")
    except ValueError:
        return None
    return lambda data=b"": hashlib.new("sm3", data)


_OPENSSL_SM3 = _openssl_sm3()


def sm3_factory(prefer_openssl: bool = True):
    if prefer_openssl and _OPENSSL_SM3 is not None:
        return _OPENSSL_SM3
    return _GmsslSM3


def _digestmod(alg: str):
    if alg == "sm3":
        return sm3_factory()
    if alg == "sha256":
        return hashlib.sha256
    raise UnknownKey(f"未知的哈希算法“{alg}”")


def current_tag() -> str:
    """`<alg>:<key id>` of the key that seals new values in this process."""
    return f"{settings.AUDIT_HASH}:{settings.AUDIT_KEY_ID}"


def mac(tag: str, purpose: str, message: str) -> str:
    """HMAC of `message` under the key and algorithm named by `tag`, hex-encoded."""
    alg, _, key_id = tag.partition(":")
    key = settings.AUDIT_KEYS.get(key_id)
    if key is None:
        raise UnknownKey(f"密钥 {key_id or '（空）'} 不在密钥环中")
    data = f"diaodu-audit:{purpose}|{message}".encode()
    return hmac.new(key.encode("utf-8"), data, _digestmod(alg)).hexdigest()


def check(tag: str, purpose: str, message: str, value: str) -> bool:
    try:
        expected = mac(tag, purpose, message)
    except UnknownKey:
        return False
    return hmac.compare_digest(expected, value or "")

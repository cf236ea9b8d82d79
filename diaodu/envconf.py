"""Strict parsing of Diaodu's environment variables.

Every variable is parsed here and a bad value stops start-up with a message that names the
variable, the value and what was expected (in Chinese and English), instead of failing later.
No Django import: settings.py calls these functions.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse, urlsplit

import dj_database_url


class ConfigError(Exception):
    """A bad environment value. The message is shown to the operator as is."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool, environ=os.environ) -> bool:
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(
        f"环境变量 {name} 的值“{raw}”无效：应为 true/false、1/0、yes/no 或 on/off。"
        f" (invalid boolean for {name})"
    )


def env_int(
    name: str, default: int, *, minimum: int = 0, maximum: int | None = None, environ=os.environ
) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(
            f"环境变量 {name} 的值“{raw}”无效：应为整数。 (invalid integer for {name})"
        ) from None
    if value < minimum or (maximum is not None and value > maximum):
        rng = f"{minimum}–{maximum}" if maximum is not None else f"≥{minimum}"
        raise ConfigError(f"环境变量 {name} 的值 {value} 超出范围（{rng}）。 ({name} out of range)")
    return value


def env_list(name: str, default: list[str], environ=os.environ) -> list[str]:
    raw = environ.get(name)
    if raw is None:
        return default
    items = [part.strip() for part in raw.split(",") if part.strip()]
    if not items:
        raise ConfigError(f"环境变量 {name} 为空：至少需要一个值（以逗号分隔）。 ({name} is empty)")
    return items


_DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "pgsql")
_SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def parse_database_url(url: str, base_dir: Path) -> dict:
    """Turn a DATABASE_URL into a Django DATABASES entry (SQLite or PostgreSQL only).

    dj-database-url does the parsing; this function keeps Diaodu's rules around it: only the
    two supported databases, a Chinese message naming what is wrong, SQLite paths relative to
    *base_dir* (sqlite:///var/x.sqlite3) or absolute (sqlite:////srv/x.sqlite3) with WAL and
    immediate transactions, and PostgreSQL connections kept for a minute and health-checked.
    """
    parts = urlsplit(url)
    scheme = parts.scheme  # urlsplit lower-cases it
    if scheme not in _DATABASE_SCHEMES:
        raise ConfigError(
            f"DATABASE_URL“{url}”不受支持：仅支持 sqlite:/// 与 postgres:// 。"
            " (only sqlite and postgres URLs are supported)"
        )
    if scheme == "sqlite":
        memory = parts.netloc == ":memory:" or parts.path in ("/:memory:", ":memory:")
        if not memory and not unquote(parts.path).strip("/"):
            raise ConfigError(
                "DATABASE_URL 缺少 SQLite 数据库文件路径，例如 sqlite:///var/diaodu.sqlite3"
            )
        config = dj_database_url.parse("sqlite://:memory:" if memory else url)
        if not memory:
            # dj-database-url leaves sqlite:///var/x.sqlite3 relative to the working directory.
            config["NAME"] = str(base_dir / config["NAME"])
        config["OPTIONS"] = dict(_SQLITE_OPTIONS)
        return config
    if not unquote(parts.path.lstrip("/")):
        raise ConfigError(
            f"DATABASE_URL“{url}”缺少数据库名，例如 postgres://user@127.0.0.1:5432/diaodu"
        )
    try:
        parts.port  # noqa: B018  (reading it validates it)
    except ValueError:
        raise ConfigError(f"DATABASE_URL“{url}”中的端口无效。") from None
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError:
        raise ConfigError(
            f"DATABASE_URL“{url}”无法解析：请检查其中的特殊字符是否已转义。"
        ) from None
    config["PORT"] = str(config.get("PORT") or "")
    config.setdefault("OPTIONS", {})
    return config


def parse_redis_url(url: str | None) -> str | None:
    if url is None or url.strip() == "":
        return None
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("redis", "rediss", "unix"):
        raise ConfigError(f"REDIS_URL“{url}”无效：应以 redis:// 或 rediss:// 开头。")
    if parsed.scheme != "unix" and not parsed.hostname:
        raise ConfigError(f"REDIS_URL“{url}”缺少主机名。")
    return url.strip()


def secret_key(environ, var_dir: Path) -> str:
    """DIAODU_SECRET_KEY, or a key generated once into var/secret_key (mode 0600)."""
    raw = environ.get("DIAODU_SECRET_KEY")
    if raw is not None:
        if len(raw) < 32:
            raise ConfigError("DIAODU_SECRET_KEY 太短：至少 32 个字符。 (secret key too short)")
        return raw
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # O_EXCL: two processes starting at once must agree on one key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def env_url(name: str, environ=os.environ) -> str:
    """An optional absolute http(s) URL without a trailing slash (e.g. the site's public address)."""
    raw = (environ.get(name) or "").strip()
    if not raw:
        return ""
    parsed = urlparse(raw)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(
            f"环境变量 {name} 的值“{raw}”无效：应为 http:// 或 https:// 开头的完整地址。"
        )
    return raw.rstrip("/")


def env_choice(name: str, default: str, choices: tuple[str, ...], environ=os.environ) -> str:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value not in choices:
        raise ConfigError(
            f"环境变量 {name} 的值“{raw}”无效：应为 {' / '.join(choices)} 之一。"
            f" (invalid value for {name})"
        )
    return value


def audit_key_id(key: str) -> str:
    """A short public name for an audit key (stored with each entry); it reveals nothing of it."""
    import hashlib

    return hashlib.sha256(b"diaodu-audit-key-id:" + key.encode("utf-8")).hexdigest()[:16]


def audit_keys(environ, var_dir: Path) -> tuple[str, dict[str, str]]:
    """The audit chain's key ring: (current key id, {key id: key}).

    The current key is DIAODU_AUDIT_KEY, or var/audit_key generated once (mode 0600) when the
    variable is absent. Retired keys — still needed to verify entries sealed before a rotation —
    come from DIAODU_AUDIT_RETIRED_KEYS (comma-separated) and from var/audit_keys_retired (one a
    line). The key never enters the database; only its id does.
    """
    raw = environ.get("DIAODU_AUDIT_KEY")
    if raw is not None:
        current = raw.strip()
        if len(current) < 32:
            raise ConfigError("DIAODU_AUDIT_KEY 太短：至少 32 个字符。 (audit key too short)")
    else:
        path = var_dir / "audit_key"
        if path.exists():
            current = path.read_text().strip()
        else:
            var_dir.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                current = path.read_text().strip()
            else:
                current = secrets.token_urlsafe(48)
                with os.fdopen(fd, "w") as fh:
                    fh.write(current)
        if len(current) < 32:
            raise ConfigError(f"审计密钥文件 {path} 内容太短：至少 32 个字符。")
    retired = [k.strip() for k in environ.get("DIAODU_AUDIT_RETIRED_KEYS", "").split(",")]
    retired_file = var_dir / "audit_keys_retired"
    if retired_file.exists():
        retired += [line.strip() for line in retired_file.read_text().splitlines()]
    ring = {audit_key_id(k): k for k in retired if k}
    current_id = audit_key_id(current)
    ring[current_id] = current
    return current_id, ring


def storages(environ, var_dir: Path) -> tuple[dict, Path]:
    """Where uploads (photos, scans, attachments, ledgers to import) are kept: the STORAGES
    setting and MEDIA_ROOT.

    DIAODU_STORAGE=file (default): a directory, DIAODU_MEDIA_ROOT (default var/media); with
    several app servers it is a path they all mount (NFS or similar).
    DIAODU_STORAGE=s3: an S3-compatible bucket through django-storages — DIAODU_S3_BUCKET and
    DIAODU_S3_ENDPOINT_URL (the object store's address: MinIO, 阿里云 OSS, 华为云 OBS …) are
    required; DIAODU_S3_ACCESS_KEY, DIAODU_S3_SECRET_KEY, DIAODU_S3_REGION and DIAODU_S3_PREFIX
    are optional. Files stay private: the platform reads them and serves them itself after its
    own permission checks, never by a public address.
    """
    kind = env_choice("DIAODU_STORAGE", "file", ("file", "s3"), environ)
    media_root = Path(environ.get("DIAODU_MEDIA_ROOT") or var_dir / "media")
    if not media_root.is_absolute():
        raise ConfigError(f"DIAODU_MEDIA_ROOT“{media_root}”应为绝对路径。")
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    if kind == "file":
        # Writes go to a temporary file first: a failed write never leaves a partial file.
        default = {"BACKEND": "diaodu.ops.storage.SafeFileSystemStorage"}
        return {"default": default, "staticfiles": static}, media_root
    missing = [n for n in ("DIAODU_S3_BUCKET", "DIAODU_S3_ENDPOINT_URL") if not environ.get(n)]
    if missing:
        raise ConfigError(f"DIAODU_STORAGE=s3 时必须设置 {'、'.join(missing)}。")
    endpoint = env_url("DIAODU_S3_ENDPOINT_URL", environ)
    options = {
        "bucket_name": environ["DIAODU_S3_BUCKET"],
        "endpoint_url": endpoint,
        "access_key": environ.get("DIAODU_S3_ACCESS_KEY") or None,
        "secret_key": environ.get("DIAODU_S3_SECRET_KEY") or None,
        "region_name": environ.get("DIAODU_S3_REGION") or None,
        "location": environ.get("DIAODU_S3_PREFIX", "").strip("/"),
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    default = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
    return {"default": default, "staticfiles": static}, media_root

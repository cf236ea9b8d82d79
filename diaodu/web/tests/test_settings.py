"""Settings are read strictly from the environment: a bad value stops start-up with a clear message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from diaodu import envconf

ROOT = Path(__file__).resolve().parents[3]


def start(env_extra: dict, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"DIAODU_VAR_DIR": str(tmp_path), **env_extra})
    return subprocess.run(
        [sys.executable, "-m", "diaodu.manage", "check"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "name, value, needle",
    [
        ("DIAODU_DEBUG", "maybe", "DIAODU_DEBUG"),
        ("DATABASE_URL", "mysql://root@localhost/x", "仅支持"),
        ("DATABASE_URL", "postgres://localhost:99999999/x", "端口"),
        ("REDIS_URL", "http://localhost", "REDIS_URL"),
        ("DIAODU_SESSION_IDLE_MINUTES", "abc", "整数"),
        ("DIAODU_SESSION_IDLE_MINUTES", "0", "超出范围"),
        ("DIAODU_SECRET_KEY", "short", "太短"),
        ("DIAODU_ALLOWED_HOSTS", " , ", "为空"),
        ("DIAODU_SITE_URL", "diaodu.gov.cn", "DIAODU_SITE_URL"),
        ("DIAODU_AT_RISK_SLACK_WD", "-1", "超出范围"),
        ("DIAODU_UPLOAD_MAX_MB", "30MB", "整数"),
        ("DIAODU_UPLOAD_MAX_MB", "0", "超出范围"),
    ],
)
def test_bad_value_stops_start(name, value, needle, tmp_path):
    result = start({name: value}, tmp_path)
    assert result.returncode != 0
    assert needle in result.stderr
    assert "配置错误" in result.stderr


def test_good_environment_starts_and_generates_secret(tmp_path):
    result = start({"DIAODU_DEBUG": "off", "DIAODU_SESSION_IDLE_MINUTES": "45"}, tmp_path)
    assert result.returncode == 0, result.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    again = start({}, tmp_path)
    assert again.returncode == 0 and (tmp_path / "secret_key").read_text() == key


def test_database_url_parsing(tmp_path):
    pg = envconf.parse_database_url(
        "postgres://u:p%40ss@db.local:5433/diaodu?sslmode=require", tmp_path
    )
    assert pg["ENGINE"].endswith("postgresql") and pg["PASSWORD"] == "p@ss" and pg["PORT"] == "5433"
    assert pg["OPTIONS"] == {"sslmode": "require"}
    lite = envconf.parse_database_url("sqlite:///var/x.sqlite3", tmp_path)
    assert lite["NAME"] == str(tmp_path / "var/x.sqlite3")
    absolute = envconf.parse_database_url("sqlite:////tmp/abs.sqlite3", tmp_path)
    assert absolute["NAME"] == "/tmp/abs.sqlite3"
    assert (
        lite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        and "WAL" in lite["OPTIONS"]["init_command"]
    )
    assert envconf.parse_database_url("sqlite://:memory:", tmp_path)["NAME"] == ":memory:"
    assert envconf.parse_database_url("sqlite:///:memory:", tmp_path)["NAME"] == ":memory:"
    spaced = envconf.parse_database_url("sqlite:///var/a%20b.sqlite3", tmp_path)
    assert spaced["NAME"] == str(tmp_path / "var/a b.sqlite3")
    plain = envconf.parse_database_url("postgresql://postgres@127.0.0.1/diaodu_x", tmp_path)
    assert (plain["NAME"], plain["USER"], plain["HOST"], plain["PORT"]) == (
        "diaodu_x",
        "postgres",
        "127.0.0.1",
        "",
    )
    assert plain["CONN_MAX_AGE"] == 60 and plain["CONN_HEALTH_CHECKS"] is True
    assert plain["OPTIONS"] == {}


@pytest.mark.parametrize(
    "url, needle",
    [
        ("mysql://root@localhost/x", "仅支持 sqlite:/// 与 postgres://"),
        ("http://example.com/db", "仅支持"),
        ("sqlite:///", "缺少 SQLite 数据库文件路径"),
        ("sqlite://", "缺少 SQLite 数据库文件路径"),
        ("postgres://db.local:5432/", "缺少数据库名"),
        ("postgres://db.local", "缺少数据库名"),
        ("postgres://db.local:99999999/x", "端口无效"),
        ("postgres://db.local:abc/x", "端口无效"),
    ],
)
def test_bad_database_url_names_the_problem(url, needle, tmp_path):
    with pytest.raises(envconf.ConfigError, match=needle):
        envconf.parse_database_url(url, tmp_path)


def test_bools():
    assert envconf.env_bool("X", False, {"X": "Yes"}) is True
    assert envconf.env_bool("X", True, {"X": "0"}) is False
    with pytest.raises(envconf.ConfigError):
        envconf.env_bool("X", True, {"X": "nope"})

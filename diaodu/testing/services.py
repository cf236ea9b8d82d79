"""Tests that need Redis or Chromium: skipped with a reason on a developer's machine that lacks the
service, a failure in CI (`CI=true`, or DIAODU_TEST_REQUIRE_REDIS / DIAODU_REQUIRE_BROWSER = 1), so CI
can never pass by skipping them."""

import os

import pytest


def _test_redis_url() -> str:
    """DIAODU_TEST_REDIS_URL, or a comma-separated list of them: each pytest-xdist worker takes
    its own (gw0 the first, gw1 the second …), because the task tests flush their database."""
    urls = [
        u.strip()
        for u in os.environ.get(
            "DIAODU_TEST_REDIS_URL", "redis://127.0.0.1:6379/14,redis://127.0.0.1:6379/15"
        ).split(",")
        if u.strip()
    ]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    return urls[index % len(urls)]


TEST_REDIS_URL = _test_redis_url()


def _required(flag: str) -> bool:
    return os.environ.get(flag) == "1" or os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(service: str, reason: str, flag: str) -> None:
    """Skip (outside CI) or fail (in CI) the calling test because *service* is absent."""
    if _required(flag):
        pytest.fail(f"{service} 不可用：{reason}")
    pytest.skip(f"{service} 不可用：{reason}（CI 中这是失败）")


def redis_available(url: str = TEST_REDIS_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def require_redis(url: str = TEST_REDIS_URL) -> str:
    if not redis_available(url):
        missing("Redis", url, "DIAODU_TEST_REQUIRE_REDIS")
    return url

"""Transient faults of the outside world and how long to wait before trying again.

A worker or the scheduler that loses its database or Redis connection must not die: it logs
the fault, waits (1 s, 2 s, 4 s … at most 30 s), closes its broken connections and tries again.
"""

from __future__ import annotations

import logging
import time

from django.db import Error as DatabaseError
from django.db import connections

log = logging.getLogger("diaodu.ops")


def transient_errors() -> tuple[type[BaseException], ...]:
    """The exception classes that mean "a service is away", not "the code is wrong"."""
    errors: list[type[BaseException]] = [DatabaseError, ConnectionError, TimeoutError, OSError]
    try:
        import redis.exceptions

        errors += [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


def describe(exc: BaseException) -> str:
    """A short description of a fault for the log, without the connection string."""
    import redis.exceptions

    if isinstance(exc, DatabaseError):
        what = "数据库"
    elif isinstance(exc, redis.exceptions.RedisError):
        what = "Redis"
    else:
        what = "外部服务"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{what}连接异常（{type(exc).__name__}: {text[:200]}）"


def close_connections() -> None:
    """Drop every database connection of this thread (a broken one cannot be reused)."""
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except Exception:  # a broken connection may fail to close: it is dropped anyway
            conn.connection = None


class Backoff:
    """Exponential backoff: `wait()` sleeps 1, 2, 4 … `maximum` seconds; `reset()` after a success."""

    def __init__(self, first: float = 1.0, maximum: float = 30.0, sleep=time.sleep):
        self.first, self.maximum, self.sleep = first, maximum, sleep
        self.delay = 0.0
        self.failures = 0

    def next_delay(self) -> float:
        self.delay = self.first if not self.delay else min(self.delay * 2, self.maximum)
        return self.delay

    def wait(self, name: str, exc: BaseException) -> float:
        self.failures += 1
        delay = self.next_delay()
        log.warning("%s：%s，%g 秒后重试（第 %d 次）。", name, describe(exc), delay, self.failures)
        close_connections()
        self.sleep(delay)
        return delay

    def reset(self, name: str = "") -> None:
        if self.failures and name:
            log.warning("%s：连接已恢复（此前失败 %d 次）。", name, self.failures)
        self.delay, self.failures = 0.0, 0

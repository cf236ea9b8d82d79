"""Who is alive: process tokens, heartbeats and named leases (locks with an expiry).

A process token is `host:pid:start` — the start time (from /proc on Linux) tells a live process
from a later one that happens to reuse the pid. Leases are rows renewed by their holder; the
conditional UPDATE that takes or renews one is atomic on SQLite and PostgreSQL alike, so no
process needs a lock held across a transaction.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta
from functools import cache

from django.db import IntegrityError, transaction
from django.db.models import Q

from diaodu import clock
from diaodu.ops.models import Heartbeat, Lease

SCHEDULER_LEASE = "scheduler"
LEASE_SECONDS = 60  # a holder that stopped renewing loses its lease after this
HEARTBEAT_STALE_SECONDS = 90  # /healthz calls a process gone after this


def _start_ticks(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            # the command name (field 2) may hold spaces: split after its closing parenthesis
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


@cache
def _host() -> str:
    return socket.gethostname()[:80]


def process_token(pid: int | None = None) -> str:
    pid = pid or os.getpid()
    return f"{_host()}:{pid}:{_start_ticks(pid)}"[:200]


def process_alive(token: str) -> bool | None:
    """True/False for a process of this host; None when the token names another host."""
    try:
        host, pid_text, start = token.rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return None
    if host != _host():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    return not start or _start_ticks(pid) == start


# ---------------------------------------------------------------- heartbeats
def beat(role: str, state: str = "", token: str | None = None, started_at=None) -> None:
    token = token or process_token()
    now = clock.wall_now()
    updated = Heartbeat.objects.filter(process=token).update(seen_at=now, state=state)
    if not updated:
        try:
            with transaction.atomic():
                Heartbeat.objects.create(
                    process=token, role=role, started_at=started_at or now, seen_at=now, state=state
                )
        except IntegrityError:
            Heartbeat.objects.filter(process=token).update(seen_at=now, state=state)
    # keep the table small: forget processes silent for a day
    Heartbeat.objects.filter(role=role, seen_at__lt=now - timedelta(days=1)).delete()


def forget(token: str | None = None) -> None:
    Heartbeat.objects.filter(process=token or process_token()).delete()


def alive(role: str, stale_seconds: int = HEARTBEAT_STALE_SECONDS):
    """Heartbeats of `role` seen recently, newest first."""
    since = clock.wall_now() - timedelta(seconds=stale_seconds)
    return Heartbeat.objects.filter(role=role, seen_at__gte=since).order_by("-seen_at")


# ---------------------------------------------------------------- leases
def acquire(name: str, holder: str, seconds: int = LEASE_SECONDS) -> bool:
    """Take or renew the lease `name` for `holder`. True when `holder` holds it afterwards."""
    now = clock.wall_now()
    until = now + timedelta(seconds=seconds)
    renewed = Lease.objects.filter(name=name, holder=holder).update(expires_at=until)
    if renewed:
        return True
    taken = (
        Lease.objects.filter(name=name)
        .filter(Q(expires_at__lt=now) | Q(holder=""))
        .update(holder=holder, acquired_at=now, expires_at=until)
    )
    if taken:
        return True
    try:
        with transaction.atomic():
            Lease.objects.create(name=name, holder=holder, acquired_at=now, expires_at=until)
        return True
    except IntegrityError:
        return False  # someone else holds it


def release(name: str, holder: str) -> None:
    Lease.objects.filter(name=name, holder=holder).update(holder="", expires_at=clock.wall_now())


def holder_of(name: str) -> Lease | None:
    return (
        Lease.objects.filter(name=name, expires_at__gte=clock.wall_now()).exclude(holder="").first()
    )

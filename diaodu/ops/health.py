"""`/healthz`: one JSON answer for load balancers and monitoring, no login, nothing sensitive
(no host names, addresses, versions or counts of business data).

    {"status": "ok" | "degraded" | "down",
     "database": {"ok": true},
     "redis": {"ok": true, "configured": true},
     "worker": {"ok": true, "seen_seconds_ago": 3},
     "scheduler": {"ok": true, "seen_seconds_ago": 12},
     "outbox": {"waiting": 0}}

HTTP 200 while the database answers (the site can serve), 503 when it does not. A missing
worker or scheduler, or Redis away, makes the status "degraded" (pages still answer; background
work waits).
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from diaodu import clock
from diaodu.ops import leases


def _database() -> dict:
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
        return {"ok": True}
    except Exception:
        return {"ok": False, "error": "数据库无法连接"}


def _redis() -> dict:
    url = getattr(settings, "REDIS_URL", None)
    if not url:
        return {"ok": True, "configured": False}
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()
        return {"ok": True, "configured": True}
    except Exception:
        return {"ok": False, "configured": True, "error": "Redis 无法连接"}


def _process(role: str, db_ok: bool) -> dict:
    if not db_ok:
        return {"ok": None, "error": "数据库无法连接，状态未知"}
    try:
        beats = leases.alive(role)
        if role == "scheduler":
            beats = beats.filter(state="active")  # a waiting scheduler schedules nothing
        beat = beats.first()
    except Exception:
        return {"ok": None, "error": "状态未知"}
    if beat is None:
        return {"ok": False, "error": "最近 90 秒内没有心跳"}
    age = int((clock.wall_now() - beat.seen_at).total_seconds())
    return {"ok": True, "seen_seconds_ago": max(age, 0)}


def _outbox(db_ok: bool) -> dict:
    if not db_ok:
        return {"waiting": None}
    try:
        from diaodu.ops.outbox import pending

        return {"waiting": pending()}
    except Exception:
        return {"waiting": None}


@never_cache
@require_GET
def healthz(request):
    db = _database()
    body = {
        "database": db,
        "redis": _redis(),
        "worker": _process("worker", db["ok"]),
        "scheduler": _process("scheduler", db["ok"]),
        "outbox": _outbox(db["ok"]),
    }
    if not db["ok"]:
        status = "down"
    elif all(body[k]["ok"] for k in ("redis", "worker", "scheduler")):
        status = "ok"
    else:
        status = "degraded"
    body = {"status": status, "time": clock.wall_now().isoformat(timespec="seconds"), **body}
    return JsonResponse(
        body, status=200 if db["ok"] else 503, json_dumps_params={"ensure_ascii": False}
    )

"""Pages outlive Redis (cache errors fall back to computing, uploads answer and run later),
/healthz tells each part apart, the 500 page is Chinese and keeps the typed text, and a failed
file write leaves nothing behind."""

import errno
import json
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from diaodu.notify.testing import run_on_commit
from diaodu.ops import leases, outbox
from diaodu.ops.models import OutboxEntry
from diaodu.ops.storage import SafeFileSystemStorage, write_upload
from diaodu.projects.models import ImportJob
from diaodu.web.tests.background import ledger_workbook


def redis_settings(url: str) -> dict:
    return {
        "CACHES": {
            "default": {
                "BACKEND": "diaodu.ops.cache.FallbackRedisCache",
                "LOCATION": url,
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        },
        "REDIS_URL": url,
    }


def test_pages_and_an_upload_while_redis_is_down(client_for, demo, redis_server, caplog):
    from django.core.cache import caches

    from diaodu.notify.testing import rq_backend

    c = client_for("duchashi")
    with rq_backend(redis_server.url), override_settings(**redis_settings(redis_server.url)):
        caches["default"].clear()
        assert c.get("/projects/").status_code == 200  # fills the {% cache %} fragment
        redis_server.stop()
        caches["default"]._down_until = 0  # as if the outage began long ago
        r = c.get("/projects/")
        assert r.status_code == 200 and "台账" in r.content.decode()
        upload = SimpleUploadedFile("台账.xlsx", ledger_workbook(2))
        r = c.post("/projects/import/", {"file": upload, "unit": demo["QHKFQ"].pk})
        assert r.status_code == 302  # answered normally
        run_on_commit()  # the commit's push to Redis fails quietly …
        job = ImportJob.objects.get()
        assert job.status == "pending" and OutboxEntry.objects.filter(task_id=job.task_id).exists()
        r = c.get(f"/projects/import/{job.pk}/")
        assert r.status_code == 200 and "排队中" in r.content.decode()
        assert c.get(f"/projects/import/{job.pk}/status/").json()["status"] == "pending"
        health = c.get("/healthz").json()
        assert health["redis"]["ok"] is False and health["database"]["ok"] is True
        assert health["outbox"]["waiting"] == 1
        assert "暂未进入 Redis 队列" in caplog.text
        # … Redis comes back: the scheduler's relay pushes the job, a worker runs it
        redis_server.start()
        OutboxEntry.objects.update(created_at=job.created_at.replace(year=2000))
        assert outbox.relay() == 1 and not OutboxEntry.objects.exists()
        from diaodu.notify.testing import RQRunner

        assert RQRunner(None).run() == 1
        job.refresh_from_db()
        assert job.status == "done" and job.result["created"] == 2


def test_cache_errors_are_misses(demo):
    from diaodu.ops.cache import FallbackRedisCache
    from diaodu.ops.testing import free_port

    cache = FallbackRedisCache(
        f"redis://127.0.0.1:{free_port(6490)}/0", {"OPTIONS": {"socket_connect_timeout": 0.2}}
    )
    assert cache.get("k", "default") == "default"
    assert cache.set("k", 1) is None and cache.add("k", 1) is False
    assert cache.get_many(["a"]) == {} and cache.delete("k") is False
    with pytest.raises(ValueError):
        cache.incr("n")


def test_healthz_tells_each_part_without_login(client, db):
    r = client.get("/healthz")
    body = r.json()
    assert r.status_code == 200 and body["database"]["ok"] is True
    assert body["worker"]["ok"] is False and body["scheduler"]["ok"] is False
    assert body["status"] == "degraded"
    leases.beat("worker")
    leases.beat("scheduler", state="waiting", token="other:2:2")
    assert client.get("/healthz").json()["scheduler"]["ok"] is False  # only a waiting one
    leases.beat("scheduler", state="active", token="other:3:3")
    body = client.get("/healthz").json()
    assert body["worker"]["ok"] and body["scheduler"]["ok"] and body["status"] == "ok"
    text = json.dumps(body)
    assert leases.process_token().split(":")[0] not in text  # no host names


@override_settings(DEBUG=False)
def test_500_page_is_chinese_says_retry_and_keeps_the_typed_text(client, db, settings):
    from django.urls import path

    def boom(request):
        raise RuntimeError("数据库重启中")

    urls = type("urls", (), {"urlpatterns": [path("boom/", boom)]})
    settings.ROOT_URLCONF = urls
    client.raise_request_exception = False
    r = client.post("/boom/", {"text": "本周完成主体封顶"})
    html = r.content.decode()
    assert r.status_code == 500 and "请重试" in html
    assert 'name="viewport"' in html and "您填写的内容没有丢失" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script (CSP)
    assert "onclick" not in html and "javascript:" not in html
    assert "tabler.min.css" in html and "web/retry.js" in html


class FailingContent(ContentFile):
    """Bytes that stop part-way, as on a full disk."""

    def chunks(self, chunk_size=None):
        yield b"x" * 1000
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failed_write_leaves_no_partial_file(tmp_path):
    storage = SafeFileSystemStorage(location=tmp_path)
    with pytest.raises(OSError):
        storage.save("photos/a.jpg", FailingContent(b""))
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    name = storage.save("photos/a.jpg", ContentFile(b"whole"))
    assert (tmp_path / name).read_bytes() == b"whole"

    class Upload:
        def chunks(self):
            yield b"PK"
            raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError):
        write_upload(Upload(), tmp_path / "ledger.xlsx")
    assert not (tmp_path / "ledger.xlsx").exists()


def test_a_job_whose_worker_keeps_dying_fails_visibly_with_a_retry_button(client_for, demo):
    from datetime import timedelta

    from django.utils import timezone

    from diaodu.audit.models import AuditEntry
    from diaodu.org.models import User
    from diaodu.projects import jobs
    from diaodu.web.tests.background import start_import

    user = User.objects.get(username="duchashi")
    job = start_import(user, demo["QHKFQ"], ledger_workbook(2))
    ImportJob.objects.filter(pk=job.pk).update(
        status="running",
        attempts=jobs.MAX_ATTEMPTS,
        claimed_by=f"{leases.process_token().split(':')[0]}:999999:1",  # a process that is gone
        lease_until=timezone.now() - timedelta(seconds=1),
    )
    assert jobs.recover()["failed"] == 1
    job.refresh_from_db()
    assert job.status == "failed" and "意外中止" in job.error and job.finished_at
    c = client_for("duchashi")
    html = c.get(f"/projects/import/{job.pk}/").content.decode()
    assert "意外中止" in html and 'data-testid="retry"' in html
    assert client_for("wl_zhuren").post(f"/projects/import/{job.pk}/retry/").status_code == 404
    r = c.post(f"/projects/import/{job.pk}/retry/")
    assert r.status_code == 302
    job.refresh_from_db()
    assert job.status == "pending" and job.attempts == 0 and job.error == ""
    assert AuditEntry.objects.filter(action="ledger.import_retry").count() == 1
    assert c.post(f"/projects/import/{job.pk}/retry/").status_code == 403  # not failed now

"""Several app servers: uploads through the storage setting (a shared directory or an
S3-compatible bucket), and reads from a replica that never hide a client's own writes."""

import time
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.test import RequestFactory, override_settings

from diaodu import envconf
from diaodu.ops import dbrouter
from diaodu.projects import tasks
from diaodu.projects.models import ImportJob, Project
from diaodu.web.tests.background import ledger_workbook, start_import

VAR = Path("/srv/diaodu/var")


# ---------------------------------------------------------------- the storage setting
def test_file_storage_is_the_default_and_media_root_can_be_shared():
    storages, root = envconf.storages({}, VAR)
    assert storages["default"]["BACKEND"] == "diaodu.ops.storage.SafeFileSystemStorage"
    assert root == VAR / "media"
    _, root = envconf.storages({"DIAODU_MEDIA_ROOT": "/mnt/nfs/diaodu"}, VAR)
    assert root == Path("/mnt/nfs/diaodu")
    with pytest.raises(envconf.ConfigError, match="绝对路径"):
        envconf.storages({"DIAODU_MEDIA_ROOT": "media"}, VAR)


def test_s3_storage_needs_bucket_and_endpoint_and_keeps_files_private():
    with pytest.raises(envconf.ConfigError, match="DIAODU_S3_BUCKET、DIAODU_S3_ENDPOINT_URL"):
        envconf.storages({"DIAODU_STORAGE": "s3"}, VAR)
    with pytest.raises(envconf.ConfigError, match="DIAODU_S3_ENDPOINT_URL"):
        envconf.storages(
            {"DIAODU_STORAGE": "s3", "DIAODU_S3_BUCKET": "b", "DIAODU_S3_ENDPOINT_URL": "minio"},
            VAR,
        )
    with pytest.raises(envconf.ConfigError, match="DIAODU_STORAGE"):
        envconf.storages({"DIAODU_STORAGE": "ftp"}, VAR)
    storages, _ = envconf.storages(
        {
            "DIAODU_STORAGE": "S3",
            "DIAODU_S3_BUCKET": "diaodu-uploads",
            "DIAODU_S3_ENDPOINT_URL": "http://10.0.0.5:9000/",
            "DIAODU_S3_ACCESS_KEY": "ak",
            "DIAODU_S3_SECRET_KEY": "sk",
            "DIAODU_S3_PREFIX": "/qhkfq/",
        },
        VAR,
    )
    default = storages["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    opts = default["OPTIONS"]
    assert opts["bucket_name"] == "diaodu-uploads"
    assert opts["endpoint_url"] == "http://10.0.0.5:9000"
    assert opts["location"] == "qhkfq" and opts["default_acl"] == "private"
    assert opts["querystring_auth"] and not opts["file_overwrite"]
    # the backend named is installed (from the lock) and accepts these options
    from storages.backends.s3 import S3Storage

    assert S3Storage(**opts).bucket_name == "diaodu-uploads"


MEMORY = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def test_an_uploaded_ledger_goes_through_the_storage_setting(live_demo, settings, tmp_path):
    from diaodu.org.models import User

    settings.MEDIA_ROOT = tmp_path / "media"
    with override_settings(STORAGES=MEMORY):
        user = User.objects.get(username="duchashi")
        job = start_import(user, live_demo["QHKFQ"], ledger_workbook(3))
        assert not Path(job.file_path).is_absolute()
        assert default_storage.exists(job.file_path)
        assert type(default_storage._wrapped).__name__ == "InMemoryStorage"
        assert not (tmp_path / "media").exists()  # nothing on the local disk
        tasks.run_job(job.pk)  # the worker reads it back through the same setting
        job.refresh_from_db()
        assert job.status == ImportJob.Status.DONE and job.result["created"] == 3
        assert Project.objects.count() == 0  # a dry run


def test_jobs_from_before_the_storage_setting_keep_their_absolute_path(tmp_path):
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"x")
    assert tasks.stored_ledger(str(path)) == str(path)


# ---------------------------------------------------------------- the replica router
REPLICA_DBS = {"default": {}, "replica": {}}


@pytest.mark.parametrize(
    ("method", "wrote_ago", "replica"),
    [
        ("GET", None, True),
        ("GET", 3, False),
        ("GET", 60, True),
        ("POST", None, False),
        ("HEAD", None, True),
        ("DELETE", 60, False),
    ],
)
def test_reads_use_the_replica_except_after_a_write(settings, method, wrote_ago, replica):
    settings.READ_REPLICA = True
    settings.REPLICA_PIN_SECONDS = 10
    request = RequestFactory().generic(method, "/projects/")
    if wrote_ago is not None:
        request.COOKIES[dbrouter.COOKIE] = f"{time.time() - wrote_ago:.0f}"
    assert dbrouter.replica_allowed(request) is replica


def test_router_sends_reads_of_a_replica_request_there_but_never_inside_a_transaction(settings, db):
    from django.db import transaction

    from diaodu.projects.models import Project as P

    router = dbrouter.PrimaryReplicaRouter()
    assert router.db_for_read(P) == "default"  # outside a web request: the primary
    token = dbrouter._replica_ok.set(True)
    try:
        # pytest-django wraps the test in a transaction: a read there must see the writes
        assert router.db_for_read(P) == "default"
    finally:
        dbrouter._replica_ok.reset(token)
    assert router.db_for_write(P) == "default"
    assert router.allow_migrate("replica", "projects") is False
    assert transaction.get_connection().in_atomic_block


def test_a_write_sets_the_pin_cookie_only_when_a_replica_is_configured(settings, rf):
    from django.http import HttpResponse

    mw = dbrouter.ReplicaPinMiddleware(lambda r: HttpResponse("ok"))
    assert dbrouter.COOKIE not in mw(rf.post("/x/")).cookies
    settings.READ_REPLICA = True
    response = mw(rf.post("/x/"))
    assert abs(float(response.cookies[dbrouter.COOKIE].value) - time.time()) < 5
    assert dbrouter.COOKIE not in mw(rf.get("/x/")).cookies

"""One deployment, two app servers: a session begun on one continues on the other, a ledger
uploaded to one is checked by the worker and confirmed and followed on the other — the state
lives in the shared database and the shared upload storage, none in a server. The second
server reads through the replica router (the "replica" being the same database here)."""

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid

from diaodu.ops.testing import database_url, free_port, wait_for
from diaodu.projects.models import ImportJob, Project
from diaodu.web.tests.background import ledger_workbook, live_demo, processes  # noqa: F401


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A client with one cookie jar that may talk to any server of the deployment."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def get(self, url: str) -> tuple[int, str, dict]:
        return self._open(urllib.request.Request(url))

    def post(self, url: str, fields: dict, files: dict | None = None):
        if files:
            boundary = uuid.uuid4().hex
            body = b""
            for k, v in fields.items():
                body += (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                ).encode()
            for k, (name, data) in files.items():
                body += (
                    (
                        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; '
                        f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                    ).encode()
                    + data
                    + b"\r\n"
                )
            body += f"--{boundary}--\r\n".encode()
            ctype = f"multipart/form-data; boundary={boundary}"
        else:
            body, ctype = (
                urllib.parse.urlencode(fields).encode(),
                "application/x-www-form-urlencoded",
            )
        origin = re.match(r"https?://[^/]+", url).group(0)
        req = urllib.request.Request(
            url, data=body, headers={"Content-Type": ctype, "Referer": url, "Origin": origin}
        )
        return self._open(req)

    def _open(self, req):
        try:
            with self.opener.open(req, timeout=30) as r:
                return r.status, r.read().decode("utf-8", "replace"), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace"), dict(e.headers)

    @staticmethod
    def csrf(html: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _up(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except Exception:
        return False


def test_a_session_an_upload_and_an_import_job_move_between_two_servers(
    processes,  # noqa: F811
    live_demo,  # noqa: F811
    tmp_path,
):
    from diaodu.org.demo import DEMO_PASSWORD

    shared = {
        "DIAODU_MEDIA_ROOT": tmp_path / "shared-media",  # e.g. an NFS mount on every host
        "DIAODU_SECRET_KEY": "two-servers-" + "x" * 50,
    }
    a_port, b_port = free_port(8301), free_port(8351)
    a = processes.gunicorn(a_port, name="web-a", **shared)
    b = processes.gunicorn(b_port, name="web-b", DIAODU_REPLICA_URL=database_url(), **shared)
    A, B = f"http://127.0.0.1:{a_port}", f"http://127.0.0.1:{b_port}"
    for url, proc in ((A, a), (B, b)):
        wait_for(lambda u=url: _up(u + "/login/"), 60, what=f"{url} ({processes.output(proc)})")

    # signed in on A …
    br = Browser()
    _, page, _ = br.get(A + "/login/")
    status, _, headers = br.post(
        A + "/login/",
        {"csrfmiddlewaretoken": br.csrf(page), "username": "duchashi", "password": DEMO_PASSWORD},
    )
    assert status == 302, processes.output(a)
    # … and still signed in on B
    status, page, _ = br.get(B + "/projects/import/")
    assert status == 200 and "台账文件" in page, page[:500]

    # a ledger uploaded to B …
    unit = live_demo["QHKFQ"]
    status, _, headers = br.post(
        B + "/projects/import/",
        {"csrfmiddlewaretoken": br.csrf(page), "unit": str(unit.pk)},
        {"file": ("台账.xlsx", ledger_workbook(5, prefix="双服务器导入"))},
    )
    assert status == 302, processes.output(b)
    job_id = int(re.search(r"/projects/import/(\d+)/", headers["Location"]).group(1))
    job = ImportJob.objects.get(pk=job_id)
    assert (tmp_path / "shared-media" / job.file_path).exists()

    # … is checked by the deployment's worker and followed on A
    worker = processes.diaodu("worker", **shared)

    def status_on(server, pk):
        code, body, _ = br.get(f"{server}/projects/import/{pk}/status/")
        return code == 200 and json.loads(body)["status"] == "done" and json.loads(body)

    result = wait_for(
        lambda: status_on(A, job_id), 60, what=f"the dry run ({processes.output(worker)})"
    )
    assert result["result"]["created"] == 5 and not result["result"]["errors"]

    # confirmed on A, finished as seen from B (a read right after the write goes to the primary)
    _, page, _ = br.get(f"{A}/projects/import/{job_id}/")
    status, _, headers = br.post(
        f"{A}/projects/import/{job_id}/confirm/", {"csrfmiddlewaretoken": br.csrf(page)}
    )
    assert status == 302
    final_id = int(re.search(r"/projects/import/(\d+)/", headers["Location"]).group(1))
    wait_for(lambda: status_on(B, final_id), 60, what="the import")
    assert Project.objects.filter(name__startswith="双服务器导入").count() == 5
    status, page, _ = br.get(B + "/projects/?q=" + urllib.parse.quote("双服务器导入"))
    assert status == 200 and page.count("双服务器导入") >= 5
    for proc in (a, b, worker):
        assert "Traceback" not in processes.output(proc), processes.output(proc)

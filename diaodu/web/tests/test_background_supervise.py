"""`diaodu serve` (make run) restarts a worker or scheduler that exits, with backoff, and stops
everything when the web server exits."""

import sys
import time
from io import StringIO

from diaodu.ops.supervise import Child, Supervisor, diaodu_children


def test_a_child_that_exits_is_restarted_and_the_web_server_ends_all():
    crashing = Child("后台任务进程", [sys.executable, "-c", "raise SystemExit(3)"], restart=True)
    web = Child("网站进程", [sys.executable, "-c", "import time; time.sleep(60)"], restart=False)
    out = StringIO()
    sup = Supervisor([web, crashing], out=out, poll=0.05, maximum=0.2)
    for child in sup.children:
        child.start()
    try:
        deadline = time.monotonic() + 20
        while crashing.restarts < 2 and time.monotonic() < deadline:
            assert sup.check(web) is None
            sup.check(crashing)
            time.sleep(0.05)
        assert crashing.restarts >= 2
        assert "后台任务进程已退出（代码 3）" in out.getvalue() and "秒后重启" in out.getvalue()
        web.proc.kill()
        web.proc.wait()
        assert sup.check(web) == -9  # the web server's end (its exit code) ends the supervisor
    finally:
        sup.stop_all()
    assert all(c.proc is None or c.proc.poll() is not None for c in sup.children)


def test_serve_starts_gunicorn_worker_and_scheduler():
    names = [
        c.argv[-1] if c.restart else "gunicorn" for c in diaodu_children("127.0.0.1", 8103, 2, 4)
    ]
    assert names == ["gunicorn", "worker", "scheduler"]

"""What a page view costs the database besides its content: the session is written only when
it changes (last-seen at most once a minute), and the data scope is computed once a request."""

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext


def _writes(ctx, table):
    return [
        q["sql"]
        for q in ctx.captured_queries
        if table in q["sql"] and q["sql"].lstrip().split()[0].upper() in ("INSERT", "UPDATE")
    ]


def test_page_views_write_the_session_at_most_once_a_minute(client_for):
    c = client_for("mishu_wl")
    assert c.get("/").status_code == 200  # first view stores last-seen
    with CaptureQueriesContext(connection) as ctx:
        assert c.get("/").status_code == 200
        assert c.get("/supervision/my/").status_code == 200
    assert _writes(ctx, "django_session") == []
    session = c.session
    session["diaodu_last_seen"] = time.time() - 61
    session.save()
    with CaptureQueriesContext(connection) as ctx:
        assert c.get("/").status_code == 200
    assert len(_writes(ctx, "django_session")) == 1
    assert time.time() - c.session["diaodu_last_seen"] < 60


def test_scope_is_computed_once_a_request(client_for):
    c = client_for("mishu_wl")
    c.get("/")
    for url in ("/", "/supervision/my/", "/projects/"):
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        # the scope's own read: the units one belongs to
        scope_reads = [
            q["sql"]
            for q in ctx.captured_queries
            if 'FROM "org_unit" INNER JOIN "org_membership"' in q["sql"]
        ]
        assert len(scope_reads) == 1, (url, scope_reads)

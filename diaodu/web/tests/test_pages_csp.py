"""No script from data: every page, as every kind of user, comes with the strict CSP header and
has no inline script, no on*= attribute, no javascript: URL and no <style> element (the CSP would
block them, so a page that needs one is broken; and nothing in a page may run script)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from diaodu.org.models import User
from diaodu.web.tests.walk import ROLES, crawl, script_problems


@pytest.fixture
def full_demo(db):
    call_command("demo", stdout=StringIO(), skip_checks=True)


def test_script_problems_detector():
    assert script_problems('<script>alert(1)</script><script src="/s.js"></script>') == ["<script>"]
    assert script_problems('<script type="application/json" id="x">{}</script>') == []
    assert script_problems('<img src=x onerror="alert(1)">')
    assert script_problems('<a href="javascript:alert(1)">x</a>')
    assert script_problems("<style>body{}</style>")
    assert script_problems('<p>onclick= is text, <b class="x">not an attribute</b></p>') == []


def test_every_page_has_the_csp_and_no_inline_script(full_demo):
    failures, visited = [], set()
    for username in ROLES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        for url, response in crawl(client):
            visited.add(url)
            if response.status_code >= 500:
                failures.append(f"{username} {url}: {response.status_code}")
                continue
            csp = response.get("Content-Security-Policy", "")
            if "default-src 'self'" not in csp or "unsafe-eval" in csp:
                failures.append(f"{username} {url}: CSP {csp!r}")
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                problems = script_problems(response.content.decode())
                if problems:
                    failures.append(f"{username} {url}: {problems[:3]}")
    anon = Client()
    for url in ("/login/", "/password/"):
        response = anon.get(url, follow=True)
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert not script_problems(response.content.decode())
    assert not failures, "\n".join(failures)
    # the walk really went through the detail pages of the capabilities
    for prefix in ("/projects/", "/supervision/meetings/", "/supervision/problems/", "/targets/"):
        assert any(u.startswith(prefix) and any(c.isdigit() for c in u) for u in visited), prefix

"""Pages cannot be crashed through their query strings: every page a signed-in person reaches
(the demo zone, one URL per route), opened again with each filter and query parameter its GET
forms and its own URL carry set to bad values — words for numbers, negative and huge numbers,
impossible dates — answers below 500 (NUL is the input guard's, see test_input_guard)."""

from html.parser import HTMLParser
from io import StringIO
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from diaodu.org.models import User
from diaodu.web.tests.walk import crawl

BAD_VALUES = ("abc", "-1", "99999999999999999999999", "2026-02-30")


class _GetFields(HTMLParser):
    """Names of the fields of the page's GET forms (filters, searches, period pickers)."""

    def __init__(self):
        super().__init__()
        self.names: set[str] = set()
        self._in_get_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._in_get_form = (a.get("method") or "get").lower() == "get"
        elif tag in ("input", "select", "textarea") and self._in_get_form and a.get("name"):
            self.names.add(a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_get_form = False


@pytest.fixture
def full_demo(db):
    call_command("demo", stdout=StringIO(), skip_checks=True)


def test_bad_query_values_never_give_a_500(full_demo, username="duchashi"):
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    pages = []
    for url, response in crawl(client, per_route=1, limit=250):
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            parser = _GetFields()
            parser.feed(response.content.decode())
            names = parser.names | {k for k, _v in parse_qsl(urlsplit(url).query)}
            names -= {"csrfmiddlewaretoken"}
            if names:
                pages.append((urlsplit(url).path, sorted(names)))
    assert len(pages) > 10, pages
    failures = []
    for path, names in pages:
        for value in BAD_VALUES:
            r = client.get(path, dict.fromkeys(names, value))
            if r.status_code >= 500:
                failures.append(f"{r.status_code} {path} {names} = {value!r}")
    assert not failures, "\n".join(failures[:30])

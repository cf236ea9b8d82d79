"""Browser: script payloads stored in project names, problem titles, unit names and report text
are shown as text on every page that shows them — no payload runs (window.__xss stays unset, no
dialog opens), the page reports no Content-Security-Policy violation (so none of our own scripts
needs an exception), and the Alpine components still work under the CSP build."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from diaodu.org.demo import DEMO_PASSWORD
from diaodu.org.models import Unit, User
from diaodu.web.tests.browser import Page, chromium  # noqa: F401  (fixture)
from diaodu.web.tests.walk import crawl

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOADS = {
    "project": "<img src=x onerror=\"window.__xss='project'\">项目",
    "problem": "<script>window.__xss='problem'</script>问题",
    "unit": '"><svg onload="window.__xss=\'unit\'">园区',
    "report": "<img src=x onerror=\"window.__xss='report'\">进度",
}
MARKERS = ("&lt;img src=x", "&lt;script&gt;", "&lt;svg onload")

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
});
"""


@pytest.fixture
def poisoned(transactional_db):
    from diaodu.projects.models import Project
    from diaodu.supervision.models import Problem, ProgressReport

    call_command("demo", stdout=StringIO(), skip_checks=True)
    for p in Project.objects.all():
        Project.objects.filter(pk=p.pk).update(name=f"{PAYLOADS['project']}{p.pk}")
    for pr in Problem.objects.all():
        Problem.objects.filter(pk=pr.pk).update(title=f"{PAYLOADS['problem']}{pr.pk}")
    Unit.objects.filter(kind="park").update(name=PAYLOADS["unit"])
    ProgressReport.objects.update(progress_text=PAYLOADS["report"])


def _pages_with_payloads(username: str, limit: int) -> list[str]:
    client = Client()
    client.force_login(User.objects.get(username=username))
    urls = []
    for url, response in crawl(client, per_route=1, limit=300):
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            html = response.content.decode()
            if any(m in html for m in MARKERS):
                urls.append(url)
    return urls[:limit]


def _check(p, url: str) -> list[str]:
    problems = []
    if p.evaluate("window.__xss") is not None:
        problems.append(f"{url}: payload ran ({p.evaluate('window.__xss')})")
    violations = p.evaluate("window.__csp || []")
    if violations:
        problems.append(f"{url}: CSP violations {violations[:3]}")
    return problems


@pytest.mark.parametrize("username", ["quzhang", "duchashi", "mishu_wl"])
def test_no_payload_runs_anywhere(chromium, live_server, poisoned, username):  # noqa: F811
    urls = _pages_with_payloads(username, limit=45)
    assert len(urls) >= 5, urls
    page = Page(chromium, live_server.url)
    dialogs = []
    page.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.context.add_init_script(WATCH)
    p = page.login(username, DEMO_PASSWORD)
    problems = []
    for url in urls:
        p.goto(live_server.url + url)
        p.wait_for_load_state("networkidle")
        problems += _check(p, url)
    # the payload text is on the page as text
    p.goto(live_server.url + urls[0])
    body = p.inner_text("body")
    assert any(x in body for x in ("<img src=x", "<script>", "<svg onload")), urls[0]
    assert not dialogs, dialogs
    assert not problems, "\n".join(problems)
    page.assert_local_only()
    page.close()


def test_cockpit_map_tooltip_and_alpine_under_csp(chromium, live_server, poisoned):  # noqa: F811
    page = Page(chromium, live_server.url)
    page.context.add_init_script(WATCH)
    p = page.login("quzhang", DEMO_PASSWORD)
    p.goto(live_server.url + "/targets/cockpit/")
    p.wait_for_selector("body[data-map-ready='1'] #project-map .leaflet-interactive")
    p.wait_for_selector("#pace-chart canvas")
    marker = p.locator("#project-map .leaflet-interactive").first
    marker.hover(force=True)
    # the marker's tooltip (the parks' outline labels are permanent tooltips of their own)
    p.wait_for_selector(".leaflet-tooltip:not(.map-outline-label)")
    tip = p.locator(".leaflet-tooltip:not(.map-outline-label)").first
    assert "<img src=x" in tip.inner_text()  # the name as text, not an element
    assert tip.locator("img").count() == 0
    page.shot("xss-cockpit")
    assert not _check(p, "/targets/cockpit/")
    # Alpine's CSP build: the ledger's "更多" toggles its extra filters; columns picker works
    p.goto(live_server.url + "/projects/")
    extra = p.locator("select[name=category]")
    assert not extra.is_visible()
    p.click("#filter-form button[type=button]")
    extra.wait_for(state="visible")
    page.shot("xss-ledger")
    # the role form shows the unit list only for 自定数据
    assert not _check(p, "/projects/")
    page.close()
    sec = Page(chromium, live_server.url)
    sec.context.add_init_script(WATCH)
    s = sec.login("secadmin", DEMO_PASSWORD)
    s.goto(live_server.url + "/org/roles/new/")
    units = s.locator("[x-show=isCustom]")
    assert not units.is_visible()
    s.select_option("#data_scope", "2")
    units.wait_for(state="visible")
    sec.shot("role-form-custom-scope")
    assert not _check(s, "/org/roles/new/")
    sec.close()

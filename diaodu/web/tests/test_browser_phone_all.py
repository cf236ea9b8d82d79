"""Browser, 375 px: every page every role can reach (the same walk as the CSP test) fits the
phone's width — no horizontal overflow of the page. The lists a secretary or a department or
the 督查室 reads on the way (meetings, action items, missing reports) and the report form's
"last period" block also keep every column inside its frame and no short text squeezed.
Screenshots of every page go to test-artifacts/phone-all/."""

import pytest
from django.test import Client

from diaodu.org.demo import DEMO_PASSWORD
from diaodu.org.models import User
from diaodu.web.tests.browser import Page, chromium  # noqa: F401  (fixture)
from diaodu.web.tests.test_browser_phone import check_phone_page
from diaodu.web.tests.walk import ROLES, crawl

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = """() => {
  const w = document.documentElement.clientWidth;
  const wide = [];
  document.querySelectorAll('body *').forEach(el => {
    if (el.closest('.table-responsive, .gantt-scroll, .leaflet-container, .cockpit-chart, pre, .json-diff')) return;
    const r = el.getBoundingClientRect();
    if (r.width && r.right > w + 1 && getComputedStyle(el).position !== 'fixed') {
      wide.push((el.tagName + '.' + (el.className || '')).slice(0, 60) + ' ' + Math.round(r.right));
    }
  });
  return {page: document.documentElement.scrollWidth, client: w, wide: wide.slice(0, 3)};
}"""


@pytest.fixture
def zone(transactional_db):
    from django.core.management import call_command

    call_command("demo", verbosity=0)


def test_every_page_of_every_role_fits_375(chromium, live_server, zone):  # noqa: F811
    failures = []
    shots = 0
    for username in (*ROLES, "zhengshou", "quzhang"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        urls = [
            url
            for url, r in crawl(client, limit=120)
            if r.status_code == 200 and "html" in r.get("Content-Type", "")
        ]
        page = Page(chromium, live_server.url, mobile=True)
        page.login(username, DEMO_PASSWORD)
        for url in urls:
            p = page.goto(url)
            p.wait_for_load_state("load")
            m = p.evaluate(OVERFLOW)
            if m["page"] > m["client"] + 1:
                failures.append(f"{username} {url}: {m['page']}px {m['wide']}")
                page.shot(f"phone-all-{username}{url.replace('/', '_').replace('?', '_')[:80]}")
                shots += 1
        page.close()
    assert not failures, f"{len(failures)} 个页面在 375px 手机上横向溢出：\n" + "\n".join(failures)


def test_office_lists_and_the_report_form_read_on_a_phone(chromium, live_server, zone):  # noqa: F811
    from diaodu.supervision.models import ActionItem, DispatchMeeting, ProgressReport

    office = Page(chromium, live_server.url, mobile=True)
    office.login("duchashi", DEMO_PASSWORD)
    pages = [
        ("/supervision/meetings/", "meetings"),
        ("/supervision/actions/", "action-items"),
        ("/supervision/missing/", "missing"),
        ("/supervision/", "summary"),
    ]
    meeting = DispatchMeeting.objects.order_by("-held_on").first()
    if meeting is not None:
        pages.append((f"/supervision/meetings/{meeting.pk}/", "meeting"))
    for path, name in pages:
        check_phone_page(office, path, name)
    assert ActionItem.objects.exists()
    office.close()
    # the report form's "last period's figures" block, for a project that reported before
    sec = Page(chromium, live_server.url, mobile=True)
    sec.login("mishu_wl", DEMO_PASSWORD)
    # a project of theirs that reported before: its newest report taken away (test setup),
    # the form for that period shows the period before it
    newest = (
        ProgressReport.objects.filter(project__secretary__username="mishu_wl")
        .exclude(period_start=None)
        .order_by("-period_start", "project_id")
    )
    block = None
    for report in newest[:10]:
        if ProgressReport.objects.filter(project_id=report.project_id).count() < 2:
            continue
        pid, code = report.project_id, report.period
        report.photos.all().delete()
        report.events.all().delete()
        report.delete()
        path = f"/supervision/reports/new/{pid}/?period={code}"
        p = check_phone_page(sec, path, "report-form")
        block = p.locator("[data-testid=last-period]")
        break
    assert block is not None, "周报表单应显示上期数据"
    box = block.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    sec.shot("phone-report-last-period")
    sec.close()

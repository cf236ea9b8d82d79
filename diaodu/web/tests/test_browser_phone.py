"""Browser, 375 px: every list a secretary or a department uses reads on a phone — no page
overflow, no column cut off inside its frame, no short text squeezed into a narrow column — and
the Gantt chart scrolls inside its frame with today in view. Screenshots go to test-artifacts/."""

import pytest

from diaodu.org.demo import DEMO_PASSWORD
from diaodu.web.tests.browser import Page, chromium  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# For each visible table cell: its text and how many lines the text takes. A cell of a phone
# list that wraps a few characters into three lines or more is a squeezed column.
MEASURE = """() => {
  const out = {cells: [], frames: []};
  document.querySelectorAll('.page-body table').forEach(t => {
    if (t.closest('.gantt-scroll')) return;
    const frame = t.closest('.table-responsive') || t.parentElement;
    out.frames.push({id: t.dataset.testid || '', scroll: frame.scrollWidth, client: frame.clientWidth});
    t.querySelectorAll('td, th').forEach(c => {
      const r = c.getBoundingClientRect();
      if (!r.width || !r.height || getComputedStyle(c).display === 'none') return;
      const text = (c.innerText || '').trim();
      if (!text) return;
      const range = document.createRange();
      range.selectNodeContents(c);
      // lines: clusters of fragment tops more than 10px apart (badges sit a little higher)
      const tops = Array.from(range.getClientRects()).filter(x => x.width > 0).map(x => x.top).sort((a, b) => a - b);
      let lines = 0, last = -1e9;
      tops.forEach(t => { if (t - last > 10) { lines++; last = t; } });
      out.cells.push({text: text.slice(0, 30), len: text.length, lines: lines, width: Math.round(r.width)});
    });
  });
  out.page = document.documentElement.scrollWidth;
  return out;
}"""


def check_phone_page(page: Page, path: str, name: str):
    p = page.goto(path)
    p.wait_for_load_state("networkidle")
    assert p.locator("h2.page-title").count() == 1, f"{path} 未正常打开"
    page.shot(f"phone-{name}")
    m = p.evaluate(MEASURE)
    assert m["page"] <= 375, f"{path} 在手机上横向溢出：{m['page']}px"
    for f in m["frames"]:
        assert f["scroll"] <= f["client"] + 1, f"{path} 的表格 {f['id']} 有列被截断（需横向滚动）"
    squeezed = [c for c in m["cells"] if c["len"] <= 12 and c["lines"] > 2]
    assert not squeezed, f"{path} 有被挤压的列：{squeezed[:3]}"
    return p


@pytest.fixture
def zone(transactional_db):
    from django.core.management import call_command

    call_command("demo", verbosity=0)


def test_lists_at_375_and_the_gantt_on_phone_and_desktop(chromium, live_server, zone):  # noqa: F811
    """The demo seeds the procedure templates itself: a transactional test that ran earlier has
    flushed the ones the migration made (that was why this test once found no chain)."""
    from diaodu.procedures.models import ProcedureChain

    chain = ProcedureChain.objects.filter(project__secretary__username="mishu_wl").first()
    sec = Page(chromium, live_server.url, mobile=True)
    sec.login("mishu_wl", DEMO_PASSWORD)
    for path, name in [
        ("/", "home-secretary"),
        ("/supervision/my/", "my-reports"),
        ("/supervision/problems/", "problems"),
        ("/supervision/reports/", "reports"),
        ("/supervision/contacts/", "contacts"),
        ("/supervision/lights/", "lights"),
        ("/projects/", "ledger"),
        ("/supervision/contacts/new/", "contact-form"),
    ]:
        check_phone_page(sec, path, name)
    # the home page's first due report opens the report form, with a photo input for camera or album
    p = sec.goto("/")
    first = p.locator("[data-block=reports_due] [data-item]").first
    if first.count():
        first.click()
        p.wait_for_load_state("networkidle")
        assert "/supervision/reports/new/" in p.url
        assert p.get_attribute("[data-testid=photos]", "capture") is None
        sec.shot("phone-report-form")
    # the Gantt chart scrolls inside its frame, today in view, with its status column
    p = check_phone_page(sec, f"/procedures/project/{chain.project_id}/", "gantt")
    frame = p.locator("[data-testid=gantt]")
    box = frame.bounding_box()
    assert p.evaluate("document.querySelector('[data-testid=gantt]').scrollWidth") > box["width"]
    today = p.locator("[data-testid=gantt] .g-row:not(.g-head) .g-today").first.bounding_box()
    assert box["x"] < today["x"] < box["x"] + box["width"], "今天不在甘特图可见范围内"
    assert p.locator("[data-testid=gantt-status]").first.is_visible()
    sec.assert_local_only()
    sec.close()

    dept = Page(chromium, live_server.url, mobile=True)
    dept.login("zhengshou", DEMO_PASSWORD)
    for path, name in [
        ("/", "home-department"),
        ("/procedures/waiting/", "procedure-queue"),
        ("/supervision/problems/?mine=1", "department-problems"),
    ]:
        check_phone_page(dept, path, name)
    dept.close()

    # on a desktop the Gantt chart shows every year of the chain without scrolling
    desk = Page(chromium, live_server.url)
    desk.login("duchashi", DEMO_PASSWORD)
    p = desk.goto(f"/procedures/project/{chain.project_id}/")
    p.wait_for_load_state("networkidle")
    frame = p.locator("[data-testid=gantt]")
    # no horizontal scrolling on a desktop: the whole chain fits, every year's ticks visible
    assert p.evaluate(
        "(() => { const f = document.querySelector('[data-testid=gantt]');"
        " return f.scrollWidth <= f.clientWidth + 1; })()"
    )
    box = frame.bounding_box()
    last_bar = p.evaluate(
        "Math.max(...Array.from(document.querySelectorAll('[data-testid=gantt] .g-bar'))"
        ".map(b => b.getBoundingClientRect().right))"
    )
    assert last_bar <= box["x"] + box["width"] + 1
    desk.shot("desktop-gantt")
    desk.close()

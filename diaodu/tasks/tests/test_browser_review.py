"""Browser, at 375 px: the 督查室 uploads a speech the system has never seen, sees the draft
任务分解表 beside the source, tries to approve (rows with units outside the tree are named and
nothing is created), maps the unknown names once, approves; the land office opens its queue on a
phone, accepts a task and reports progress."""

from pathlib import Path

import pytest

from diaodu.org.demo import DEMO_PASSWORD
from diaodu.web.tests.browser import Page, chromium  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DATA = Path(__file__).parent / "data"


@pytest.fixture
def site(transactional_db, clock, media):
    from diaodu.audit.context import acting_as
    from diaodu.org import demo

    with acting_as(None):
        demo.build()


def fits(p):
    assert p.evaluate("document.documentElement.scrollWidth") <= 375


def test_upload_review_approve_report_on_a_phone(chromium, live_server, site):  # noqa: F811
    from diaodu.tasks.models import SourceDocument, Task, TaskReport

    phone = Page(chromium, live_server.url, mobile=True)
    p = phone.login("duchashi", DEMO_PASSWORD)
    p.goto(live_server.url + "/tasks/documents/new/")
    fits(p)
    p.set_input_files("#file", str(DATA / "unseen_2022.txt"))
    p.fill("#doc_date", "2026-11-02")
    phone.shot("tasks-upload-phone")
    p.click("[data-testid=upload-form] button")
    p.wait_for_load_state("networkidle")
    rows = p.locator("[data-testid=draft-row]").count()
    assert rows >= 8
    assert p.locator("[data-testid=source-text] mark").count() >= rows // 2
    fits(p)
    phone.shot("tasks-review-phone")
    p.click("[data-testid=approve]")
    p.wait_for_load_state("networkidle")
    errors = p.locator("[data-testid=row-error]").all_inner_texts()
    doc = SourceDocument.objects.get()
    if errors:  # units outside the tree, rows without a lead: named, nothing created
        assert all(e.startswith("第") for e in errors)
        assert Task.objects.count() == 0 and doc.state == "draft"
        phone.shot("tasks-review-errors-phone")
        if p.locator("[data-testid=unknown-units] select").count():
            for sel in p.locator("[data-testid=unknown-units] select").all():
                sel.select_option(label="党政办公室")
            p.click("[data-testid=unknown-units] button")
            p.wait_for_load_state("networkidle")
        for i in range(p.locator("[data-testid=draft-row]").count()):
            lead = p.locator(f"[data-testid=lead-{i}]")
            if not lead.input_value().strip():
                lead.fill("党政办公室")
        p.click("[data-testid=approve]")
        p.wait_for_load_state("networkidle")
    assert p.locator("[data-testid=row-error]").count() == 0, p.locator(
        "[data-testid=row-error]"
    ).all_inner_texts()
    created = Task.objects.filter(document=doc).count()
    assert created >= 8 and SourceDocument.objects.get().state == "approved"
    assert p.locator("[data-testid=task-row]").count() == created
    fits(p)
    phone.shot("tasks-list-phone")

    land = (
        Task.objects.filter(document=doc, lead_unit__code="QHKFQ-ZR").first()
        or Task.objects.filter(document=doc).exclude(lead_unit__code="QHKFQ-BGS").first()
    )
    user = {"QHKFQ-ZR": "ziranziyuan", "QHKFQ-FG": "fagai", "QHKFQ-ZSB": "zhengshou",
            "QHKFQ-ZJ": "zhujian", "QHKFQ-ZS": "zhaoshang"}.get(land.lead_unit.code, "duchashi")  # fmt: skip
    dept = Page(chromium, live_server.url, mobile=True)
    d = dept.login(user, DEMO_PASSWORD)
    d.goto(live_server.url + f"/tasks/{land.pk}/")
    assert d.locator("[data-testid=source-sentence]").count() == 1
    d.click("[data-testid=move-sign] button")
    d.wait_for_load_state("networkidle")
    d.fill("#rtext", "已完成现场踏勘，正在编制方案。")
    d.fill("input[name=percent]", "30")
    d.click("[data-testid=report-form] button")
    d.wait_for_load_state("networkidle")
    assert "已完成现场踏勘" in d.inner_text("[data-testid=reports]")
    fits(d)
    dept.shot("tasks-detail-phone")
    assert TaskReport.objects.filter(task=land).count() == 1
    assert Task.objects.get(pk=land.pk).status == "in_progress"
    p.goto(live_server.url + "/tasks/board/")
    fits(p)
    phone.shot("tasks-board-phone")
    for page in (phone, dept):
        page.assert_local_only()
        page.close()

"""Browser, 375 px: a user's week without the menu.

* The secretary files every report due this period starting from the home page: each due item
  opens the form, the report is filed, the brand link leads home again, and at the end nothing is
  due — the menu (the navbar toggler) is never opened.
* A department resolves a problem with a scan attached (办结 with evidence), sends back one that is
  not its business (退回交办 with a reason) and asks for an extension (申请延期) on a third, each on
  the problem page at 375 px: no page overflow, the result shown on the page and in the data.

Screenshots go to test-artifacts/week/."""

from datetime import timedelta

import pytest

from diaodu.org.demo import DEMO_PASSWORD
from diaodu.web.tests.browser import Page, chromium  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
MENU_OPEN = "document.querySelector('#sidebar-menu').classList.contains('show')"


@pytest.fixture
def zone(transactional_db):
    from django.core.management import call_command

    call_command("demo", verbosity=0)


def _due_keys(p) -> list[str]:
    return p.eval_on_selector_all(
        "[data-block=reports_due] [data-item]", "els => els.map(e => e.dataset.item)"
    )


def test_secretary_files_the_weeks_reports_from_home_without_the_menu(
    chromium,  # noqa: F811
    live_server,
    zone,
):
    from diaodu.supervision.models import ProgressReport

    sec = Page(chromium, live_server.url, mobile=True)
    p = sec.login("mishu_wl", DEMO_PASSWORD)
    assert p.url.rstrip("/") == live_server.url, "登录后应回到工作台"
    due = _due_keys(p)
    if not due:  # say what the page showed, and when
        from diaodu import clock

        block = p.locator("[data-block=reports_due]")
        shown = block.inner_text() if block.count() else p.locator("body").inner_text()[:400]
        pytest.fail(f"演示数据中项目秘书本期应有待填报的周报（{clock.now()}）：{shown}")
    summary = p.locator("[data-testid=summary-reports_due]")
    assert summary.count() and "截止" in summary.inner_text(), "待填报应写明截止时间"
    sec.shot("week/secretary-home-before")
    before = ProgressReport.objects.filter(filed_by__username="mishu_wl").count()
    filed = 0
    for _ in range(len(due) + 2):
        keys = _due_keys(p)
        if not keys:
            break
        item = p.locator("[data-block=reports_due] [data-item]").first
        item.click()
        p.wait_for_load_state("networkidle")
        assert "/supervision/reports/new/" in p.url, p.url
        assert p.evaluate(FITS), "填报表单在手机上横向溢出"
        p.fill("#progress_text", "主体结构施工，本周完成三层楼板浇筑。")
        p.fill("#invested", "120")
        if filed == 0:
            sec.shot("week/secretary-report-form")
        p.click("[data-testid=submit-report]")
        p.wait_for_load_state("networkidle")
        assert "/supervision/reports/new/" not in p.url, p.locator(
            "[data-testid=form-errors]"
        ).all_inner_texts()
        assert p.locator(".alert-success").count(), "报送后应有成功提示"
        assert not p.evaluate(MENU_OPEN)
        filed += 1
        # home again through the brand link, visible on a phone without opening the menu
        brand = p.locator("a.navbar-brand")
        assert brand.is_visible()
        brand.click()
        p.wait_for_load_state("networkidle")
        assert not p.evaluate(MENU_OPEN)
    assert filed == len(due), (filed, due)
    assert not _due_keys(p), "全部报送后工作台不应再有待填报"
    assert p.evaluate(FITS)
    sec.shot("week/secretary-home-after")
    after = ProgressReport.objects.filter(filed_by__username="mishu_wl").count()
    assert after == before + filed
    assert not p.locator(".navbar-toggler[aria-expanded=true]").count(), "全程未打开菜单"
    sec.assert_local_only()
    sec.close()


def _open_problem(page: Page, pk: int):
    p = page.goto(f"/supervision/problems/{pk}/")
    p.wait_for_load_state("networkidle")
    assert p.evaluate(FITS), f"问题 {pk} 的页面在手机上横向溢出"
    return p


def test_department_attaches_sends_back_and_asks_for_more_time_at_375(
    chromium,  # noqa: F811
    live_server,
    zone,
    tmp_path,
):
    from diaodu import clock
    from diaodu.org.models import User
    from diaodu.projects.models import Project
    from diaodu.supervision import services
    from diaodu.supervision.models import Problem, ProblemAttachment, ProblemStatus

    dept_user = User.objects.get(username="zhengshou")
    unit = dept_user.memberships.first().unit
    open_ = Problem.objects.filter(
        responsible_unit=unit, status__in=[ProblemStatus.ASSIGNED, ProblemStatus.IN_PROGRESS]
    ).order_by("pk")
    office = User.objects.get(username="duchashi")
    # three problems in the department's hands: the demo's, topped up by the office's 交办 of
    # problems a secretary raises now
    secretary = User.objects.get(username="mishu_wl")
    project = Project.objects.filter(secretary=secretary).order_by("pk").first()
    n = 0
    while open_.count() < 3:
        n += 1
        pr = services.raise_problem(
            secretary, project, title=f"征地补偿协议未签订（{n}）", type_code="land"
        )
        services.assign_problem(office, pr, unit=unit, deadline_wd=5)
    first, second, third = list(open_[:3])

    dept = Page(chromium, live_server.url, mobile=True)
    dept.login("zhengshou", DEMO_PASSWORD)

    # 办结 with a scan attached
    p = _open_problem(dept, first.pk)
    if p.locator("[data-testid=move-start]").count():
        p.locator("[data-testid=move-start] button").click()
        p.wait_for_load_state("networkidle")
    form = p.locator("[data-testid=move-resolve]")
    assert form.count(), "部门应能在问题页办结"
    scan = tmp_path / "批复扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    form.locator("textarea[name=answer]").fill("已取得用地批复，见附件。")
    form.locator("input[type=file]").set_input_files(str(scan))
    form.locator("select[name=evidence_kind]").select_option(index=0)
    form.locator("input[name=evidence_note]").fill("清自然资批〔2026〕12号")
    dept.shot("week/department-resolve-form")
    form.locator("button").click()
    p.wait_for_load_state("networkidle")
    assert p.evaluate(FITS)
    assert p.locator(".alert-success").count(), p.locator(".alert").all_inner_texts()
    assert "批复扫描件.pdf" in p.locator("[data-testid=problem-files]").inner_text()
    events = p.locator("[data-testid=problem-events]").inner_text()
    assert "system" not in events, "办理过程中的系统操作应写作“系统”"
    dept.shot("week/department-resolved")
    first.refresh_from_db()
    assert first.status == ProblemStatus.RESOLVED
    ev = ProblemAttachment.objects.get(problem=first)
    assert ev.original_name == "批复扫描件.pdf" and ev.note == "清自然资批〔2026〕12号"

    # 退回交办: not the department's business, back to the office with the reason
    p = _open_problem(dept, second.pk)
    form = p.locator("[data-testid=move-send_back]")
    assert form.count(), "部门应能退回交办"
    form.locator("textarea[name=reason]").fill("非本单位职责，建议交自然资源局办理。")
    dept.shot("week/department-send-back-form")
    form.locator("button").click()
    p.wait_for_load_state("networkidle")
    assert p.evaluate(FITS)
    assert "已退回交办" in p.locator(".alert-success").inner_text()
    # no longer the department's: back on its list, which no longer holds the problem
    assert p.url.endswith("/supervision/problems/"), p.url
    assert not p.locator(f"a[href='/supervision/problems/{second.pk}/']").count()
    dept.shot("week/department-sent-back")
    second.refresh_from_db()
    assert second.status == ProblemStatus.SENT_BACK and second.responsible_unit_id is None
    event = second.events.order_by("-at", "-pk").first()
    assert event.action == "send_back" and "非本单位职责" in event.note

    # 申请延期: a later date and a reason, waiting for the office
    p = _open_problem(dept, third.pk)
    form = p.locator("[data-testid=move-request_extension]")
    assert form.count(), "部门应能申请延期"
    base = third.due_date or clock.today()
    new_due = base + timedelta(days=14)
    form.locator("input[name=new_due]").fill(new_due.isoformat())
    form.locator("textarea[name=reason]").fill("等待省厅批复，需延期两周。")
    form.locator("button").click()
    p.wait_for_load_state("networkidle")
    assert p.evaluate(FITS)
    assert p.locator(".alert-success").count(), p.locator(".alert").all_inner_texts()
    pending = p.locator("[data-testid=extension-pending]").inner_text()
    assert new_due.isoformat() in pending and "等待省厅批复" in pending
    dept.shot("week/department-extension-requested")
    third.refresh_from_db()
    assert third.extension_due == new_due
    dept.assert_local_only()
    dept.close()

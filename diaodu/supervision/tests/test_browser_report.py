"""Browser: a project secretary files the weekly report on a phone (375 px) with a photo from the
camera (JPEG with EXIF GPS and DateTimeOriginal) and a problem for the land office; the 督查室
returns it on the desktop; the secretary corrects it and files it again."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from diaodu.org.demo import DEMO_PASSWORD
from diaodu.supervision.photos import make_jpeg
from diaodu.web.tests.browser import Page, chromium  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(transactional_db, clock, media):
    from diaodu.audit.context import acting_as
    from diaodu.org import demo
    from diaodu.org.models import Unit, User
    from diaodu.org.scope import SYSTEM
    from diaodu.projects import services as project_services
    from diaodu.supervision import services

    with acting_as(None):
        demo.build()
        zone, wl = Unit.objects.get(code="QHKFQ"), Unit.objects.get(code="QHKFQ-WL")
        services.save_cycle(
            SYSTEM,
            zone,
            {
                "frequency": "weekly",
                "deadline_weekday": 3,
                "deadline_time": "17:00",
                "starts_on": date(2026, 11, 2),
            },
        )
        return project_services.create_project(
            SYSTEM,
            unit=wl,
            data={
                "name": "智慧冷链物流园项目",
                "total_investment": Decimal("68000"),
                "annual_plan_investment": Decimal("15000"),
                "plan_category": "continuing",
                "completed_this_year": Decimal("9000"),
                "completed_since_start": Decimal("30000"),
                "latitude": Decimal("43.865"),
                "longitude": Decimal("125.405"),
            },
            secretary=User.objects.get(username="mishu_wl"),
            stage="under_construction",
            stage_date=date(2026, 3, 1),
        )


def test_secretary_files_on_phone_and_office_returns_it(chromium, live_server, site):  # noqa: F811
    from diaodu.supervision.models import Problem, ProgressReport

    photo = make_jpeg(when=datetime(2026, 11, 18, 9, 30), lat=43.8652, lon=125.4049)
    phone = Page(chromium, live_server.url, mobile=True)
    p = phone.login("mishu_wl", DEMO_PASSWORD)
    p.goto(live_server.url + "/supervision/my/")
    p.click(f"[data-testid=file-{site.pk}]")
    p.wait_for_load_state("networkidle")
    # camera or album: no capture attribute, which would open only the camera on Android
    assert p.get_attribute("[data-testid=photos]", "capture") is None
    assert p.get_attribute("[data-testid=photos]", "accept") == "image/*"
    p.fill("#invested", "八百")  # a typing mistake: refused in Chinese, nothing saved
    p.fill("#progress_text", "1#冷库主体结构封顶，2#冷库钢结构吊装完成60%。")
    p.click("[data-testid=submit-report]")
    p.wait_for_load_state("networkidle")
    assert "本期完成投资应为数字" in p.inner_text("[data-testid=form-errors]")
    assert ProgressReport.objects.count() == 0
    p.fill("#invested", "800")
    p.fill("#next_plan", "完成2#冷库屋面施工。")
    p.set_input_files(
        "[data-testid=photos]",
        files=[{"name": "IMG_0418.jpg", "mimeType": "image/jpeg", "buffer": photo}],
    )
    p.fill("[data-testid=problem-title]", "冷库东侧地块规划条件需调整")
    p.select_option("select[name=problem_type]", "land")
    p.select_option("select[name=problem_unit]", label="自然资源局")
    assert p.evaluate("document.documentElement.scrollWidth") <= 375
    phone.shot("supervision-report-form-phone")
    p.click("[data-testid=submit-report]")
    p.wait_for_load_state("networkidle")
    assert p.inner_text("[data-testid=report-status]") == "已报送"
    photos = p.inner_text("[data-testid=photos]")
    assert "拍摄 11-18 09:30" in photos and "43.865200" in photos
    assert (
        p.evaluate("document.querySelector('[data-testid=photos] img').naturalWidth") > 0
    )  # the thumbnail
    assert p.evaluate("document.documentElement.scrollWidth") <= 375
    phone.shot("supervision-report-filed-phone")
    report = ProgressReport.objects.get()
    assert (report.invested, report.ytd, report.since_start) == (
        Decimal("800"),
        Decimal("9800"),
        Decimal("30800"),
    )
    assert report.photos.get().latitude == Decimal("43.865200") and not report.is_late
    assert Problem.objects.get().suggested_unit.name == "自然资源局"

    desk = Page(chromium, live_server.url)
    d = desk.login("duchashi", DEMO_PASSWORD)
    d.goto(live_server.url + f"/supervision/reports/{report.pk}/")
    d.fill("#reason", "本期投资与监理月报不一致，请核实后重新报送。")
    d.click("[data-testid=return-form] button")
    d.wait_for_load_state("networkidle")
    assert d.inner_text("[data-testid=report-status]") == "已退回"
    assert "监理月报不一致" in d.inner_text("[data-testid=return-reason]")
    assert "退回修改" in d.inner_text("[data-testid=history]")
    desk.shot("supervision-report-returned")

    p.goto(live_server.url + "/supervision/my/")
    assert "监理月报不一致" in p.inner_text("[data-testid=my-projects]")
    p.click("text=修改后重新报送")
    p.wait_for_load_state("networkidle")
    p.fill("#invested", "650")
    p.click("[data-testid=submit-report]")
    p.wait_for_load_state("networkidle")
    assert p.inner_text("[data-testid=report-status]") == "已报送"
    history = p.inner_text("[data-testid=history]")
    assert (
        "退回修改" in history and "修改后重新报送" in history and "本期投资 800.00 万元" in history
    )
    phone.shot("supervision-report-resubmitted-phone")
    report.refresh_from_db()
    assert report.since_start == Decimal("30650")
    for page in (phone, desk):
        page.assert_local_only()
        page.close()

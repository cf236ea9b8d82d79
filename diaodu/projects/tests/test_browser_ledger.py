"""Browser: the ledger on a phone — filter, open a project, move its stage; export on desktop."""

from datetime import date
from decimal import Decimal

import pytest

from diaodu.org.demo import DEMO_PASSWORD
from diaodu.web.tests.browser import Page, chromium  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def zone(transactional_db):
    from diaodu.audit.context import acting_as
    from diaodu.org import demo
    from diaodu.org.models import Unit, User
    from diaodu.org.scope import SYSTEM
    from diaodu.projects import services

    with acting_as(None):
        demo.build()
        wl = Unit.objects.get(code="QHKFQ-WL")
        sec = User.objects.get(username="mishu_wl")
        for i, (name, total) in enumerate(
            [
                ("智慧冷链物流园项目", "150000"),
                ("保税物流中心（B型）项目", "80000"),
                ("城市配送分拨中心项目", "26000"),
            ]
        ):
            services.create_project(
                SYSTEM,
                unit=wl,
                data={
                    "name": name,
                    "total_investment": Decimal(total),
                    "plan_category": "new_start",
                },
                secretary=sec,
                stage="preparing",
                stage_date=date(2026, 3, 1 + i),
            )


def test_ledger_on_phone(chromium, live_server, zone):  # noqa: F811
    page = Page(chromium, live_server.url, mobile=True)
    p = page.login("wl_zhuren", DEMO_PASSWORD)
    p.goto(live_server.url + "/projects/")
    rows = p.locator("[data-testid=ledger-table] tbody tr")
    assert rows.count() == 3
    page.shot("ledger-phone")
    assert p.evaluate("document.documentElement.scrollWidth") <= 375
    p.fill("input[name=q]", "冷链")
    p.click("#filter-form button.btn-primary")
    p.wait_for_load_state("networkidle")
    assert p.locator("[data-testid=ledger-table] tbody tr").count() == 1
    p.click("text=智慧冷链物流园项目")
    p.wait_for_load_state("networkidle")
    p.select_option("#to_stage", "under_construction")
    p.fill("[data-testid=stage-form] input[name=on]", date.today().isoformat())
    p.fill("[data-testid=stage-form] input[name=note]", "举行开工仪式")
    p.click("[data-testid=stage-form] button")
    p.wait_for_load_state("networkidle")
    assert "项目阶段已变更为“在建”" in p.content()
    assert "举行开工仪式" in p.locator("[data-testid=timeline]").inner_text()
    page.shot("project-phone")
    assert p.evaluate("document.documentElement.scrollWidth") <= 375
    page.assert_local_only()
    page.close()


def test_export_and_funnel_on_desktop(chromium, live_server, zone):  # noqa: F811
    page = Page(chromium, live_server.url)
    p = page.login("duchashi", DEMO_PASSWORD)
    p.goto(live_server.url + "/projects/funnel/")
    p.wait_for_load_state("networkidle")
    p.wait_for_selector("#funnel canvas")
    page.shot("funnel")
    p.goto(live_server.url + "/projects/")
    with p.expect_download() as info:
        p.click("[data-testid=export]")
    assert info.value.suggested_filename.endswith(".xlsx")
    page.assert_local_only()
    page.close()

"""Browser: on a phone (375 px) the top bar shows the unread badge (loaded by HTMX), the inbox
marks read, and the send log of the 督查室 fits the screen."""

import pytest

from diaodu.org.demo import DEMO_PASSWORD
from diaodu.web.tests.browser import Page, chromium  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inbox_and_send_log_on_a_phone(chromium, live_server, transactional_db):  # noqa: F811
    from diaodu.audit.context import acting_as
    from diaodu.notify import services
    from diaodu.org import demo
    from diaodu.org.models import Unit, User
    from diaodu.org.scope import SYSTEM

    with acting_as(None):
        demo.build()
        services.create_channel(
            SYSTEM,
            unit=Unit.objects.get(code="QHKFQ"),
            kind="wecom",
            name="督查室工作群",
            webhook_url="http://127.0.0.1:9/send?key=k",
        )
        for i in range(2):
            services.notify(
                [User.objects.get(username="mishu_wl")],
                title=f"请于周四 17:00 前填报第 {i + 1} 周周报",
                body="物流园有 3 个项目尚未填报本周进度。",
                link="/projects/",
                kind="reminder",
            )
    phone = Page(chromium, live_server.url, mobile=True)
    p = phone.login("mishu_wl", DEMO_PASSWORD)
    p.locator("[data-testid=unread]").wait_for()
    assert p.locator("[data-testid=unread]").inner_text() == "2"
    p.click("[data-testid=inbox-link]")
    p.wait_for_load_state("networkidle")
    assert p.locator("[data-message]").count() == 2
    phone.shot("notify-inbox-phone")
    assert p.evaluate("document.documentElement.scrollWidth") <= 375
    p.locator("[data-message] >> text=标为已读").first.click()
    p.wait_for_load_state("networkidle")
    p.locator("[data-testid=unread]").wait_for()
    assert p.locator("[data-testid=unread]").inner_text() == "1"
    phone.assert_local_only()
    phone.close()

    phone = Page(chromium, live_server.url, mobile=True)
    p = phone.login("duchashi", DEMO_PASSWORD)
    phone.goto("/notify/log/")
    p.wait_for_load_state("networkidle")
    assert p.locator("[data-delivery]").count() == 2
    phone.shot("notify-log-phone")
    phone.goto("/notify/channels/")
    p.wait_for_load_state("networkidle")
    phone.shot("notify-channels-phone")
    phone.close()

"""Browser: sign in, menus of a secretary (phone) vs an administrator, language switch, audit list."""

import pytest

from diaodu.org.demo import DEMO_PASSWORD
from diaodu.web.tests.browser import Page, chromium  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def zone(transactional_db):
    from diaodu.audit.context import acting_as
    from diaodu.org import demo

    with acting_as(None):
        demo.build()


def menu_items(page):
    return page.locator("[data-menu]").evaluate_all("els => els.map(e => e.dataset.menu)")


def test_secretary_on_phone_vs_administrator(chromium, live_server, zone):  # noqa: F811
    phone = Page(chromium, live_server.url, mobile=True)
    p = phone.goto("/")
    assert "/login/" in p.url
    assert p.locator("h2").first.inner_text() == "账号登录"
    phone.shot("login-phone")
    p = phone.login("mishu_wl", DEMO_PASSWORD)
    assert p.url.rstrip("/") == live_server.url
    items = menu_items(p)
    assert "org:units" not in items and "audit:entries" not in items
    assert "web:profile" in items
    # on a phone the menu is folded behind the toggler
    assert not p.locator("[data-menu='web:profile']").is_visible()
    p.click(".navbar-toggler")
    p.locator("[data-menu='web:profile']").wait_for(state="visible")
    phone.shot("secretary-menu-phone")
    width = p.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"页面在手机上横向溢出：{width}px"
    phone.assert_local_only()
    phone.close()

    desk = Page(chromium, live_server.url)
    p = desk.login("sysadmin", DEMO_PASSWORD)
    items = menu_items(p)
    assert {"org:units", "org:people", "org:dicts"} <= set(items)
    assert "audit:entries" not in items and "org:roles" not in items
    p.click("[data-menu='org:units']")
    p.wait_for_load_state("networkidle")
    assert "清河经济开发区管委会" in p.content()
    desk.shot("admin-units")
    desk.assert_local_only()
    desk.close()


def test_switch_language_and_audit_list(chromium, live_server, zone):  # noqa: F811
    page = Page(chromium, live_server.url)
    p = page.login("auditor", DEMO_PASSWORD)
    p.click("[data-menu='audit:entries']")
    p.wait_for_load_state("networkidle")
    assert p.locator("[data-testid=audit-table] tbody tr").count() > 10
    assert "person.create" in p.content()
    page.shot("audit-list")
    p.click("[data-testid=lang]")
    p.wait_for_load_state("networkidle")
    assert p.locator("html").get_attribute("lang") == "en"
    assert "Audit log" in p.content() and "Sign out" in p.content()
    page.shot("audit-list-en")
    p.click("[data-testid=lang]")
    p.wait_for_load_state("networkidle")
    assert p.locator("html").get_attribute("lang") == "zh-hans"
    page.assert_local_only()
    page.close()


def test_wrong_password_message(chromium, live_server, zone):  # noqa: F811
    page = Page(chromium, live_server.url, mobile=True)
    p = page.login("mishu_wl", "wrong")
    assert "账号或密码错误" in p.locator("[data-testid=login-error]").inner_text()
    page.close()

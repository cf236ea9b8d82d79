"""Helpers for browser tests: Debian's Chromium driven by Playwright, never a downloaded browser."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from diaodu.testing.services import missing

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; the Django ORM calls the tests make
# around it are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def require_chromium():
    if not Path(CHROMIUM).exists():
        missing(
            "Chromium",
            f"{CHROMIUM} 未安装（apt-get install -y chromium）",
            "DIAODU_REQUIRE_BROWSER",
        )


_SHARED: dict = {}  # one Playwright driver per test session, whichever module asks first


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium. Modules import this fixture; they all share one browser, because the
    sync Playwright API cannot run twice in one thread."""
    require_chromium()
    if "browser" in _SHARED:
        yield _SHARED["browser"]
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        _SHARED["browser"] = browser
        try:
            yield browser
        finally:
            _SHARED.clear()
            browser.close()


class Page:
    """A page that remembers every host it contacted, to prove nothing came from elsewhere."""

    def __init__(self, browser, base_url: str, *, mobile: bool = False):
        opts = (
            {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
            if mobile
            else {"viewport": {"width": 1366, "height": 900}}
        )
        self.context = browser.new_context(locale="zh-CN", **opts)
        self.page = self.context.new_page()
        self.base = base_url
        self.hosts: set[str] = set()
        self.page.on("request", lambda req: self.hosts.add(urlparse(req.url).netloc))

    def goto(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def login(self, username: str, password: str):
        self.goto("/login/")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")
        return self.page

    def shot(self, name: str):
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def assert_local_only(self):
        own = urlparse(self.base).netloc
        foreign = {h for h in self.hosts if h and h != own}
        assert not foreign, f"页面访问了外部地址：{foreign}"

    def close(self):
        self.context.close()

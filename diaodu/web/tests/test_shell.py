"""The shell: Chinese by default, English switchable, nothing loaded from another host."""

import re

from django.test import Client


def test_login_page_is_chinese(db):
    html = Client().get("/login/").content.decode()
    assert 'lang="zh-hans"' in html and "账号登录" in html


def test_switch_to_english(client_for):
    c = client_for("sysadmin")
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = c.get("/").content.decode()
    assert 'lang="en"' in html
    assert "Sign out" in html and "Unit tree" in html


def test_no_external_assets(client_for):
    c = client_for("sysadmin")
    for path in ("/", "/org/units/", "/org/people/", "/me/"):
        html = c.get(path).content.decode()
        for url in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not re.match(r"^(https?:)?//", url), (path, url)


def test_redis_cache_reachable_when_configured():
    """REDIS_URL turns on the Redis cache; prove the backend really talks to the server here."""
    from django.core.cache.backends.redis import RedisCache

    from diaodu.testing.services import require_redis

    cache = RedisCache(require_redis(), {"KEY_PREFIX": "t-shell"})
    cache.set("diaodu-test", {"a": 1}, 30)
    assert cache.get("diaodu-test") == {"a": 1}
    cache.delete("diaodu-test")


def test_chinese_even_for_an_english_browser(db):
    html = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in html and "账号登录" in html

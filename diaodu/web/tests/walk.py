"""Walk the pages of the demo zone as a signed-in person: every GET page reachable from the home
page through links (a bounded number of URLs per URL pattern), plus every parameterless page of
the URL configuration. Shared by the CSP test and the browser XSS test."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

# Pages that change something on GET or stream files: not walked.
SKIP_PREFIXES = ("/logout/", "/static/", "/media/", "/i18n/", "/api/v1/docs")
SKIP_SUFFIXES = (".xlsx", ".docx", ".pdf", ".zip", ".csv", "/download/", "/export/")
ROLES = ("duchashi", "wl_zhuren", "mishu_wl", "ziranziyuan", "sysadmin", "secadmin", "auditor")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/"):
                self.links.append(urldefrag(href)[0])


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def parameterless_routes() -> list[str]:
    """Every page of the URL configuration without a parameter (outside the API)."""
    out = []

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if "<" not in route and not route.startswith(("api/", "^")):
                    out.append("/" + route)

    walk(get_resolver().url_patterns, "")
    return out


def _route_name(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.route


def crawl(client, *, per_route: int = 1, limit: int = 400):
    """Yield (url, response) for the pages a client can open, breadth first from "/"."""
    seen_routes: dict[str, int] = {}
    seen: set[str] = set()
    queue = deque(["/", *parameterless_routes()])
    while queue and len(seen) < limit:
        url = queue.popleft()
        if (
            url in seen
            or url.startswith(SKIP_PREFIXES)
            or urlsplit(url).path.endswith(SKIP_SUFFIXES)
        ):
            continue
        route = _route_name(url)
        if route is None or seen_routes.get(route, 0) >= per_route:
            continue
        seen.add(url)
        seen_routes[route] = seen_routes.get(route, 0) + 1
        response = client.get(url)
        yield url, response
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for link in links_of(response.content.decode()):
                if link not in seen:
                    queue.append(link)


INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I
)
EVENT_ATTR = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def script_problems(html: str) -> list[str]:
    problems = [m.group(0) for m in INLINE_SCRIPT.finditer(html)]
    problems += [m.group(0)[:120] for m in EVENT_ATTR.finditer(html)]
    problems += [m.group(0) for m in JS_URL.finditer(html)]
    problems += ["<style>"] if re.search(r"<style\b", html, re.I) else []
    return problems

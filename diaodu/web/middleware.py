"""Response headers of the shell: the language, and the security headers of every response.

Chinese unless the person chose otherwise.

Django's LocaleMiddleware follows the browser's Accept-Language, so an office computer with an
English browser would get English pages. Diaodu is a Chinese system first: the language is the
one chosen with the switch (its cookie), else zh-hans."""

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.http import JsonResponse
from django.utils import translation

from diaodu.engine import requestguard


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.allowed = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if lang not in self.allowed:
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        response.headers.setdefault("Content-Language", lang)
        return response


def tile_source(url: str) -> str:
    """The CSP source of the configured map-tile server ("https://*.tianditu.gov.cn" for a
    URL with a {s} sub-domain placeholder), or "" when tiles come from this server or none."""
    if not url or url.startswith("/"):
        return ""
    parsed = urlsplit(url.replace("{s}", "SUBDOMAIN"))
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return ""
    labels = [
        "*" if "SUBDOMAIN" in label.upper() else label for label in parsed.hostname.split(".")
    ]
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{'.'.join(labels)}{port}"


def content_security_policy() -> str:
    """Scripts, styles, fonts and data only from this server: no inline script, no eval.

    Style attributes stay allowed (`style-src-attr`): templates position bars and size charts
    with them, and an attribute cannot run script; <style> elements and style sheets must come
    from the server. Images may be data: URIs (Tabler's icons) and map tiles from the configured
    tile server."""
    img = ["'self'", "data:", "blob:"]
    tiles = tile_source(settings.MAP_TILE_URL)
    if tiles:
        img.append(tiles)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "style-src-elem 'self'",
            "style-src-attr 'unsafe-inline'",
            f"img-src {' '.join(img)}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy on every response, and `Cache-Control: no-store` on
    everything a signed-in person (or a token) receives, so that no shared or back-button cache
    keeps a page of scoped data."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        if not request.path.startswith(settings.STATIC_URL) and (
            getattr(getattr(request, "user", None), "is_authenticated", False)
            or "HTTP_AUTHORIZATION" in request.META
        ):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class InputGuardMiddleware:
    """Refuse, before anything reads it, a request whose path, query parameters, form fields,
    uploaded file names, JSON body, cookies or header values carry a NUL or a lone surrogate
    (diaodu.engine.requestguard): a Chinese 400 naming where — an HTML page for pages, a JSON
    error for the API — and nothing changes, instead of a 500 from the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = requestguard.first_problem(self._texts(request))
        if found is None:
            return self.get_response(request)
        message = requestguard.message(*found)
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {"detail": message, "errors": {found[0]: message}},
                status=400,
                json_dumps_params={"ensure_ascii": False},
            )
        from diaodu.web.errors import bad_characters

        return bad_characters(request, message)

    @staticmethod
    def _texts(request):
        yield "地址", request.path_info
        for key, values in request.GET.lists():
            for value in values:
                yield key, value
        for name, value in request.COOKIES.items():
            yield f"Cookie {name}", value
        for key, value in request.META.items():
            if key.startswith("HTTP_") or key in ("CONTENT_TYPE", "QUERY_STRING"):
                yield f"请求头 {key.removeprefix('HTTP_').replace('_', '-').title()}", value
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        content_type = request.content_type or ""
        if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            for key, values in request.POST.lists():
                for value in values:
                    yield key, value
            for key, files in request.FILES.lists():
                for f in files:
                    yield key, f.name or ""
        elif content_type == "application/json" or content_type.endswith("+json"):
            try:
                body = json.loads(request.body or b"null")
            except ValueError:
                return  # not JSON: the API answers that itself
            yield from requestguard.json_strings(body)

"""Chinese unless the person chose otherwise.

Django's LocaleMiddleware follows the browser's Accept-Language, so an office computer with an
English browser would get English pages. Diaodu is a Chinese system first: the language is the
one chosen with the switch (its cookie), else zh-hans."""

from django.conf import settings
from django.utils import translation


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

"""Authentication policy on every request: idle timeout, forced password change, and binding
the signed-in person to the audit context."""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.shortcuts import redirect
from django.urls import reverse

from diaodu.audit.middleware import bind_user
from diaodu.audit.services import log_login

LAST_SEEN = "diaodu_last_seen"
# Last-seen is stored at most this often: a page view that changes nothing writes no session.
LAST_SEEN_EVERY = 60
EXEMPT_PREFIXES = ("/static/", "/i18n/", "/api/")


class AuthPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_SEEN)
            if last is not None and now - float(last) > settings.SESSION_IDLE_TIMEOUT:
                log_login(request, user.username, "timeout", user)
                logout(request)
                request.session["diaodu_timed_out"] = True
                return redirect(f"{reverse('web:login')}?timeout=1")
            if last is None or now - float(last) >= LAST_SEEN_EVERY:
                request.session[LAST_SEEN] = now
            bind_user(request, user)
            if (
                user.must_change_password
                and not request.path.startswith(EXEMPT_PREFIXES)
                and request.path not in (reverse("web:password"), reverse("web:logout"))
            ):
                return redirect("web:password")
        response = self.get_response(request)
        if SESSION_KEY in request.session and LAST_SEEN not in request.session:
            # signed in by this request: the idle clock starts now, not at the next page
            request.session[LAST_SEEN] = time.time()
        return response

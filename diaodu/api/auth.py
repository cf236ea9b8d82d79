"""API authentication: a personal token (Authorization: Bearer ddu_…) or the browser session."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from ninja.security import HttpBearer, SessionAuth

from diaodu.audit.middleware import bind_user
from diaodu.org.services import authenticate_token


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        user = authenticate_token(token)
        if user is None:
            return None
        request.user = user
        bind_user(request, user)
        return user


class ActiveSessionAuth(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None and (not user.is_active or user.must_change_password):
            return None
        return user


AUTH = [TokenAuth(), ActiveSessionAuth()]


def _docs_reader(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user if user.is_active and not user.must_change_password else None
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.lower().startswith("bearer "):
        return authenticate_token(header[7:].strip())
    return None


def signed_in_docs(view):
    """The API's documentation and OpenAPI document are for signed-in people (or a valid
    token) only: the login page for a browser, 401 for a program."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if _docs_reader(request) is None:
            if request.path.endswith(".json"):
                return JsonResponse({"detail": "未登录或令牌无效。"}, status=401)
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper

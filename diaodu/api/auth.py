"""API authentication: a personal token (Authorization: Bearer ddu_…) or the browser session."""

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

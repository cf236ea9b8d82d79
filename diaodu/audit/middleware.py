from diaodu.audit import context


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


class RequestContextMiddleware:
    """Gives every request an id (echoed in X-Request-ID) and makes the acting user known
    to services through a context variable, so audit entries say who and which request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = (
            incoming if incoming.isalnum() and len(incoming) <= 64 else context.new_request_id()
        )
        request.request_id = request_id
        channel = "api" if request.path.startswith("/api/") else "web"
        token = context.set_actor(
            context.Actor(None, "anonymous", request_id, client_ip(request), channel)
        )
        request._actor_token = token
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response


def bind_user(request, user) -> None:
    """Called once the user is known (session or API token)."""
    context.set_actor(
        context.Actor(
            user.pk,
            user.get_username(),
            getattr(request, "request_id", context.new_request_id()),
            client_ip(request),
            "api" if request.path.startswith("/api/") else "web",
        )
    )

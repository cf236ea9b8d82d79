"""Diaodu API v1 (django-ninja). OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Handlers call the same queries (scoped) and services (validated, audited) as the pages."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.http.request import RawPostDataException
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from diaodu.api import errors as api_errors
from diaodu.api.auth import AUTH, signed_in_docs
from diaodu.audit.locking import StaleVersion
from diaodu.engine.cleaning import CleaningError

# An app's API may be a package with one `*_routes` module per topic; its operation ids keep
# naming the package (diaodu_supervision_api_list_reports), so splitting a module changes no id.
_ROUTES_MODULE = re.compile(r"^(diaodu\.\w+\.api)\.\w+_routes$")


class DiaoduAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        module = operation.view_func.__module__
        module = _ROUTES_MODULE.sub(r"\1", module)
        return (module + "_" + operation.view_func.__name__).replace(".", "_")


api = DiaoduAPI(
    title="调度 Diaodu API",
    version="1",
    description="开发区重点项目调度平台接口。认证：个人 API 令牌（Authorization: Bearer ddu_…）或浏览器会话。",
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    docs_decorator=signed_in_docs,
    parser=api_errors.ObjectParser(),
)


@api.exception_handler(Http404)
def not_found(request, exc):
    message = str(exc) if str(exc) and not str(exc).startswith("No ") else "对象不存在或无权查看。"
    return api.create_response(request, {"detail": message}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "没有权限。"}, status=403)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"detail": "未登录或令牌无效。"}, status=401)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(
        request, {"detail": "数据校验未通过。", "errors": errors}, status=422
    )


@api.exception_handler(RawPostDataException)
def form_for_json(request, exc):
    """A form (multipart or urlencoded, already read by the input guard) sent to an endpoint that
    takes a JSON body: a 400 saying so, not a 500."""
    return api.create_response(
        request,
        {"detail": "此接口的请求体应为 JSON 对象（Content-Type: application/json），不是表单。"},
        status=400,
    )


@api.exception_handler(StaleVersion)
def stale(request, exc):
    """Someone saved the record after the version the request was built on: 409, saying who."""
    errors = exc.message_dict
    detail = "；".join(m for msgs in errors.values() for m in msgs)
    return api.create_response(request, {"detail": detail, "errors": errors}, status=409)


@api.exception_handler(SchemaError)
def schema_invalid(request, exc):
    """Wrong types (a string for a number, a list for an object, 2026-02-30 …): Chinese, by field."""
    return api.create_response(request, api_errors.schema_errors(exc), status=422)


@api.exception_handler(HttpError)
def http_error(request, exc):
    body, status = api_errors.http_error(exc)
    return api.create_response(request, body, status=status)


def out_of_range(request, exc):
    """A value the database cannot hold (an id past 2⁶³, a number past the column's digits): the
    service's transaction rolled back; a 422, not a 500."""
    return api.create_response(request, {"detail": api_errors.OUT_OF_RANGE}, status=422)


for _exc in api_errors.RANGE_ERRORS:
    api.add_exception_handler(_exc, out_of_range)


@api.exception_handler(CleaningError)
def uncleanable(request, exc):
    return api.create_response(
        request, {"detail": exc.message, "errors": {exc.field: [exc.message]}}, status=422
    )


from diaodu.api import org_api  # noqa: E402  (routers register themselves on `api`)

api.add_router("", org_api.router)

from diaodu.projects import api as projects_api  # noqa: E402

api.add_router("/projects", projects_api.router)

from diaodu.procedures import api as procedures_api  # noqa: E402

api.add_router("/projects", procedures_api.router)

from diaodu.notify import api as notify_api  # noqa: E402

api.add_router("/notify", notify_api.router)

from diaodu.targets import api as targets_api  # noqa: E402

api.add_router("/targets", targets_api.router)

from diaodu.supervision import api as supervision_api  # noqa: E402

api.add_router("/supervision", supervision_api.router)

from diaodu.tasks import api as tasks_api  # noqa: E402

api.add_router("/tasks", tasks_api.router)

from diaodu.api import figures_api  # noqa: E402

api.add_router("/figures", figures_api.router)

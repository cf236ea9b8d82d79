"""Error pages in Chinese, in the shell's look: 400, 403 (with the reason the code gave), 404
(with the reason when a view named one), and the CSRF failure. Each has a viewport tag and a way
back. The templates extend ``errors/base.html``, which needs nothing from the database."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from diaodu.engine.requestguard import unstorable


def _back(request) -> str:
    """The page the person came from, when it is on this server."""
    referer = request.META.get("HTTP_REFERER", "")
    if (
        referer
        and unstorable(referer) is None
        and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure())
    ):
        if referer.split("?")[0].rstrip("/") != request.build_absolute_uri(request.path).rstrip(
            "/"
        ):
            return referer
    return ""


def _reason(exception, allowed: tuple[type, ...]) -> str:
    """The message the code gave (Http404("问题不存在或无权查看。"), PermissionDenied(...)), not
    the resolver's internals."""
    if not isinstance(exception, allowed) or not exception.args:
        return ""
    msg = exception.args[0]
    return msg if isinstance(msg, str) else ""


def _page(request, status: int, heading: str, reason: str, hint: str = ""):
    try:
        authed = bool(request.user.is_authenticated)
    except AttributeError:  # before authentication ran (a bad host, a broken session)
        authed = False
    return render(
        request,
        "errors/page.html",
        {
            "status": status,
            "heading": heading,
            "reason": reason,
            "hint": hint,
            "back": _back(request),
            "home": reverse("web:home") if authed else reverse("web:login"),
            "authed": authed,
        },
        status=status,
    )


def bad_request(request, exception=None, template_name=None):
    return _page(
        request,
        400,
        _("请求无法处理"),
        _("请求的内容不完整或格式有误，可能是链接被截断或已过期。"),
    )


def bad_characters(request, reason: str):
    """The request carried a NUL or a lone surrogate (see web.middleware.InputGuardMiddleware)."""
    return _page(
        request,
        400,
        _("提交的内容含有不允许的字符"),
        reason,
        _("这类字符通常来自复制粘贴或编码错误，肉眼看不到；请重新输入该项后再提交。"),
    )


def permission_denied(request, exception=None, template_name=None):
    from django.core.exceptions import PermissionDenied

    return _page(
        request,
        403,
        _("没有权限"),
        _reason(exception, (PermissionDenied,)) or _("您没有访问此页面或进行此操作的权限。"),
        _("如确需办理，请联系本单位管理员或安全管理员授予相应权限。"),
    )


def page_not_found(request, exception=None, template_name=None):
    return _page(
        request,
        404,
        _("页面不存在"),
        _reason(exception, (Http404,)) or _("您访问的页面不存在，可能已被删除，或链接有误。"),
    )


def csrf_failure(request, reason="", template_name=None):
    return _page(
        request,
        403,
        _("页面已过期，提交未生效"),
        _("为保护数据安全，这次提交被拒绝：页面打开太久、已在其他窗口退出或重新登录。"),
        _("请返回上一页，刷新后重新填写提交。"),
    )

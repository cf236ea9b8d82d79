"""Sign-in and sign-out, forced password change, the home page and one's own profile."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from diaodu import clock
from diaodu.audit.services import log_login
from diaodu.org import services
from diaodu.org.models import ApiToken, User
from diaodu.org.scope import scope_for
from diaodu.viewkit import run_action
from diaodu.web import home as home_lists

TIMEOUT_MESSAGE = "会话已超时，请重新登录。"


def generic_fail() -> str:
    """One message for an unknown account, a wrong password and a locked account, so the login
    page never tells whether an account exists (no account enumeration)."""
    return (
        f"账号或密码错误。连续输错 {settings.LOCKOUT_THRESHOLD} 次账号将锁定 "
        f"{settings.LOCKOUT_MINUTES} 分钟；如已锁定，请稍后再试或联系安全管理员解锁。"
    )


def login_view(request):
    if request.user.is_authenticated:
        return redirect("web:home")
    error = ""
    username = ""
    if request.GET.get("timeout"):
        error = TIMEOUT_MESSAGE
    if request.method == "POST":
        username = (request.POST.get("username") or "").strip()
        password = request.POST.get("password") or ""
        user = User.objects.filter(username__iexact=username).first() if username else None
        now = clock.wall_now()
        if not username or not password:
            error = "请输入账号和密码。"
        elif user is None:
            User().set_password(password)  # the same hashing work as for a real account
            log_login(request, username, "unknown_user")
            error = generic_fail()
        elif user.locked_until and user.locked_until > now:
            user.check_password(password)  # same work, same answer: the lock is not revealed
            log_login(request, username, "locked", user)
            error = generic_fail()
        elif not user.check_password(password):
            services.register_failed_login(user)
            log_login(request, username, "failed", user)
            error = generic_fail()
        elif not user.is_active:
            log_login(request, username, "disabled", user)
            error = "账号已停用，请联系系统管理员。"
        else:
            services.register_successful_login(user)
            login(request, user)
            log_login(request, username, "success", user)
            target = request.POST.get("next") or request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(
                target, {request.get_host()}, request.is_secure()
            ):
                target = ""
            if user.must_change_password:
                return redirect("web:password")
            return redirect(target or "web:home")
    return render(
        request,
        "web/login.html",
        {"error": error, "username": username, "next": request.GET.get("next", "")},
        status=200,
    )


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        log_login(request, request.user.username, "logout", request.user)
    logout(request)
    return redirect("web:login")


@login_required
def password_view(request):
    errors: dict = {}
    if request.method == "POST":
        new1, new2 = request.POST.get("new_password", ""), request.POST.get("new_password2", "")
        if new1 != new2:
            errors["new_password2"] = ["两次输入的新密码不一致。"]
        else:
            try:
                services.change_own_password(
                    request.user, request.POST.get("old_password", ""), new1
                )
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                request.user.refresh_from_db()
                update_session_auth_hash(request, request.user)
                messages.success(request, gettext("密码已修改。"))
                return redirect("web:home")
    return render(
        request,
        "web/password.html",
        {"errors": errors, "forced": request.user.must_change_password},
    )


def home_unit(user):
    """The unit whose 主要数据 the home page shows: the cockpit's unit for those who may see the
    cockpit (the same unit as the target cards above it), else where the period summary opens."""
    from diaodu.supervision import queries as sq

    s = scope_for(user)
    if not s.has("projects.view"):
        return None
    if s.has("cockpit.view"):
        from diaodu.targets.views import default_unit

        unit = default_unit(user, clock.today().year)
        if unit is not None:
            return unit
    return sq.default_unit(user)


@login_required
def home(request):
    scope = scope_for(request.user)
    memberships = request.user.memberships.select_related("unit")
    return render(
        request,
        "web/home.html",
        {
            "blocks": home_lists.blocks_for(request.user),
            "memberships": memberships,
            "roles": request.user.roles.all(),
            "scope": scope,
            "home_unit": home_unit(request.user),
        },
    )


@login_required
def profile(request):
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request,
        "web/profile.html",
        {
            "tokens": tokens,
            "memberships": request.user.memberships.select_related("unit"),
            "roles": request.user.roles.all(),
            "new_token": request.session.pop("new_token", None),
        },
    )


@login_required
@require_POST
def token_create(request):

    def create():
        _token, raw = services.create_token(
            request.user,
            request.POST.get("name", ""),
            request.POST.get("days") or services.TOKEN_DAYS_DEFAULT,
        )
        request.session["new_token"] = raw  # shown once on the profile page

    return run_action(
        request,
        create,
        success=gettext("令牌已生成。请立即复制保存，它只显示这一次。"),
        to="web:profile",
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.revoke_token(request.user, token)
    messages.success(request, gettext("令牌“%(token_name)s”已撤销。") % {"token_name": token.name})
    return redirect("web:profile")

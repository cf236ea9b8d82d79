"""Every write to units, people, roles, tokens and dictionaries goes through here.

Each function checks the acting person's permission key, validates, saves inside a transaction
and appends the audit entry. Errors are ValidationError / PermissionDenied with Chinese messages.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from diaodu import clock
from diaodu.audit.services import record, snapshot
from diaodu.org import permissions as P
from diaodu.org.models import (
    ApiToken,
    DataScope,
    DictItem,
    DictType,
    Membership,
    PasswordHistory,
    Role,
    Unit,
    UnitKind,
    User,
)
from diaodu.org.scope import SYSTEM, forget, require

UNIT_FIELDS = ("code", "name", "short_name", "kind", "sort_order", "region_code")
# set by an administrator's import or the demo, not by the unit form (which never clears it)
UNIT_DATA_FIELDS = (*UNIT_FIELDS, "boundary")
CODE_RE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
PHONE_RE = re.compile(r"^1\d{10}$")
ID_RE = re.compile(r"^\d{17}[\dXx]$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,150}$")


# ---------------------------------------------------------------- units
def _check_unit_data(data: dict, instance: Unit | None = None) -> dict:
    errors = {}
    clean = {
        k: (data[k].strip() if isinstance(data.get(k), str) else data.get(k))
        for k in UNIT_DATA_FIELDS
        if k in data
    }
    if instance is None:
        for k in ("code", "name", "kind"):
            if not clean.get(k):
                errors[k] = "必填。"
    if "code" in clean and clean["code"] and not CODE_RE.match(clean["code"]):
        errors["code"] = "单位编码只能包含字母、数字、点、横线和下划线，最长 32 位。"
    if (
        "code" in clean
        and clean["code"]
        and Unit.objects.filter(code=clean["code"])
        .exclude(pk=getattr(instance, "pk", None))
        .exists()
    ):
        errors["code"] = f"单位编码“{clean['code']}”已存在。"
    if "kind" in clean and clean["kind"] and clean["kind"] not in UnitKind.values:
        errors["kind"] = "单位类型无效。"
    if clean.get("region_code") and not re.fullmatch(r"\d{6}", clean["region_code"]):
        errors["region_code"] = "行政区划代码应为 6 位数字。"
    if clean.get("boundary") is not None:
        ring = _ring(clean["boundary"])
        if ring is None:
            errors["boundary"] = (
                "边界应为至少 3 个经纬度点 [[纬度, 经度], …]（纬度 -90～90，经度 -180～180）。"
            )
        else:
            clean["boundary"] = ring
    if errors:
        raise ValidationError(errors)
    return clean


def _ring(value) -> list | None:
    """A boundary as [[lat, lon], …] with at least 3 points, or None when it is not one."""
    try:
        ring = [[round(float(lat), 6), round(float(lon), 6)] for lat, lon in value]
    except (TypeError, ValueError):
        return None
    if len(ring) < 3 or any(not (-90 <= a <= 90 and -180 <= b <= 180) for a, b in ring):
        return None
    return ring


def _set_path(unit: Unit) -> None:
    parent = unit.parent
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.depth = (parent.depth + 1) if parent else 0


@transaction.atomic
def create_unit(by, *, parent: Unit | None, **data) -> Unit:
    require(by, "sys.units")
    clean = _check_unit_data(data)
    if parent is not None and not parent.is_active:
        raise ValidationError({"parent": "上级单位已停用。"})
    unit = Unit(parent=parent, **clean)
    unit.save()
    _set_path(unit)
    unit.save(update_fields=["path", "depth"])
    record("unit.create", unit, after=snapshot(unit), only_changes=False)
    return unit


@transaction.atomic
def update_unit(by, unit: Unit, **data) -> Unit:
    require(by, "sys.units")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = snapshot(unit)
    clean = _check_unit_data(data, unit)
    for k, v in clean.items():
        setattr(unit, k, v)
    unit.save()
    record("unit.update", unit, before=before, after=snapshot(unit))
    return unit


@transaction.atomic
def move_unit(by, unit: Unit, new_parent: Unit | None) -> Unit:
    """Move a subtree: one UPDATE rewrites the paths of the unit and all its descendants."""
    require(by, "sys.units")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if new_parent is not None:
        new_parent = Unit.objects.get(pk=new_parent.pk)
        if new_parent.path.startswith(unit.path):
            raise ValidationError({"parent": "不能把单位移动到它自己或它的下级单位之下。"})
    before = snapshot(unit)
    old_path, old_depth = unit.path, unit.depth
    new_path = f"{new_parent.path if new_parent else '/'}{unit.pk}/"
    new_depth = (new_parent.depth + 1) if new_parent else 0
    Unit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + (new_depth - old_depth),
    )
    Unit.objects.filter(pk=unit.pk).update(parent=new_parent)
    unit.refresh_from_db()
    record("unit.move", unit, before=before, after=snapshot(unit))
    return unit


@transaction.atomic
def set_unit_active(by, unit: Unit, active: bool) -> Unit:
    """Disable a unit and everything below it, or enable it (its parent must be enabled)."""
    require(by, "sys.units")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if active and unit.parent_id and not unit.parent.is_active:
        raise ValidationError("上级单位已停用，请先启用上级单位。")
    before = snapshot(unit)
    targets = Unit.objects.filter(pk=unit.pk) if active else Unit.objects.subtree(unit)
    targets.update(is_active=active)
    unit.refresh_from_db()
    record("unit.enable" if active else "unit.disable", unit, before=before, after=snapshot(unit))
    return unit


# ---------------------------------------------------------------- 三员分立 guard
ADMIN_RECOVER_HINT = "管理员账号只能由运维人员在服务器上执行 diaodu admin-recover 命令恢复。"


def is_administrator(user: User) -> bool:
    """True when the person holds a key of one of the three administrator groups."""
    return any(
        P.BY_KEY[k].group in P.ADMIN_GROUPS
        for role in user.roles.all()
        for k in (role.permissions or [])
        if k in P.BY_KEY
    )


def guard_sensitive(by, user: User, action: str) -> None:
    """No one acts on their own account or on an administrator's through the application
    (三员分立): an administrator could otherwise become another one. Only the server-side
    `diaodu admin-recover` command (acting as SYSTEM) may."""
    if by is SYSTEM:
        return
    if by.pk == user.pk:
        raise PermissionDenied(f"不能对自己的账号{action}。")
    if is_administrator(user):
        raise PermissionDenied(f"三员分立：不能对管理员账号{action}。{ADMIN_RECOVER_HINT}")


# ---------------------------------------------------------------- people
USER_FIELDS = ("name", "phone", "id_number", "email")


def _check_user_data(data: dict, instance: User | None = None) -> dict:
    errors = {}
    clean = {
        k: (data[k].strip() if isinstance(data.get(k), str) else data.get(k))
        for k in USER_FIELDS
        if k in data
    }
    if instance is None:
        username = (data.get("username") or "").strip()
        if not USERNAME_RE.match(username):
            errors["username"] = "账号须为 3 位以上的字母、数字或 _.@- 。"
        elif User.objects.filter(username__iexact=username).exists():
            errors["username"] = f"账号“{username}”已存在。"
        clean["username"] = username
        if not clean.get("name"):
            errors["name"] = "必填。"
    if clean.get("phone") and not PHONE_RE.match(clean["phone"]):
        errors["phone"] = "手机号应为 11 位数字。"
    if clean.get("id_number") and not ID_RE.match(clean["id_number"]):
        errors["id_number"] = "身份证号应为 18 位。"
    if errors:
        raise ValidationError(errors)
    return clean


def _person_snapshot(user: User) -> dict:
    data = snapshot(
        user,
        [
            "username",
            "name",
            "phone",
            "id_number",
            "email",
            "is_active",
            "must_change_password",
            "locked_until",
            "is_demo",
        ],
    )
    data["phone"] = user.masked_phone
    data["id_number"] = user.masked_id_number
    return data


@transaction.atomic
def create_person(
    by,
    *,
    username: str,
    password: str,
    memberships: list[tuple[Unit, str]] = (),
    is_demo: bool = False,
    **data,
) -> User:
    require(by, "sys.people")
    clean = _check_user_data({**data, "username": username})
    user = User(**clean, is_demo=is_demo, must_change_password=not is_demo)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.password_changed_at = clock.wall_now()
    user.save()
    _remember_password(user)
    record("person.create", user, after=_person_snapshot(user), only_changes=False)
    if memberships:
        set_memberships(by, user, memberships)
    return user


@transaction.atomic
def update_person(by, user: User, **data) -> User:
    require(by, "sys.people")
    if by is not SYSTEM and is_administrator(user):
        raise PermissionDenied(f"三员分立：不能修改管理员的账号信息。{ADMIN_RECOVER_HINT}")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = _person_snapshot(user)
    for k, v in _check_user_data(data, user).items():
        setattr(user, k, v)
    user.save()
    record("person.update", user, before=before, after=_person_snapshot(user))
    return user


@transaction.atomic
def set_person_active(by, user: User, active: bool) -> User:
    require(by, "sys.people")
    guard_sensitive(by, user, "停用或启用")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = _person_snapshot(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    record(
        "person.enable" if active else "person.disable",
        user,
        before=before,
        after=_person_snapshot(user),
    )
    return user


@transaction.atomic
def set_memberships(by, user: User, memberships) -> None:
    """Replace a person's units: a list of (unit, position); the first is the primary unit."""
    require(by, "sys.people")
    if by is not SYSTEM and is_administrator(user):
        raise PermissionDenied(f"三员分立：不能修改管理员的任职。{ADMIN_RECOVER_HINT}")
    seen = set()
    for unit, _position in memberships:
        if unit.pk in seen:
            raise ValidationError(f"单位“{unit.name}”重复。")
        seen.add(unit.pk)
    before = {
        "memberships": [
            f"{m.unit.code}:{m.position}" for m in user.memberships.select_related("unit")
        ]
    }
    user.memberships.all().delete()
    for index, (unit, position) in enumerate(memberships):
        Membership.objects.create(
            user=user, unit=unit, position=(position or "").strip()[:50], is_primary=index == 0
        )
    after = {"memberships": [f"{u.code}:{(p or '').strip()}" for u, p in memberships]}
    record("person.memberships", user, before=before, after=after)
    forget(user)


def reset_password(by, user: User, new_password: str) -> None:
    require(by, "sys.people")
    guard_sensitive(by, user, "重置密码")
    _set_password(user, new_password, force_change=True, action="person.reset_password")


@transaction.atomic
def recover_administrator(user: User, new_password: str, *, reason: str) -> User:
    """The one way back into an administrator's account (三员分立): run on the server by
    `diaodu admin-recover`, never from a page or the API. Sets a one-time password that must be
    changed at sign-in, unlocks and enables the account, and writes the audit entry."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请说明恢复原因（写入审计日志）。"})
    if not is_administrator(user):
        raise ValidationError(
            {"username": "该账号不是管理员：普通账号由系统管理员在“人员”页面重置密码。"}
        )
    _set_password(user, new_password, force_change=True, action="person.reset_password")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = _person_snapshot(user)
    user.locked_until, user.failed_logins, user.is_active = None, 0, True
    user.save(update_fields=["locked_until", "failed_logins", "is_active"])
    record(
        "person.admin_recover",
        user,
        before=before,
        after={**_person_snapshot(user), "reason": reason},
        only_changes=False,
    )
    return user


def change_own_password(user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise ValidationError({"old_password": "原密码不正确。"})
    if old_password == new_password:
        raise ValidationError({"new_password": "新密码不能与原密码相同。"})
    _set_password(user, new_password, force_change=False, action="person.change_password")


PASSWORD_HISTORY = 5


def _reused(user: User, new_password: str) -> bool:
    """True when the new password is one of the last PASSWORD_HISTORY passwords (the current
    one included)."""
    from django.contrib.auth.hashers import check_password

    recent = list(
        PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[
            :PASSWORD_HISTORY
        ]
    )
    if user.password and user.password not in recent:
        recent = [user.password, *recent][:PASSWORD_HISTORY]
    return any(check_password(new_password, encoded) for encoded in recent)


def _remember_password(user: User) -> None:
    PasswordHistory.objects.create(user=user, password=user.password)
    keep = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[:PASSWORD_HISTORY]
    PasswordHistory.objects.filter(user=user).exclude(pk__in=list(keep)).delete()


@transaction.atomic
def _set_password(user: User, new_password: str, *, force_change: bool, action: str) -> None:
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from None
    user = User.objects.select_for_update().get(pk=user.pk)
    if _reused(user, new_password):
        raise ValidationError(
            {"new_password": f"新密码不能与最近 {PASSWORD_HISTORY} 次使用过的密码相同。"}
        )
    user.set_password(new_password)
    user.must_change_password = force_change
    user.password_changed_at = clock.wall_now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    _remember_password(user)
    record(action, user, after={"must_change_password": force_change}, only_changes=False)


# ---------------------------------------------------------------- login policy
def register_failed_login(user: User) -> bool:
    """Count a failed attempt; lock the account at the threshold. Returns True when now locked."""
    with transaction.atomic():
        u = User.objects.select_for_update().get(pk=user.pk)
        u.failed_logins += 1
        locked = u.failed_logins >= settings.LOCKOUT_THRESHOLD
        fields = ["failed_logins"]
        if locked:
            u.locked_until = clock.wall_now() + timedelta(minutes=settings.LOCKOUT_MINUTES)
            u.failed_logins = 0
            fields.append("locked_until")
        u.save(update_fields=fields)
        if locked:
            record("person.locked", u, after={"locked_until": u.locked_until}, only_changes=False)
    return locked


def register_successful_login(user: User) -> None:
    if user.failed_logins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)


@transaction.atomic
def unlock_person(by, user: User) -> None:
    require(by, "sec.unlock")
    guard_sensitive(by, user, "解锁")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = {"locked_until": user.locked_until}
    user.locked_until = None
    user.failed_logins = 0
    user.save(update_fields=["locked_until", "failed_logins"])
    record("person.unlock", user, before=before, after={"locked_until": None})


# ---------------------------------------------------------------- roles
def _role_snapshot(role: Role) -> dict:
    data = snapshot(role)
    data["permissions"] = sorted(role.permissions or [])
    data["custom_units"] = (
        sorted(role.custom_units.values_list("code", flat=True)) if role.pk else []
    )
    return data


def _check_role(code: str | None, name: str, permissions, data_scope, instance=None) -> list[str]:
    errors = {}
    perms = sorted(set(permissions or []))
    bad = P.unknown_keys(perms)
    if bad:
        errors["permissions"] = f"未知权限：{'、'.join(bad)}"
    else:
        violation = P.separation_violation(perms)
        if violation:
            errors["permissions"] = violation
    if code is not None:
        if not CODE_RE.match(code or ""):
            errors["code"] = "角色编码只能包含字母、数字、点、横线和下划线。"
        elif Role.objects.filter(code=code).exclude(pk=getattr(instance, "pk", None)).exists():
            errors["code"] = f"角色编码“{code}”已存在。"
    if not (name or "").strip():
        errors["name"] = "必填。"
    if data_scope not in DataScope.values:
        errors["data_scope"] = "数据范围无效。"
    if errors:
        raise ValidationError(errors)
    return perms


@transaction.atomic
def create_role(
    by,
    *,
    code: str,
    name: str,
    permissions,
    data_scope: int,
    custom_units=(),
    description="",
    is_builtin=False,
) -> Role:
    require(by, "sec.roles")
    perms = _check_role(code, name, permissions, data_scope)
    role = Role.objects.create(
        code=code,
        name=name.strip(),
        permissions=perms,
        data_scope=data_scope,
        description=description,
        is_builtin=is_builtin,
    )
    role.custom_units.set(custom_units if data_scope == DataScope.CUSTOM else [])
    record("role.create", role, after=_role_snapshot(role), only_changes=False)
    return role


@transaction.atomic
def update_role(
    by, role: Role, *, name: str, permissions, data_scope: int, custom_units=(), description=""
) -> Role:
    require(by, "sec.roles")
    role = Role.objects.select_for_update().get(pk=role.pk)
    if (
        role.is_builtin
        and role.code in BUILTIN_ADMIN_ROLES
        and set(permissions) != set(role.permissions)
    ):
        raise ValidationError({"permissions": "三员内置角色的权限不可修改。"})
    perms = _check_role(None, name, permissions, data_scope, role)
    # The union of each holder's roles must still respect 三员分立.
    for user in role.users.all():
        keys = set(perms)
        for other in user.roles.exclude(pk=role.pk):
            keys.update(other.permissions)
        violation = P.separation_violation(keys)
        if violation:
            raise ValidationError({"permissions": f"{user.name}（{user.username}）：{violation}"})
    before = _role_snapshot(role)
    role.name, role.permissions, role.data_scope, role.description = (
        name.strip(),
        perms,
        data_scope,
        description,
    )
    role.save()
    role.custom_units.set(custom_units if data_scope == DataScope.CUSTOM else [])
    record("role.update", role, before=before, after=_role_snapshot(role))
    return role


@transaction.atomic
def grant_roles(by, user: User, roles) -> None:
    """Set a person's roles. The union of their keys must respect 三员分立; nobody edits their own."""
    require(by, "sec.grants")
    guard_sensitive(by, user, "修改角色")
    keys: set[str] = set()
    for role in roles:
        keys.update(role.permissions)
    violation = P.separation_violation(keys)
    if violation:
        raise ValidationError({"roles": violation})
    before = {"roles": sorted(user.roles.values_list("code", flat=True))}
    user.roles.set(roles)
    record("person.roles", user, before=before, after={"roles": sorted(r.code for r in roles)})
    forget(user)


BUILTIN_ADMIN_ROLES = ("sysadmin", "secadmin", "auditadmin")


# ---------------------------------------------------------------- API tokens
TOKEN_PREFIX = "ddu_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


TOKEN_DAYS_DEFAULT = 90
TOKEN_DAYS_MAX = 365


def clean_token_days(days) -> int:
    """Token lifetime in days: an integer from 1 to 365. No token lives forever."""
    if isinstance(days, bool):
        days = None
    if isinstance(days, str):
        days = days.strip()
        days = int(days) if days.isdigit() else None
    if not isinstance(days, int) or not 1 <= days <= TOKEN_DAYS_MAX:
        raise ValidationError({"days": f"令牌有效期应为 1 到 {TOKEN_DAYS_MAX} 天的整数。"})
    return days


@transaction.atomic
def create_token(user: User, name: str, days=TOKEN_DAYS_DEFAULT) -> tuple[ApiToken, str]:
    """Create a personal token for oneself. Returns (token, raw value shown once)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写令牌用途。"})
    days = clean_token_days(days)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:60],
        prefix=raw[:12],
        key_hash=hash_token(raw),
        expires_at=clock.wall_now() + timedelta(days=days),
    )
    record(
        "token.create",
        token,
        after={"name": token.name, "prefix": token.prefix, "expires_at": token.expires_at},
        only_changes=False,
    )
    return token, raw


@transaction.atomic
def revoke_token(user: User, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise PermissionDenied("只能撤销自己的令牌。")
    if token.revoked_at:
        return
    token.revoked_at = clock.wall_now()
    token.save(update_fields=["revoked_at"])
    record("token.revoke", token, after={"revoked_at": token.revoked_at}, only_changes=False)


def account_usable(user: User) -> bool:
    """An account may act (session or token) only while enabled, not locked, and not waiting
    for a forced password change."""
    if not user.is_active or user.must_change_password:
        return False
    return not (user.locked_until and user.locked_until > clock.wall_now())


def authenticate_token(raw: str) -> User | None:
    """The token's owner, or None when the token is unknown, revoked, expired (a token without
    expiry is refused too) or its account is disabled, locked or must change its password."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    now = clock.wall_now()
    if token is None or token.revoked_at or not token.expires_at or token.expires_at < now:
        return None
    if not account_usable(token.user):
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# ---------------------------------------------------------------- dictionaries
@transaction.atomic
def save_dict_item(
    by,
    dict_type: DictType,
    *,
    code: str,
    label: str,
    sort_order: int = 0,
    is_active: bool = True,
    parent_code: str = "",
    instance: DictItem | None = None,
) -> DictItem:
    require(by, "sys.dicts")
    code, label = (code or "").strip(), (label or "").strip()
    errors = {}
    if not code:
        errors["code"] = "必填。"
    if not label:
        errors["label"] = "必填。"
    if (
        code
        and DictItem.objects.filter(dict_type=dict_type, code=code)
        .exclude(pk=getattr(instance, "pk", None))
        .exists()
    ):
        errors["code"] = f"编码“{code}”在该字典中已存在。"
    if errors:
        raise ValidationError(errors)
    item = instance or DictItem(dict_type=dict_type)
    before = snapshot(item) if instance else None
    item.code, item.label, item.sort_order, item.is_active, item.parent_code = (
        code,
        label,
        sort_order,
        is_active,
        parent_code,
    )
    item.save()
    record(
        "dict.update" if instance else "dict.create",
        item,
        before=before,
        after=snapshot(item),
        only_changes=instance is not None,
    )
    return item

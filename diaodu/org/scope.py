"""What a person may see and do: permission keys and data scope, in one place.

Every view, endpoint, export and import asks this module. A person with several roles gets the
union of their keys and of their scopes. The result is computed once per request and kept on
the user object (not in a module global).

Data scope codes (as in RuoYi): 1 全部数据, 2 自定数据 (the role's chosen units),
3 本部门 (the units the person belongs to), 4 本部门及以下 (those units and everything below),
5 仅本人 (for units: the units the person belongs to; for people: only themselves; for projects:
those where the person is 项目秘书 or 包保领导).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from diaodu.org.models import DataScope, Membership, Role, Unit


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    perms: frozenset[str]
    all_units: bool = False
    unit_ids: frozenset[int] = field(default_factory=frozenset)  # units whose data is visible
    self_only: bool = False  # some role grants 仅本人 (projects of one's own)
    member_unit_ids: frozenset[int] = field(default_factory=frozenset)

    def has(self, key: str) -> bool:
        return key in self.perms

    def sees_unit(self, unit_id: int) -> bool:
        return self.all_units or unit_id in self.unit_ids


EMPTY = Scope(user_id=None, perms=frozenset())


class _System:
    """The acting party of commands that bootstrap the system (migrations, `diaodu demo`).
    Never available to a web request or an API call."""

    pk = None
    is_authenticated = True
    is_active = True
    username = "system"

    def __str__(self):
        return "system"


SYSTEM = _System()


def scope_for(user) -> Scope:
    if user is SYSTEM:
        from diaodu.org.permissions import BY_KEY

        return Scope(user_id=None, perms=frozenset(BY_KEY), all_units=True)
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY
    cached = getattr(user, "_diaodu_scope", None)
    if cached is not None:
        return cached
    roles = list(Role.objects.filter(users=user))
    perms: set[str] = set()
    for role in roles:
        perms.update(role.permissions or [])
    member_units = list(Unit.objects.filter(memberships__user=user, is_active=True))
    member_ids = frozenset(u.pk for u in member_units)
    scopes = {role.data_scope for role in roles}
    all_units = DataScope.ALL in scopes
    unit_ids: set[int] = set()
    self_only = False
    if not all_units:
        custom = [role.pk for role in roles if role.data_scope == DataScope.CUSTOM]
        if custom:  # only then: most people's roles have no chosen units to read
            unit_ids.update(
                Role.custom_units.through.objects.filter(role_id__in=custom).values_list(
                    "unit_id", flat=True
                )
            )
        for role in roles:
            if role.data_scope == DataScope.OWN_UNIT:
                unit_ids.update(member_ids)
            elif role.data_scope == DataScope.OWN_SUBTREE and member_units:
                unit_ids.update(Unit.objects.subtrees(member_units).values_list("pk", flat=True))
            elif role.data_scope == DataScope.SELF:
                self_only = True
    result = Scope(
        user_id=user.pk,
        perms=frozenset(perms),
        all_units=all_units,
        unit_ids=frozenset(unit_ids),
        self_only=self_only,
        member_unit_ids=member_ids,
    )
    user._diaodu_scope = result
    return result


def forget(user) -> None:
    """Drop the cached scope (after roles or memberships changed)."""
    if hasattr(user, "_diaodu_scope"):
        del user._diaodu_scope


def has_perm(user, key: str) -> bool:
    return scope_for(user).has(key)


def require(user, key: str) -> Scope:
    s = scope_for(user)
    if not s.has(key):
        from diaodu.org.permissions import BY_KEY

        label = BY_KEY[key].label if key in BY_KEY else key
        raise PermissionDenied(f"没有“{label}”权限。")
    return s


def visible_unit_ids(user) -> frozenset[int] | None:
    """The units whose data the person sees; None means every unit."""
    s = scope_for(user)
    if s.all_units:
        return None
    return frozenset(s.unit_ids | (s.member_unit_ids if s.self_only else frozenset()))


def sees_unit(user, unit) -> bool:
    ids = visible_unit_ids(user)
    return ids is None or unit.pk in ids


def restrict_units(qs, user):
    ids = visible_unit_ids(user)
    return qs if ids is None else qs.filter(pk__in=ids)


def units_q(user, field: str = "unit") -> Q:
    """A Q for rows hanging off a unit (`<field>_id`) that the person may see."""
    ids = visible_unit_ids(user)
    if ids is None:
        return Q()
    return Q(**{f"{field}_id__in": sorted(ids)}) if ids else Q(pk__in=[])


def restrict_people(qs, user):
    """People visible: members of visible units; with only 仅本人, just oneself."""
    s = scope_for(user)
    if s.all_units:
        return qs
    if s.unit_ids:
        q = Q(pk__in=Membership.objects.filter(unit_id__in=s.unit_ids).values("user_id")) | Q(
            pk=s.user_id
        )
        return qs.filter(q)
    if s.user_id is not None:
        return qs.filter(pk=s.user_id)
    return qs.none()

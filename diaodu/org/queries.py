"""Every read of units and people, through the data scope."""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.http import Http404

from diaodu.org.models import Membership, Role, Unit, User
from diaodu.org.scope import restrict_people, restrict_units, scope_for


def can_list_units(user) -> bool:
    s = scope_for(user)
    return s.has("units.view") or s.has("sys.units")


def can_list_people(user) -> bool:
    s = scope_for(user)
    return s.has("people.view") or s.has("sys.people") or s.has("sec.grants") or s.has("sec.unlock")


def units(user, *, include_inactive: bool = True, kind: str = "", text: str = ""):
    qs = restrict_units(Unit.objects.all(), user)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    if text:
        qs = qs.filter(
            Q(name__icontains=text) | Q(code__icontains=text) | Q(short_name__icontains=text)
        )
    return qs.select_related("parent").order_by("path")


def tree_order(unit_list: list[Unit]) -> list[Unit]:
    """Depth-first order honouring sort_order among siblings (paths alone order by id)."""
    by_parent: dict[int | None, list[Unit]] = {}
    ids = {u.pk for u in unit_list}
    for u in unit_list:
        key = u.parent_id if u.parent_id in ids else None
        by_parent.setdefault(key, []).append(u)
    for children in by_parent.values():
        children.sort(key=lambda u: (u.sort_order, u.pk))
    out: list[Unit] = []

    def walk(parent_id):
        for child in by_parent.get(parent_id, []):
            out.append(child)
            walk(child.pk)

    walk(None)
    return out


def get_unit(user, pk) -> Unit:
    try:
        return units(user).get(pk=int(pk))
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404("单位不存在或无权查看。") from None


def people(user, *, text: str = "", unit: Unit | None = None, active: str = ""):
    qs = restrict_people(User.objects.all(), user)
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(username__icontains=text))
    if unit is not None:
        qs = qs.filter(memberships__unit__in=Unit.objects.subtree(unit)).distinct()
    if active == "1":
        qs = qs.filter(is_active=True)
    elif active == "0":
        qs = qs.filter(is_active=False)
    return qs.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("unit")),
        "roles",
    ).order_by("username")


def get_person(user, pk) -> User:
    try:
        return people(user).get(pk=int(pk))
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404("人员不存在或无权查看。") from None


def roles():
    return Role.objects.prefetch_related("custom_units").order_by("sort_order", "id")


def outlines(unit: Unit) -> list[dict]:
    """The outlines a map of `unit` draws (the unit, the units under it and above it that have a
    boundary), widest first: {"name", "kind", "ring", "own"}. The caller has scoped `unit`."""
    ancestors = [int(p) for p in unit.path.strip("/").split("/") if p]
    rows = (
        Unit.objects.filter(is_active=True, boundary__isnull=False)
        .filter(Q(path__startswith=unit.path) | Q(pk__in=ancestors))
        .order_by("depth", "sort_order", "id")
        .values("pk", "name", "kind", "boundary", "path")
    )
    return [
        {
            "name": r["name"],
            "kind": r["kind"],
            "ring": r["boundary"],
            "own": r["path"].startswith(unit.path),
        }
        for r in rows
        if r["boundary"]
    ]

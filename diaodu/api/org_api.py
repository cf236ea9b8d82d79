from __future__ import annotations

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema
from ninja.pagination import paginate

from diaodu.org import queries
from diaodu.org.filters import PeopleFilterSet, UnitFilterSet
from diaodu.org.scope import scope_for
from diaodu.pagination import Paged, Rows

router = Router(tags=["组织"])


class UnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    parent_id: int | None
    depth: int
    is_active: bool


class MembershipOut(Schema):
    unit_id: int
    unit_name: str
    position: str
    is_primary: bool


class PersonOut(Schema):
    id: int
    username: str
    name: str
    phone: str  # masked
    is_active: bool
    units: list[MembershipOut]
    roles: list[str]


class MeOut(PersonOut):
    permissions: list[str]
    data_scope: dict


def _person(p) -> dict:
    return {
        "id": p.pk,
        "username": p.username,
        "name": p.name,
        "phone": p.masked_phone,
        "is_active": p.is_active,
        "units": [
            {
                "unit_id": m.unit_id,
                "unit_name": m.unit.name,
                "position": m.position,
                "is_primary": m.is_primary,
            }
            for m in p.memberships.all()
        ],
        "roles": [r.code for r in p.roles.all()],
    }


@router.get("/me", response=MeOut, summary="当前用户")
def me(request):
    user = queries.people(request.user).filter(pk=request.user.pk).first() or request.user
    s = scope_for(request.user)
    data = _person(user)
    data["permissions"] = sorted(s.perms)
    data["data_scope"] = {
        "all": s.all_units,
        "unit_ids": sorted(s.unit_ids),
        "self_only": s.self_only,
    }
    return data


@router.get("/units", response=list[UnitOut], summary="可见单位列表（分页）")
@paginate(Paged)
def list_units(request, kind: str = "", q: str = ""):
    if not queries.can_list_units(request.user):
        raise PermissionDenied("没有查看单位的权限。")
    fs = UnitFilterSet(request.GET, queryset=queries.units(request.user), request=request)
    fs.raise_errors()
    return fs.qs


@router.get("/units/{unit_id}", response=UnitOut, summary="单位详情")
def get_unit(request, unit_id: int):
    if not queries.can_list_units(request.user):
        raise PermissionDenied("没有查看单位的权限。")
    return queries.get_unit(request.user, unit_id)


@router.get("/people", response=list[PersonOut], summary="可见人员列表（分页）")
@paginate(Paged)
def list_people(request, q: str = "", unit: int | None = None, active: str = ""):
    if not queries.can_list_people(request.user):
        raise PermissionDenied("没有查看人员的权限。")
    fs = PeopleFilterSet(request.GET, queryset=queries.people(request.user), request=request)
    fs.raise_errors()
    return Rows(fs.qs, page=lambda rows: [_person(p) for p in rows])


@router.get("/people/{person_id}", response=PersonOut, summary="人员详情")
def get_person(request, person_id: int):
    if not queries.can_list_people(request.user):
        raise PermissionDenied("没有查看人员的权限。")
    return _person(queries.get_person(request.user, person_id))

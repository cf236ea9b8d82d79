"""Screens for the unit tree, people and accounts, roles, and dictionaries."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from diaodu.engine import cleaning
from diaodu.org import queries, services
from diaodu.org.filters import PeopleFilterSet, UnitFilterSet
from diaodu.org.models import DataScope, DictItem, DictType, Role, UnitKind
from diaodu.org.permissions import GROUP_LABELS, PERMISSIONS
from diaodu.org.scope import require, scope_for
from diaodu.viewkit import error_dict, run_action


# ---------------------------------------------------------------- units
@login_required
def units(request):
    if not queries.can_list_units(request.user):
        raise PermissionDenied("没有查看单位的权限。")
    fs = UnitFilterSet(request.GET, queryset=queries.units(request.user), request=request)
    fs.form.is_valid()  # a bad kind is ignored
    text = (fs.form.cleaned_data.get("q") or "").strip()
    kind = fs.form.cleaned_data.get("kind") or ""
    rows = list(fs.qs) if text or kind else queries.tree_order(list(fs.qs))
    return render(
        request,
        "org/units.html",
        {
            "rows": rows,
            "q": text,
            "kind": kind,
            "kinds": UnitKind.choices,
            "can_manage": scope_for(request.user).has("sys.units"),
        },
    )


@login_required
def unit_form(request, pk: int | None = None):
    require(request.user, "sys.units")
    unit = queries.get_unit(request.user, pk) if pk else None
    errors: dict = {}
    data = (
        {f: getattr(unit, f) for f in services.UNIT_FIELDS}
        if unit
        else {"kind": "department", "sort_order": 0}
    )
    data["parent"] = unit.parent_id if unit else request.GET.get("parent", "")
    if request.method == "POST":
        data = {f: request.POST.get(f, "") for f in services.UNIT_FIELDS}
        data["parent"] = request.POST.get("parent", "")
        try:
            data["sort_order"] = int(data["sort_order"] or 0)
        except ValueError:
            errors["sort_order"] = ["排序应为整数。"]
        parent = None
        if data["parent"]:
            parent = queries.get_unit(request.user, data["parent"])
        if not errors:
            try:
                payload = {k: data[k] for k in services.UNIT_FIELDS}
                if unit is None:
                    unit = services.create_unit(request.user, parent=parent, **payload)
                else:
                    unit = services.update_unit(request.user, unit, **payload)
                    if (parent.pk if parent else None) != unit.parent_id:
                        unit = services.move_unit(request.user, unit, parent)
            except ValidationError as exc:
                errors = error_dict(exc)
            else:
                messages.success(
                    request, gettext("单位“%(unit_name)s”已保存。") % {"unit_name": unit.name}
                )
                return redirect("org:units")
    candidates = [
        u
        for u in queries.tree_order(list(queries.units(request.user, include_inactive=False)))
        if unit is None or not u.path.startswith(unit.path)
    ]
    return render(
        request,
        "org/unit_form.html",
        {
            "unit": unit,
            "data": data,
            "errors": errors,
            "kinds": UnitKind.choices,
            "candidates": candidates,
        },
    )


@login_required
@require_POST
def unit_toggle(request, pk: int):
    unit = queries.get_unit(request.user, pk)
    return run_action(
        request,
        lambda: services.set_unit_active(request.user, unit, not unit.is_active),
        success=lambda _: f"单位“{unit.name}”已{'停用' if unit.is_active else '启用'}。",
        to="org:units",
    )


# ---------------------------------------------------------------- people
@login_required
def people(request):
    if not queries.can_list_people(request.user):
        raise PermissionDenied("没有查看人员的权限。")
    fs = PeopleFilterSet(request.GET, queryset=queries.people(request.user), request=request)
    unit = fs.unit_chosen
    text = (fs.form.cleaned_data.get("q") or "").strip()
    page = Paginator(fs.qs, 50).get_page(request.GET.get("page"))
    for p in page:  # 三员分立: no action on oneself or on an administrator from this page
        p.protected = p.pk == request.user.pk or services.is_administrator(p)
    s = scope_for(request.user)
    return render(
        request,
        "org/people.html",
        {
            "page": page,
            "q": text,
            "unit": unit,
            "active": request.GET.get("active", ""),
            "unit_choices": queries.tree_order(list(queries.units(request.user))),
            "can_manage": s.has("sys.people"),
            "can_grant": s.has("sec.grants"),
            "can_unlock": s.has("sec.unlock"),
        },
    )


@login_required
def person_form(request, pk: int | None = None):
    require(request.user, "sys.people")
    person = queries.get_person(request.user, pk) if pk else None
    errors: dict = {}
    unit_choices = queries.tree_order(list(queries.units(request.user, include_inactive=False)))
    if person:
        data = {
            "username": person.username,
            "name": person.name,
            "phone": person.phone,
            "id_number": person.id_number,
            "email": person.email,
        }
        rows = [(m.unit_id, m.position) for m in person.memberships.all()]
    else:
        data, rows = {}, []
    if request.method == "POST":
        data = {
            k: request.POST.get(k, "").strip()
            for k in ("username", "name", "phone", "id_number", "email")
        }
        unit_ids = request.POST.getlist("unit")
        positions = request.POST.getlist("position")
        rows = [(int(u), p) for u, p in zip(unit_ids, positions) if u.isdigit()]
        memberships = []
        for unit_id, position in rows:
            memberships.append((queries.get_unit(request.user, unit_id), position))
        try:
            if person is None:
                person = services.create_person(
                    request.user,
                    username=data["username"],
                    password=request.POST.get("password", ""),
                    memberships=memberships,
                    **{k: data[k] for k in ("name", "phone", "id_number", "email")},
                )
            else:
                services.update_person(
                    request.user,
                    person,
                    **{k: data[k] for k in ("name", "phone", "id_number", "email")},
                )
                services.set_memberships(request.user, person, memberships)
        except ValidationError as exc:
            errors = error_dict(exc)
            if person is not None and person.pk is None:
                person = None
        else:
            messages.success(
                request, gettext("人员“%(person_name)s”已保存。") % {"person_name": person.name}
            )
            return redirect("org:people")
    while len(rows) < 3:
        rows.append(("", ""))
    return render(
        request,
        "org/person_form.html",
        {
            "person": person,
            "data": data,
            "errors": errors,
            "rows": rows,
            "unit_choices": unit_choices,
        },
    )


@login_required
def person_roles(request, pk: int):
    require(request.user, "sec.grants")
    person = queries.get_person(request.user, pk)
    services.guard_sensitive(request.user, person, "修改角色")
    errors: dict = {}
    all_roles = list(queries.roles())
    chosen = set(person.roles.values_list("pk", flat=True))
    if request.method == "POST":
        ids = {int(x) for x in request.POST.getlist("role") if x.isdigit()}
        picked = [r for r in all_roles if r.pk in ids]
        try:
            services.grant_roles(request.user, person, picked)
        except ValidationError as exc:
            errors = error_dict(exc)
            chosen = ids
        else:
            messages.success(
                request, gettext("已更新“%(person_name)s”的角色。") % {"person_name": person.name}
            )
            return redirect("org:people")
    return render(
        request,
        "org/person_roles.html",
        {"person": person, "roles": all_roles, "chosen": chosen, "errors": errors},
    )


@login_required
@require_POST
def person_toggle(request, pk: int):
    person = queries.get_person(request.user, pk)
    return run_action(
        request,
        lambda: services.set_person_active(request.user, person, not person.is_active),
        success=lambda _: f"账号“{person.username}”已{'停用' if person.is_active else '启用'}。",
        to="org:people",
    )


@login_required
@require_POST
def person_unlock(request, pk: int):
    person = queries.get_person(request.user, pk)
    services.unlock_person(request.user, person)
    messages.success(
        request, gettext("账号“%(person_username)s”已解锁。") % {"person_username": person.username}
    )
    return redirect("org:people")


@login_required
@require_POST
def person_reset_password(request, pk: int):
    person = queries.get_person(request.user, pk)
    return run_action(
        request,
        lambda: services.reset_password(request.user, person, request.POST.get("password", "")),
        success=lambda _: f"已重置“{person.username}”的密码，其下次登录须修改密码。",
        to="org:people",
    )


# ---------------------------------------------------------------- roles
@login_required
def roles(request):
    require(request.user, "sec.roles")
    return render(request, "org/roles.html", {"roles": queries.roles()})


@login_required
def role_form(request, pk: int | None = None):
    require(request.user, "sec.roles")
    role = get_object_or_404(Role, pk=pk) if pk else None
    errors: dict = {}
    data = {
        "code": role.code if role else "",
        "name": role.name if role else "",
        "description": role.description if role else "",
        "permissions": set(role.permissions) if role else set(),
        "data_scope": role.data_scope if role else DataScope.SELF,
        "custom_units": set(role.custom_units.values_list("pk", flat=True)) if role else set(),
    }
    all_units = queries.tree_order(list(queries.units(request.user)))
    if request.method == "POST":
        try:
            scope_code = int(request.POST.get("data_scope", "0"))
        except ValueError:
            scope_code = 0
        unit_ids = {int(x) for x in request.POST.getlist("custom_units") if x.isdigit()}
        data = {
            "code": request.POST.get("code", "").strip(),
            "name": request.POST.get("name", ""),
            "description": request.POST.get("description", "").strip(),
            "permissions": set(request.POST.getlist("permissions")),
            "data_scope": scope_code,
            "custom_units": unit_ids,
        }
        units_picked = [u for u in all_units if u.pk in unit_ids]
        try:
            if role is None:
                role = services.create_role(
                    request.user,
                    code=data["code"],
                    name=data["name"],
                    permissions=data["permissions"],
                    data_scope=scope_code,
                    custom_units=units_picked,
                    description=data["description"],
                )
            else:
                services.update_role(
                    request.user,
                    role,
                    name=data["name"],
                    permissions=data["permissions"],
                    data_scope=scope_code,
                    custom_units=units_picked,
                    description=data["description"],
                )
        except ValidationError as exc:
            errors = error_dict(exc)
        else:
            messages.success(
                request, gettext("角色“%(data_name)s”已保存。") % {"data_name": data["name"]}
            )
            return redirect("org:roles")
    groups: dict[str, list] = {}
    for p in PERMISSIONS:
        groups.setdefault(GROUP_LABELS[p.group], []).append(p)
    return render(
        request,
        "org/role_form.html",
        {
            "role": role,
            "data": data,
            "errors": errors,
            "groups": groups,
            "scopes": DataScope.choices,
            "all_units": all_units,
        },
    )


# ---------------------------------------------------------------- dictionaries
@login_required
def dicts(request):
    require(request.user, "sys.dicts")
    types = DictType.objects.all()
    current = (
        get_object_or_404(DictType, code=request.GET["type"])
        if request.GET.get("type")
        else types.first()
    )
    items = DictItem.objects.filter(dict_type=current) if current else DictItem.objects.none()
    return render(request, "org/dicts.html", {"types": types, "current": current, "items": items})


@login_required
@require_POST
def dict_item_save(request, type_code: str):
    require(request.user, "sys.dicts")
    dict_type = get_object_or_404(DictType, code=type_code)
    instance = (
        get_object_or_404(DictItem, pk=request.POST["id"], dict_type=dict_type)
        if request.POST.get("id")
        else None
    )
    back = f"/org/dicts/?type={dict_type.code}"
    try:
        sort_order = cleaning.integer(request.POST.get("sort_order") or 0, "排序")
    except cleaning.CleaningError:
        messages.error(request, gettext("排序应为整数。"))
        return redirect(back)
    return run_action(
        request,
        lambda: services.save_dict_item(
            request.user,
            dict_type,
            code=request.POST.get("code", ""),
            label=request.POST.get("label", ""),
            sort_order=sort_order,
            is_active=request.POST.get("is_active") == "1",
            parent_code=request.POST.get("parent_code", "").strip(),
            instance=instance,
        ),
        success=gettext("字典项已保存。"),
        to=back,
    )


@login_required
def unit_detail(request, pk: int):
    if not queries.can_list_units(request.user):
        raise PermissionDenied("没有查看单位的权限。")
    unit = queries.get_unit(request.user, pk)
    children = queries.units(request.user).filter(parent=unit)
    members = (
        queries.people(request.user, unit=unit)[:200]
        if queries.can_list_people(request.user)
        else []
    )
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "children": children,
            "members": members,
            "can_manage": scope_for(request.user).has("sys.units"),
        },
    )


@login_required
def person_detail(request, pk: int):
    if not queries.can_list_people(request.user):
        raise PermissionDenied("没有查看人员的权限。")
    person = queries.get_person(request.user, pk)
    return render(request, "org/person_detail.html", {"person": person})

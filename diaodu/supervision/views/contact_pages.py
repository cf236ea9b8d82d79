"""Contact logs (对接留痕): the list and the form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from diaodu import clock
from diaodu.engine import stages as S
from diaodu.org.scope import require, scope_for
from diaodu.projects import queries as project_queries
from diaodu.supervision import forms, queries, services
from diaodu.supervision.filters import ContactFilterSet
from diaodu.supervision.models import (
    ContactMethod,
)
from diaodu.viewkit import error_texts

from .common import _ctx, _page, _resolve


# ================================================================ contacts
@login_required
def contacts(request):
    require(request.user, "projects.view")
    unit, cycle, period = _resolve(request)
    qs = queries.contacts(request.user, unit=unit, since=period.start, until=period.end)
    qs = ContactFilterSet(request.GET, queryset=qs, request=request).qs
    return render(
        request,
        "supervision/contacts.html",
        _ctx(
            request,
            unit,
            period,
            cycle,
            page=_page(request, qs),
            without=queries.without_contact(request.user, unit, period, cycle) if unit else [],
            methods=dict(ContactMethod.choices),
        ),
    )


@login_required
def contact_new(request):
    require(request.user, "reports.file")
    projects = (
        project_queries.visible(request.user)
        .filter(stage__in=S.ACTIVE)
        .select_related("unit")
        .order_by("unit__path", "name_key")[:300]
    )
    errors, data = {}, {"project": request.GET.get("project", "")}
    if request.method == "POST":
        data = {
            **forms.pick(request.POST, forms.CONTACT_FIELDS),
            "project": request.POST.get("project", ""),
        }
        try:
            project = (
                project_queries.get(request.user, data["project"]) if data["project"] else None
            )
            services.log_contact(
                request.user, project, data, problems=forms.problem_drafts(request.POST)
            )
        except ValidationError as exc:
            errors = error_texts(exc)
        else:
            messages.success(
                request,
                gettext("已记录与《%(project_name)s》的对接。") % {"project_name": project.name},
            )
            return redirect("supervision:contacts")
    return render(
        request,
        "supervision/contact_form.html",
        {
            "projects": projects,
            "errors": errors,
            "data": data,
            "methods": ContactMethod.choices,
            "today": clock.today(),
            "types": queries.problem_types(),
            "departments": queries.departments(),
            "can_raise": scope_for(request.user).has("problems.raise"),
        },
    )

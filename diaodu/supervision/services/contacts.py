"""Contact logs (对接留痕): visits and calls, with the problems they raise."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction

from diaodu import clock
from diaodu.audit.services import record, snapshot
from diaodu.org.models import DictItem
from diaodu.org.scope import require
from diaodu.projects.models import Project
from diaodu.supervision.models import (
    ContactLog,
    ContactMethod,
    ProblemSource,
)

from .common import _check_project, _date, _name, _raise, _text, _user
from .problems import raise_problem
from .reports import _clean_problem_drafts


# ================================================================ contact logs (对接留痕)
def _methods() -> set[str]:
    codes = set(
        DictItem.objects.filter(dict_type__code="contact_method", is_active=True).values_list(
            "code", flat=True
        )
    )
    return codes or set(ContactMethod.values)


@transaction.atomic
def log_contact(by, project: Project | None, data: dict, *, problems=()) -> ContactLog:
    """A contact log; every field is checked at once, so an empty form names all its gaps."""
    errors: dict = {}
    if project is None:
        errors["project"] = "请选择项目。"
    else:
        _check_project(by, project, "reports.file")
    on = _date(data.get("on"), "on", "对接日期", errors)
    if on and on > clock.today():
        errors["on"] = "对接日期不能晚于今天。"
    elif on and on < clock.today() - timedelta(days=366):
        errors["on"] = "对接日期过早（超过一年）。"
    people = _text(data, "people", "参加人员", errors, required=True, limit=200)
    contact = _text(data, "enterprise_contact", "企业联系人", errors, required=True, limit=100)
    method = (data.get("method") or "").strip()
    if method not in _methods():
        errors["method"] = "请选择对接方式。"
    content = _text(data, "content", "对接内容", errors, required=True)
    drafts = _clean_problem_drafts(problems, errors)
    if drafts:
        try:
            require(by, "problems.raise")
        except PermissionDenied as exc:
            errors["problems"] = str(exc)
    _raise(errors)
    c = ContactLog.objects.create(
        project=project,
        on=on,
        people=people,
        enterprise_contact=contact,
        method=method,
        content=content,
        logged_by=_user(by),
        logged_by_name=_name(by),
    )
    record("contact.create", c, after=snapshot(c), only_changes=False)
    for d in drafts:
        raise_problem(
            by,
            project,
            title=d.title,
            type_code=d.type_code,
            description=d.description,
            suggested_unit=d.suggested_unit,
            source=ProblemSource.CONTACT,
            contact=c,
        )
    return c

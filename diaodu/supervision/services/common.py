"""Shared checks of the supervision writes: text, amounts, dates, scope, notifications."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError

from diaodu.engine import cleaning
from diaodu.org.models import DictItem, User
from diaodu.org.scope import require
from diaodu.projects import queries as project_queries
from diaodu.projects.models import Project

log = logging.getLogger(__name__)
MAX_TEXT = 4000
MAX_AMOUNT = Decimal("1000000000")  # 万元


# ================================================================ helpers
def _user(by) -> User | None:
    return by if isinstance(by, User) else None


def _name(by) -> str:
    return (getattr(by, "name", "") or getattr(by, "username", "") or "系统")[:50]


def _take(errors: dict, key: str, fn, *args, **kwargs):
    """A value cleaned by diaodu.engine.cleaning, or None with the Chinese error under *key*."""
    try:
        return fn(*args, field=key, **kwargs)
    except cleaning.CleaningError as exc:
        errors[key] = exc.message
        return None


def _text(
    data: dict, key: str, label: str, errors: dict, *, required: bool = False, limit: int = MAX_TEXT
) -> str:
    value = _take(
        errors, key, cleaning.text, data.get(key), label, required=required, max_length=limit
    )
    return value or ""


def _amount(value, key: str, label: str, errors: dict, *, required: bool = True) -> Decimal | None:
    """An amount in 万元 (a report's figures: a 核减 may be negative)."""
    if cleaning.is_blank(value):
        if required:
            errors[key] = f"请填写{label}（万元，没有发生请填 0）。"
        return None
    return _take(errors, key, cleaning.amount, value, label, minimum=None, limit=MAX_AMOUNT)


def _int_in(
    value, key: str, label: str, errors: dict, lo: int, hi: int, *, required: bool = True
) -> int | None:
    return _take(
        errors, key, cleaning.integer, value, label, required=required, minimum=lo, maximum=hi
    )


def _date(value, key: str, label: str, errors: dict, *, required: bool = True) -> date | None:
    return _take(errors, key, cleaning.date_value, value, label, required=required)


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _check_project(by, project: Project, key: str) -> None:
    require(by, key)
    if not project_queries.visible(by).filter(pk=project.pk).exists():
        raise PermissionDenied("无权操作此项目。")


def _notify(recipients, **kw) -> None:
    """diaodu.notify (in-app inbox and channels). Never lets a notification break the business write."""
    recipients = [r for r in recipients if r is not None]
    if not recipients:
        return
    try:
        from diaodu.notify.services import notify
    except ImportError:  # the notifications app is not installed in this deployment
        return
    try:
        notify(recipients, **kw)
    except Exception:  # pragma: no cover - notify promises not to raise; be safe anyway
        log.exception("通知发送失败")


def _notify_unit(unit, **kw) -> None:
    if unit is None:
        return
    try:
        from diaodu.notify.services import notify_unit
    except ImportError:
        return
    try:
        notify_unit(unit, **kw)
    except Exception:  # pragma: no cover
        log.exception("通知发送失败")


def _type_label(code: str) -> str | None:
    return (
        DictItem.objects.filter(dict_type__code="problem_type", code=code, is_active=True)
        .values_list("label", flat=True)
        .first()
    )


# ================================================================ names given by id
def _unit_named(by, unit, home, field: str, what: str, errors: dict) -> None:
    """A unit a request names (交办 to it, 议定事项 for it …) must be one the person may name for
    work under *home* (the project's or the meeting's unit): a unit of their own scope, or a
    department/office of the administration *home* sits in — never another zone's."""
    if unit is None or not isinstance(by, User) or home is None:
        return
    if not project_queries.can_make_responsible(by, unit, home):
        errors[field] = (
            f"不能选择“{unit.name}”作为{what}：只能选择本人数据范围内的单位，"
            "或所在园区/开发区/区的部门、科室。"
        )


def _person_named(by, person, home, field: str, what: str, errors: dict) -> None:
    """A person a request names must be visible to the person naming them, or a member of a unit
    they may name under *home* (see _unit_named)."""
    from diaodu.org.scope import restrict_people

    if person is None or not isinstance(by, User) or home is None:
        return
    if restrict_people(User.objects.filter(pk=person.pk), by).exists():
        return
    for m in person.memberships.select_related("unit"):
        if project_queries.can_make_responsible(by, m.unit, home):
            return
    errors[field] = (
        f"不能选择“{person.name or person.username}”作为{what}：此人不在您可选择的范围内。"
    )

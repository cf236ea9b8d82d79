"""Shared checks of the supervision writes: text, amounts, dates, scope, notifications."""

from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError

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


def _text(
    data: dict, key: str, label: str, errors: dict, *, required: bool = False, limit: int = MAX_TEXT
) -> str:
    value = data.get(key)
    value = "" if value is None else str(value).strip()
    if required and not value:
        errors[key] = f"请填写{label}。"
    elif len(value) > limit:
        errors[key] = f"{label}不能超过 {limit} 字。"
    return value


def _amount(value, key: str, label: str, errors: dict, *, required: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors[key] = f"请填写{label}（万元，没有发生请填 0）。"
        return None
    try:
        d = (
            value
            if isinstance(value, Decimal)
            else Decimal(str(value).replace(",", "").replace("，", "").strip())
        )
    except (InvalidOperation, ValueError):
        errors[key] = f"{label}应为数字（万元），例如 350 或 12.5。"
        return None
    if not d.is_finite() or abs(d) >= MAX_AMOUNT:
        errors[key] = f"{label}数值无效或过大。"
        return None
    return d.quantize(Decimal("0.01"))


def _int_in(
    value, key: str, label: str, errors: dict, lo: int, hi: int, *, required: bool = True
) -> int | None:
    if value in (None, ""):
        if required:
            errors[key] = f"请填写{label}。"
        return None
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        errors[key] = f"{label}应为整数。"
        return None
    if not lo <= n <= hi:
        errors[key] = f"{label}应在 {lo} 到 {hi} 之间。"
        return None
    return n


def _date(value, key: str, label: str, errors: dict, *, required: bool = True) -> date | None:
    if value in (None, ""):
        if required:
            errors[key] = f"请填写{label}。"
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[key] = f"{label}格式应为 YYYY-MM-DD。"
        return None


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

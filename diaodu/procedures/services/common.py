"""Shared parts of the procedures writes: limits, labels, small parsers, chain checks."""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings

from diaodu.engine import cleaning
from diaodu.engine import schedule as E
from diaodu.org.models import User
from diaodu.procedures.models import (
    DurationUnit,
    Stage,
    Status,
)

CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
TEMPLATE_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
DEP_RE = re.compile(r"^([A-Za-z0-9_-]{1,20})(?:\s*\+\s*(\d{1,3}))?$")
MAX_DURATION = 999
STATUS_LABELS = dict(Status.choices)
STAGE_LABELS = dict(Stage.choices)


def at_risk_threshold() -> int:
    return getattr(settings, "AT_RISK_SLACK_WD", 5)


def _actor(by) -> User | None:
    return by if isinstance(by, User) else None


# ================================================================ small parsers
def parse_date(value, label: str, errors: dict, key: str) -> date | None:
    """A day by the rules of diaodu.engine.cleaning, or None with the page's error under *key*."""
    try:
        return cleaning.date_value(value, label, field=key)
    except cleaning.CleaningError:
        errors[key] = f"{label}日期格式应为 YYYY-MM-DD。"
        return None


def parse_duration(
    value, errors: dict, key: str = "duration_wd", label: str = "办理时限"
) -> int | None:
    try:
        n = cleaning.integer(value, label, field=key, minimum=0, maximum=MAX_DURATION)
    except cleaning.CleaningError:
        n = None
    if n is None:
        errors[key] = f"{label}应为 0–{MAX_DURATION} 之间的整数（工作日或自然日）。"
        return None
    return n


def parse_duration_unit(value, errors: dict, key: str = "duration_unit") -> str:
    """工作日 (the default when absent) or 自然日; the value or its Chinese label."""
    if value in (None, ""):
        return DurationUnit.WORKING_DAYS
    text = str(value).strip()
    for unit, label in DurationUnit.choices:
        if text in (unit, label):
            return unit
    errors[key] = f"时限单位“{text}”无效：应为工作日或自然日。"
    return DurationUnit.WORKING_DAYS


def parse_predecessors(value, errors: dict, key: str = "predecessors") -> list[dict]:
    """ "G01、G02+5" (text) or [{"code": "G01", "lag_wd": 0}] (API) → list of dicts."""
    if value in (None, ""):
        return []
    out: list[dict] = []
    if isinstance(value, str):
        parts = [
            p.strip() for p in re.split(r"[,，、;；\s]+(?![+\d])|[,，、;；]", value) if p.strip()
        ]
        for part in parts:
            m = DEP_RE.match(part)
            if not m:
                errors[key] = (
                    f"前置手续“{part}”无法识别：请写编码，如 G01，或带间隔的 G01+5（间隔为工作日）。"
                )
                return []
            out.append({"code": m.group(1), "lag_wd": int(m.group(2) or 0)})
    else:
        for dep in value:
            code = dep.get("code") if isinstance(dep, dict) else getattr(dep, "code", dep)
            lag = dep.get("lag_wd", 0) if isinstance(dep, dict) else getattr(dep, "lag_wd", 0)
            try:
                lag = int(lag or 0)
            except (TypeError, ValueError):
                lag = -1
            if not isinstance(code, str) or not CODE_RE.match(code) or not 0 <= lag <= MAX_DURATION:
                errors[key] = (
                    f"前置手续“{code}”无效：编码为字母数字，间隔为 0–{MAX_DURATION} 个工作日。"
                )
                return []
            out.append({"code": code, "lag_wd": lag})
    seen: dict[str, dict] = {}
    for dep in out:  # the same predecessor twice: keep the larger lag
        if dep["code"] not in seen or seen[dep["code"]]["lag_wd"] < dep["lag_wd"]:
            seen[dep["code"]] = dep
    return list(seen.values())


def parse_documents(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = re.split(r"[\n；;]+", value)
    return [str(v).strip()[:200] for v in value if str(v).strip()][:50]


def _chain_check(items: list[dict]) -> str | None:
    """Cycle / unknown predecessor check of a whole chain (plain dicts with code, predecessors,
    stage). Returns a Chinese message or None."""
    stage_of = {it["code"]: it["stage"] for it in items}
    for it in items:
        for dep in it["predecessors"]:
            if dep["code"] == it["code"]:
                return f"手续“{it['name']}”（{it['code']}）不能以自己为前置手续。"
            if dep["code"] not in stage_of:
                return f"手续“{it['name']}”（{it['code']}）的前置手续编码 {dep['code']} 不存在。"
            if it["stage"] != Stage.ACCEPTANCE and stage_of[dep["code"]] == Stage.ACCEPTANCE:
                return (
                    f"手续“{it['name']}”（{it['code']}）在开工前办理，不能以竣工验收阶段的手续 {dep['code']} "
                    "为前置手续。"
                )
    try:
        E.validate_chain(
            [
                E.Item(
                    it["code"],
                    it["name"],
                    1,
                    [E.Dep(d["code"], d["lag_wd"]) for d in it["predecessors"]],
                    duration_unit=it.get("duration_unit", E.WORKING_DAYS),
                )
                for it in items
            ]
        )
    except E.CycleError as exc:
        return f"{exc}。请调整前置关系。"
    except ValueError as exc:
        return str(exc)
    return None

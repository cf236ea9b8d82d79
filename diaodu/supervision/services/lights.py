"""Lights (亮灯): compute every project's colour, override one with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from diaodu import clock
from diaodu.audit.services import record, snapshot
from diaodu.engine import lights as L
from diaodu.engine import periods as P
from diaodu.org.models import Unit
from diaodu.org.scope import require, scope_for
from diaodu.supervision import queries
from diaodu.supervision.models import (
    Light,
    LightColor,
    ReportCycle,
)

from .common import _check_project, _name, _notify, _raise


# ================================================================ lights (亮灯)
@dataclass
class LightRun:
    period: str
    computed: int = 0
    red: int = 0
    yellow: int = 0
    green: int = 0
    newly_red: int = 0

    def as_dict(self):
        return dict(self.__dict__)


def compute_lights(
    by,
    cycle: ReportCycle,
    period: P.Period | None = None,
    *,
    as_of: datetime | None = None,
    unit: Unit | None = None,
) -> LightRun:
    """The lights of every project that owes a report in the cycle, for one period, with their reasons.
    Kept per period (history); an override made by a leader survives a recomputation."""
    s = scope_for(by)
    if not (s.has("reports.review") or s.has("supervision.rules")):
        require(by, "reports.review")
    period = period or queries.current_period(cycle)
    if period.kind != cycle.frequency:
        raise ValidationError({"period": "期次与报送周期不符。"})
    target = unit or cycle.unit
    projects = list(queries.owed_projects(by, target, period))
    rules = queries.rules_of(cycle)
    facts = queries.light_facts(projects, cycle, period, as_of)
    now = clock.now()
    run = LightRun(period.code)
    with transaction.atomic():
        existing = {
            lt.project_id: lt
            for lt in Light.objects.select_for_update(of=("self",)).filter(
                period=period.code, project_id__in=[p.pk for p in projects]
            )
        }
        previous = dict(
            Light.objects.filter(
                period=period.previous().code, project_id__in=[p.pk for p in projects]
            ).values_list("project_id", "color")
        )
        new, changed, red_projects = [], [], []
        for p in projects:
            f, plain = facts[p.pk]
            result = L.evaluate(f, rules)
            reasons = [
                {"code": r.code, "color": r.color, "message": r.message} for r in result.reasons
            ]
            lt = existing.get(p.pk)
            if lt is None:
                new.append(
                    Light(
                        project=p,
                        cycle=cycle,
                        period=period.code,
                        period_end=period.end,
                        color=result.color,
                        reasons=reasons,
                        facts=plain,
                        computed_at=now,
                    )
                )
            else:
                lt.color, lt.reasons, lt.facts, lt.computed_at, lt.cycle = (
                    result.color,
                    reasons,
                    plain,
                    now,
                    cycle,
                )
                changed.append(lt)
            setattr(run, result.color, getattr(run, result.color) + 1)
            if result.color == "red" and previous.get(p.pk) != "red":
                red_projects.append((p, result))
        Light.objects.bulk_create(
            new, batch_size=500, ignore_conflicts=True
        )  # a concurrent run made them
        Light.objects.bulk_update(
            changed, ["color", "reasons", "facts", "computed_at", "cycle"], batch_size=500
        )
        run.computed = len(projects)
        run.newly_red = len(red_projects)
        record("lights.compute", target, after=run.as_dict(), only_changes=False)
        for p, result in red_projects:
            leads = list(p.lead_officials.all())
            _notify(
                leads + [p.secretary],
                title=f"红灯：《{p.name}》{period.name}",
                body=result.summary,
                link=f"/projects/{p.pk}/",
                kind="info",
                unit=p.unit,
            )
    return run


@transaction.atomic
def override_light(by, light: Light, color: str, reason: str) -> Light:
    """A leader sets a different colour with a written reason (the computed light and reasons stay)."""
    _check_project(by, light.project, "lights.override")
    errors = {}
    if color not in LightColor.values and color != "":
        errors["color"] = "灯色应为红灯、黄灯或绿灯。"
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "调整亮灯须写明理由。"
    elif len(reason) > 500:
        errors["reason"] = "理由不能超过 500 字。"
    _raise(errors)
    current = Light.objects.select_for_update(of=("self",)).get(pk=light.pk)
    before = snapshot(current, ["color", "override_color", "override_reason", "override_by_name"])
    current.override_color = "" if color == current.color else color
    current.override_reason = reason
    current.override_by_name = _name(by)
    current.overridden_at = clock.now()
    current.save()
    record(
        "light.override",
        current,
        before=before,
        after=snapshot(current, ["color", "override_color", "override_reason", "override_by_name"]),
    )
    return current

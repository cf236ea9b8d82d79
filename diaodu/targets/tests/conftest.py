from datetime import date
from decimal import Decimal

import pytest

from diaodu.audit.context import acting_as
from diaodu.org.scope import SYSTEM


@pytest.fixture
def inds(db):
    from diaodu.targets.defaults import seed_indicators
    from diaodu.targets.models import Indicator

    seed_indicators()
    return {i.code: i for i in Indicator.objects.all()}


@pytest.fixture
def project_with_history(demo, person):
    """A project whose stage history is exactly the given (stage, date) moves. The first move is the
    creation; later moves go through the service when the stage machine allows them, and are
    written as ledger corrections (台账校正) otherwise — exactly what the import does."""
    from diaodu.projects import services
    from diaodu.projects.models import Project, StageChange

    def make(name, moves, unit="QHKFQ-WL", **data):
        (first, on), rest = moves[0], moves[1:]
        with acting_as(None):
            p = services.create_project(
                SYSTEM, unit=demo[unit], data={"name": name, **data}, stage=first, stage_date=on
            )
            for stage, when in rest:
                try:
                    p = services.transition(
                        SYSTEM,
                        p,
                        stage,
                        when,
                        reason="测试" if stage in ("suspended", "dropped") else "",
                    )
                except Exception:
                    StageChange.objects.create(
                        project=p, from_stage=p.stage, to_stage=stage, on=when, note="台账导入校正"
                    )
                    Project.objects.filter(pk=p.pk).update(stage=stage, stage_date=when)
                    p.refresh_from_db()
        return p

    return make


@pytest.fixture
def agreement_for(demo, inds):
    """Create (and optionally sign) an agreement: agreement_for("QHKFQ-WL", {"fai": 10, ...})."""
    from diaodu.targets import services

    def make(
        unit,
        targets: dict,
        year=2026,
        sign=True,
        pace_kind="linear_days",
        pace_weights=None,
        weights=None,
        item_pace: dict | None = None,
    ):
        items = []
        for code, target in targets.items():
            item = {
                "indicator": inds[code],
                "target": Decimal(str(target)),
                "weight": (weights or {}).get(code, 10),
            }
            if item_pace and code in item_pace:
                item.update(pace_kind="custom", pace_weights=item_pace[code])
            items.append(item)
        with acting_as(None):
            a = services.create_agreement(
                SYSTEM,
                unit=demo[unit],
                year=year,
                items=items,
                pace_kind=pace_kind,
                pace_weights=pace_weights,
            )
            if sign:
                a = services.sign_agreement(
                    SYSTEM, a, signed_on=date(year, 3, 1) if year <= 2026 else date(2026, 3, 1)
                )
        return a

    return make


@pytest.fixture
def enter(demo, inds):
    """enter("QHKFQ-WL", "fai", {1: 1.5, 2: 3.0}) — monthly values through the service."""
    from diaodu.targets import services

    def make(unit, code, values: dict, year=2026):
        with acting_as(None):
            for month, value in values.items():
                services.save_monthly(
                    SYSTEM,
                    unit=demo[unit],
                    year=year,
                    month=month,
                    values={inds[code]: Decimal(str(value))},
                )

    return make

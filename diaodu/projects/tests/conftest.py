from datetime import date
from decimal import Decimal

import pytest

from diaodu.audit.context import acting_as
from diaodu.org.scope import SYSTEM


@pytest.fixture
def make_project(demo, person):
    from diaodu.projects import services

    def make(name="测试项目", unit="QHKFQ-WL", secretary="mishu_wl", **data):
        data.setdefault("total_investment", Decimal("50000"))
        stage = data.pop("stage", "signed")
        with acting_as(None):
            return services.create_project(
                SYSTEM,
                unit=demo[unit],
                data={"name": name, **data},
                secretary=person(secretary) if secretary else None,
                stage=stage,
                stage_date=date(2026, 3, 1),
            )

    return make

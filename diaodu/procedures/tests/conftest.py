from datetime import date

import pytest

from diaodu.audit.context import acting_as
from diaodu.org.scope import SYSTEM

TODAY = date(2026, 6, 1)  # a Monday; 2026 is in chinesecalendar, 2027 is not


@pytest.fixture
def today(pinned_clock):
    pinned_clock.set(TODAY)
    return TODAY


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def make_project(demo, person):
    from diaodu.projects import services

    def make(
        name="测试项目",
        unit="QHKFQ-WL",
        secretary="mishu_wl",
        start=date(2026, 12, 1),
        stage="signed",
        **data,
    ):
        with acting_as(None):
            return services.create_project(
                SYSTEM,
                unit=demo[unit],
                data={"name": name, "planned_start_date": start, **data},
                secretary=person(secretary) if secretary else None,
                stage=stage,
                stage_date=date(2026, 3, 1),
            )

    return make


@pytest.fixture
def make_chain(make_project, today):
    from diaodu.procedures import services
    from diaodu.procedures.models import ProcedureTemplate

    def make(template="enterprise_filing", **kw):
        project = make_project(**kw)
        tpl = ProcedureTemplate.objects.get(code=template, is_current=True)
        with acting_as(None):
            return services.create_chain(SYSTEM, project, tpl)

    return make


def item(chain, code):
    return chain.items.get(code=code)

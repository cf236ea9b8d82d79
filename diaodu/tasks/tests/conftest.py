from datetime import date

import pytest

from diaodu.audit.context import acting_as


@pytest.fixture
def clock(pinned_clock):
    """The platform clock pinned at Wednesday 2026-11-18 10:00."""
    return pinned_clock


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def make_task(demo, person, clock):
    """A task of 开发区 given by the 督查室 (duchashi); keyword arguments override the fields."""
    from diaodu.tasks import services

    def make(title="科学制定开发区各项发展规划", lead="QHKFQ-ZR", support=(), nodes=(), **data):
        data.setdefault("deadline", date(2026, 12, 31))
        with acting_as(None):
            return services.create_task(
                person("duchashi"),
                demo["QHKFQ"],
                {
                    "title": title,
                    "lead_unit": demo[lead],
                    "support_units": [demo[c] for c in support],
                    **data,
                },
                nodes=nodes,
            )

    return make

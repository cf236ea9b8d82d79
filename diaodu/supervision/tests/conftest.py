from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from diaodu.audit.context import acting_as
from diaodu.org.scope import SYSTEM

# 2026年第47周: Monday 16 November – Sunday 22 November; reports due Thursday 19 November 17:00.
WEEK = "2026-W47"
WL = (43.865, 125.405)  # 现代物流产业园, near the demo projects


def aware(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def clock(pinned_clock):
    """The platform clock pinned at Wednesday 2026-11-18 10:00 (week 47); `clock.set(...)` moves it."""
    return pinned_clock


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def cycle(demo, clock):
    from diaodu.supervision import services

    with acting_as(None):
        return services.save_cycle(
            SYSTEM,
            demo["QHKFQ"],
            {
                "frequency": "weekly",
                "deadline_weekday": 3,
                "deadline_time": "17:00",
                "starts_on": date(2026, 11, 2),
                "centre_latitude": "43.880000",
                "centre_longitude": "125.350000",
            },
        )


@pytest.fixture
def make_project(demo, person):
    from diaodu.projects import services

    def make(
        name="智慧冷链物流园项目",
        unit="QHKFQ-WL",
        secretary="mishu_wl",
        stage="under_construction",
        lat=WL[0],
        lon=WL[1],
        **data,
    ):
        data.setdefault("total_investment", Decimal("50000"))
        data.setdefault("annual_plan_investment", Decimal("12000"))
        data.setdefault("plan_category", "continuing")
        data.setdefault("plan_year", 2026)
        if lat is not None:
            data.update(latitude=Decimal(str(lat)), longitude=Decimal(str(lon)))
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


def jpeg(name="site.jpg", *, when=datetime(2026, 11, 18, 9, 30), lat=WL[0], lon=WL[1]):
    from diaodu.supervision.photos import make_jpeg

    return SimpleUploadedFile(
        name, make_jpeg(when=when, lat=lat, lon=lon), content_type="image/jpeg"
    )


REPORT = {
    "progress_text": "1#冷库主体封顶，2#冷库钢结构吊装完成60%。",
    "invested": "800",
    "next_plan": "完成2#冷库屋面施工。",
}


CONTACT = {
    "on": "2026-11-17",
    "people": "高明",
    "enterprise_contact": "张经理",
    "method": "visit",
    "content": "现场调度",
}


@pytest.fixture
def week(cycle, make_project, person, demo, clock):
    """Four projects of 物流园 in week 47, at the deadline (Thursday 19 November 17:00)."""
    from diaodu.supervision import services

    sec, office = person("mishu_wl"), person("duchashi")
    a = make_project("甲·投资滞后项目", completed_this_year=Decimal("3000"))
    b = make_project("乙·正常项目", completed_this_year=Decimal("10000"))
    c = make_project("丙·未报送项目")
    d = make_project("丁·问题督办项目", completed_this_year=Decimal("10000"))
    make_project("戊·线索项目", stage="lead")  # not lit: not in an active stage
    for p in (a, b, d):
        for code in ("2026-W45", "2026-W46"):
            clock.set(2026, 11, 4 if code == "2026-W45" else 11, 9, 0)
            services.file_report(sec, p, {**REPORT, "invested": "0", "period": code})
        clock.set(2026, 11, 18, 9, 0)
        services.file_report(sec, p, {**REPORT, "invested": "800" if p is a else "0"})
        services.log_contact(sec, p, CONTACT)
    clock.set(2026, 10, 30, 9, 0)
    pr = services.raise_problem(sec, d, title="雨污管网接驳未批复", type_code="approval")
    services.assign_problem(office, pr, unit=demo["QHKFQ-ZJ"], deadline_wd=3)  # due 4 November
    with acting_as(None):
        services.escalate_overdue(today=date(2026, 11, 9))  # 3 working days late: 督办
    from diaodu.procedures import services as proc_services
    from diaodu.procedures.models import ProcedureTemplate, ProjectProcedure

    with acting_as(None):
        chain = proc_services.create_chain(
            SYSTEM, d, ProcedureTemplate.objects.get(code="enterprise_filing", is_current=True)
        )
    ProjectProcedure.objects.filter(chain=chain, code="B01").update(overdue=True)
    clock.set(2026, 11, 19, 17, 0)
    return {"a": a, "b": b, "c": c, "d": d}

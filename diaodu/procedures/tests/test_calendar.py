"""Holiday calendar entered by administrators: 2027 can be entered, it changes the schedules and
removes the "counted Monday–Friday" warning; validation; who may enter it."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_tasks.backends.database.models import DBTaskResult

from diaodu.audit.models import AuditEntry
from diaodu.procedures import services, workcal
from diaodu.procedures.models import HolidayYear, ProcedureChain
from diaodu.procedures.tasks import recompute_schedules

WARN_2027 = "2027年节假日安排尚未录入，已按周一至周五计算工作日"
# A made-up 2027 notice for the test (New Year, Spring Festival with one Sunday make-up day).
HOLIDAYS_2027 = "2027-01-01\n2027-02-06~2027-02-12"
MAKEUP_2027 = "2027-02-14"


def latest(chain):
    return {it.code: (it.latest_start, it.latest_finish) for it in chain.items.all()}


def test_entering_2027_changes_the_schedule_and_removes_the_warning(
    make_chain, person, client_for, django_capture_on_commit_callbacks
):
    chain = make_chain(start=date(2027, 3, 1))  # the backward pass crosses 2027's holidays
    chain = ProcedureChain.objects.get(pk=chain.pk)
    assert chain.calendar_warnings == [WARN_2027]
    page = client_for("mishu_wl").get(f"/procedures/project/{chain.project_id}/").content.decode()
    assert WARN_2027 in page
    before = latest(chain)

    with django_capture_on_commit_callbacks(execute=True):
        services.save_holiday_year(
            person("sysadmin"),
            year=2027,
            holidays=HOLIDAYS_2027,
            makeup_workdays=MAKEUP_2027,
            source="国务院办公厅关于2027年部分节假日安排的通知（测试数据）",
        )
    row = HolidayYear.objects.get(year=2027)
    assert len(row.holidays) == 8 and row.makeup_workdays == ["2027-02-14"]
    assert AuditEntry.objects.filter(action="calendar.save").count() == 1
    job = DBTaskResult.objects.get()  # the recompute was enqueued for the worker
    assert job.task_path.endswith("recompute_schedules")

    recompute_schedules.call()  # what the worker runs
    chain.refresh_from_db()
    assert chain.calendar_warnings == []
    after = latest(chain)
    assert after["B15"] == before["B15"]  # 施工许可 (Feb 18–26) lies after the holidays
    # 施工图审查 (10 working days to Feb 17) spans the Spring Festival: 5 working days off, 1 made up
    assert before["B13"] == (date(2027, 2, 4), date(2027, 2, 17))
    assert after["B13"] == (date(2027, 1, 29), date(2027, 2, 17))
    assert after["B01"][0] < before["B01"][0]
    page = client_for("mishu_wl").get(f"/procedures/project/{chain.project_id}/").content.decode()
    assert WARN_2027 not in page
    assert "2027" in workcal.format_days(row.holidays)


BAD_ENTRIES = [
    ("2027-01-01", "2027-02-15", "x", "makeup_workdays", "本来就是工作日"),  # a Monday
    ("2027-01-01\n2026-12-31", "", "x", "holidays", "不属于2027年"),
    ("2027-02-30", "", "x", "holidays", "不是有效日期"),
    ("明天", "", "x", "holidays", "无法识别"),
    ("2027-01-01", "", "", "source", "来源"),
    ("2027-02-06~2027-02-12", "2027-02-06", "x", "makeup_workdays", "同时填在"),
]


def test_bad_holiday_entries_are_refused_and_change_nothing(person):
    admin = person("sysadmin")
    for holidays, makeup, source, field, text in BAD_ENTRIES:
        with pytest.raises(ValidationError) as exc:
            services.save_holiday_year(
                admin, year=2027, holidays=holidays, makeup_workdays=makeup, source=source
            )
        assert text in "".join(exc.value.message_dict[field]), (holidays, makeup)
        assert (
            not HolidayYear.objects.exists()
            and not AuditEntry.objects.filter(action="calendar.save").exists()
        )


def test_only_calendar_administrators_enter_holidays(person, client_for):
    for username in ("duchashi", "wl_zhuren", "secadmin"):
        with pytest.raises(PermissionDenied):
            services.save_holiday_year(
                person(username), year=2027, holidays="2027-01-01", makeup_workdays="", source="x"
            )
        assert client_for(username).get("/procedures/calendar/").status_code == 403
    c = client_for("sysadmin")
    html = c.get("/procedures/calendar/").content.decode()
    assert (
        'data-year="2027"' in html
        and "未录入" in html
        and 'data-menu="procedures:calendar"' in html
    )
    assert (
        "2026-10-01" in c.get("/procedures/calendar/2026/").content.decode()
    )  # package data as a start
    r = c.post(
        "/procedures/calendar/2027/",
        {"holidays": "2027-01-01", "makeup_workdays": "2027-01-04", "source": "测试"},
    )
    assert r.status_code == 200 and "调休上班日应为周六或周日" in r.content.decode()
    r = c.post(
        "/procedures/calendar/2027/",
        {"holidays": HOLIDAYS_2027, "makeup_workdays": MAKEUP_2027, "source": "测试"},
    )
    assert r.status_code == 302 and HolidayYear.objects.filter(year=2027).exists()
    assert "已录入" in c.get("/procedures/calendar/").content.decode()

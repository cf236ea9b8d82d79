"""Reports: filing (late or not), sums computed and written back to the ledger, photos checked by
content with EXIF time and GPS, flags that contradict the ledger, 退回 with history, contacts."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from diaodu.audit.models import AuditEntry
from diaodu.supervision import services
from diaodu.supervision.models import ContactLog, ProgressReport, ReportPhoto
from diaodu.supervision.tests.conftest import REPORT, WEEK, jpeg


def test_file_report_with_photo_and_sums(cycle, make_project, person, clock, media):
    p = make_project(completed_this_year=Decimal("3000"), completed_since_start=Decimal("20000"))
    sec = person("mishu_wl")
    r = services.file_report(sec, p, REPORT, photo_files=[jpeg()])
    assert r.period == WEEK and not r.is_late and r.status == "submitted"
    assert (r.ytd, r.since_start) == (Decimal("3800"), Decimal("20800"))
    p.refresh_from_db()
    assert (p.completed_this_year, p.completed_since_start, p.version) == (
        Decimal("3800"),
        Decimal("20800"),
        2,
    )
    ph = r.photos.get()
    assert (
        ph.taken_at.year == 2026
        and ph.latitude == Decimal("43.865000")
        and ph.distance_km == Decimal("0.00")
    )
    assert ph.thumb.name and ph.content_type == "image/jpeg" and ph.width == 800
    assert r.flags == []
    assert AuditEntry.objects.filter(action="report.submit", object_id=str(r.pk)).exists()
    assert AuditEntry.objects.filter(action="project.update", object_id=str(p.pk)).exists()
    # next week, late (Friday): sums run on
    clock.set(2026, 11, 27, 9, 0)
    r2 = services.file_report(sec, p, {**REPORT, "invested": "200"})
    assert r2.period == "2026-W48" and r2.is_late
    assert (r2.ytd, r2.since_start) == (Decimal("4000"), Decimal("21000"))
    # a missed earlier week filed late: everything after it is recomputed
    r0 = services.file_report(sec, p, {**REPORT, "invested": "100", "period": "2026-W46"})
    assert r0.is_late and (r0.ytd, r0.since_start) == (Decimal("3100"), Decimal("20100"))
    r2.refresh_from_db()
    assert r2.since_start == Decimal("21100")
    p.refresh_from_db()
    assert p.completed_since_start == Decimal("21100")


def test_bad_input_changes_nothing(cycle, make_project, person, clock, media, settings):
    p = make_project()
    sec = person("mishu_wl")
    cases = [
        ({**REPORT, "invested": "三百"}, {}, "invested", "应为数字"),
        ({**REPORT, "progress_text": " "}, {}, "progress_text", "请填写形象进度"),
        ({**REPORT, "period": "2026-W60"}, {}, "period", "没有第60周"),
        ({**REPORT, "period": "2026-W49"}, {}, "period", "不能提前填报"),
        ({**REPORT, "period": "2026-11"}, {}, "period", "按周报送"),
        (
            REPORT,
            {"photo_files": [SimpleUploadedFile("fake.jpg", b"<html>not a photo</html>")]},
            "photos",
            "不是有效的图片",
        ),
        (REPORT, {"problems": [{"title": "缺电", "type_code": "nope"}]}, "problems", "问题类型"),
    ]
    for data, kw, field, text in cases:
        with pytest.raises(ValidationError) as exc:
            services.file_report(sec, p, data, **kw)
        assert text in "".join(exc.value.message_dict[field]), (field, exc.value.message_dict)
    assert ProgressReport.objects.count() == 0 and ReportPhoto.objects.count() == 0
    assert not list(media.rglob("*.jpg")) if media.exists() else True
    settings.UPLOAD_MAX_MB = 10  # DIAODU_UPLOAD_MAX_MB
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (10 * 1024 * 1024 + 10))
    with pytest.raises(ValidationError, match="单张不能超过 10 MB"):
        services.file_report(sec, p, REPORT, photo_files=[big])
    png_named_jpg = SimpleUploadedFile("x.jpg", _png())
    r = services.file_report(sec, p, REPORT, photo_files=[png_named_jpg])  # type by content
    assert r.photos.get().content_type == "image/png"
    with pytest.raises(ValidationError, match="已报送"):
        services.file_report(sec, p, REPORT)
    assert ProgressReport.objects.count() == 1


def _png():
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (50, 40), (200, 10, 10)).save(buf, "PNG")
    return buf.getvalue()


def test_flags_contradicting_the_ledger(cycle, make_project, person, clock, media):
    p = make_project(
        total_investment=Decimal("1000"),
        annual_plan_investment=Decimal("500"),
        completed_since_start=Decimal("900"),
    )
    r = services.file_report(
        person("mishu_wl"),
        p,
        {**REPORT, "invested": "200"},
        photo_files=[
            jpeg("far.jpg", lat=44.05, lon=125.405),  # ~20 km north of the project
            jpeg("old.jpg", when=datetime(2026, 9, 1, 10, 0)),  # months before the week
        ],
    )
    codes = [f["code"] for f in r.flags]
    assert codes == ["over_total", "photo_far", "photo_old"], r.flags
    assert "超过总投资（1000.00万元）" in r.flags[0]["message"]
    q = make_project(
        "负数项目",
        lat=None,
        completed_this_year=Decimal("100"),
        completed_since_start=Decimal("900"),
    )
    r2 = services.file_report(
        person("mishu_wl"),
        q,
        {**REPORT, "invested": "-50", "reduction_note": "监理核减"},
        photo_files=[jpeg("zone.jpg", lat=44.2, lon=125.35)],
    )  # 35 km from the zone centre
    assert [f["code"] for f in r2.flags] == ["negative", "photo_far"]
    assert "园区中心" in r2.flags[1]["message"]


def test_scope_and_permissions(cycle, make_project, person, clock, media):
    p = make_project()
    with pytest.raises(PermissionDenied):
        services.file_report(person("mishu_zb"), p, REPORT)  # another park's secretary
    with pytest.raises(PermissionDenied):
        services.file_report(person("fuzhuren"), p, REPORT)  # leader: no reports.file
    lead = make_project("线索项目", stage="lead")
    with pytest.raises(ValidationError, match="无需报送"):
        services.file_report(person("mishu_wl"), lead, REPORT)
    r = services.file_report(person("wl_zhuren"), p, REPORT)  # park staff may file for the park
    with pytest.raises(PermissionDenied):
        services.return_report(person("mishu_wl"), r, "照片不清楚")  # a secretary cannot return


def test_return_and_resubmit_keeps_history(cycle, make_project, person, clock, media):
    p = make_project(completed_since_start=Decimal("100"))
    sec, office = person("mishu_wl"), person("duchashi")
    r = services.file_report(sec, p, REPORT, photo_files=[jpeg()])
    with pytest.raises(ValidationError, match="退回原因"):
        services.return_report(office, r, "  ")
    r = services.return_report(office, r, "本期投资与监理月报不符，请核实。")
    assert r.status == "returned"
    with pytest.raises(ValidationError, match="已退回"):
        services.return_report(office, r, "再退")
    with pytest.raises(ValidationError, match="只有被退回"):
        services.resubmit_report(
            sec, services.accept_report(office, _fresh_other(cycle, make_project, sec)), REPORT
        )
    clock.set(2026, 11, 20, 9, 0)
    photo = r.photos.get()
    r = services.resubmit_report(
        sec,
        r,
        {**REPORT, "invested": "650", "version": r.version},
        photo_files=[jpeg("new.jpg")],
        remove_photos=[photo.pk],
    )
    assert (
        r.status == "submitted" and r.invested == Decimal("650") and r.since_start == Decimal("750")
    )
    assert [ph.original_name for ph in r.photos.all()] == ["new.jpg"]
    assert not r.is_late  # lateness is decided by the first submission
    events = [(e.action, e.data.get("invested")) for e in r.events.all()]
    assert events == [("submit", "800.00"), ("return", "800.00"), ("resubmit", "650.00")]
    p.refresh_from_db()
    assert p.completed_since_start == Decimal("750")


def _fresh_other(cycle, make_project, sec):
    other = make_project("另一个项目")
    return services.file_report(sec, other, REPORT)


def test_contacts(cycle, make_project, person, clock):
    p = make_project()
    sec = person("mishu_wl")
    with pytest.raises(ValidationError) as exc:
        services.log_contact(
            sec,
            p,
            {
                "on": "2026-11-30",
                "people": "",
                "enterprise_contact": "张经理",
                "method": "fax",
                "content": "x",
            },
        )
    assert set(exc.value.message_dict) == {"on", "people", "method"}
    c = services.log_contact(
        sec,
        p,
        {
            "on": "2026-11-17",
            "people": "高明、王建国",
            "enterprise_contact": "张经理",
            "method": "visit",
            "content": "现场查看冷库施工，企业反映专线接电慢。",
        },
        problems=[{"title": "10kV专线接电慢", "type_code": "utilities"}],
    )
    assert c.problems.get().source == "contact"
    assert ContactLog.objects.count() == 1


def test_monthly_cycle(demo, make_project, person, clock):
    from diaodu.audit.context import acting_as
    from diaodu.org.scope import SYSTEM

    with acting_as(None):
        services.save_cycle(
            SYSTEM,
            demo["QHKFQ"],
            {
                "frequency": "monthly",
                "deadline_day": 25,
                "deadline_time": "12:00",
                "starts_on": date(2026, 10, 1),
            },
        )
    with pytest.raises(ValidationError, match="上下级单位不能重复设置"):
        services.save_cycle(person("duchashi"), demo["QHKFQ-WL"], {"frequency": "weekly"})
    p = make_project()
    r = services.file_report(person("mishu_wl"), p, REPORT)
    assert (r.period, r.period_obj.name, r.is_late) == ("2026-11", "2026年11月", False)
    assert r.deadline.astimezone(clock.at.tzinfo).day == 25
    with pytest.raises(ValidationError, match="按月报送"):
        services.file_report(person("mishu_wl"), p, {**REPORT, "period": "2026-W46"})
    late = services.file_report(person("mishu_wl"), p, {**REPORT, "period": "2026-10"})
    assert late.is_late

"""Per-project chains: instantiate, adjust, record; validation refuses bad dates and cycles and
changes nothing; every write is audited and recomputes the schedule; attachments are checked."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from diaodu.audit.models import AuditEntry
from diaodu.procedures import services
from diaodu.procedures.models import ProcedureAttachment, ProcedureChain, ProjectProcedure
from diaodu.projects.models import Project

D = date


def audit_count():
    return AuditEntry.objects.count()


def test_chain_made_from_template_with_departments_matched(make_chain, demo):
    chain = make_chain()
    items = {it.code: it for it in chain.items.select_related("responsible_unit")}
    assert len(items) == 18
    assert items["B03"].responsible_unit == demo["QHKFQ-ZR"] and items["B03"].responsible_text == ""
    assert items["B01"].responsible_unit == demo["QHKFQ-ZS"]
    assert items["B07"].responsible_unit == demo["QHKFQ-ZSB"]
    # the demo has a 生态环境分局 (G05/B05 name it): matched to the unit, not left as text
    assert items["B05"].responsible_unit == demo["QHKFQ-HB"]
    assert AuditEntry.objects.filter(action="procedures.chain_create").count() == 1
    chain = ProcedureChain.objects.get(pk=chain.pk)
    assert chain.computed_at and chain.target_start == D(2026, 12, 1) and chain.days_late_wd > 0
    assert chain.delay_cause == "入园评审及投资协议"  # overdue and on the critical path
    assert items["B16"].latest_finish is None  # 竣工验收: after 开工, not scheduled
    with pytest.raises(ValidationError):
        services.create_chain(
            Project.objects.get(pk=chain.project_id).secretary,
            chain.project,
            chain.template,
        )  # one chain per project


def test_recording_progress_recomputes_and_audits(make_chain, person):
    chain = make_chain()
    sec = person("mishu_wl")
    b01 = chain.items.get(code="B01")
    assert b01.overdue
    b01 = services.update_item(
        sec,
        b01,
        {
            "status": "done",
            "actual_start": "2026-05-11",
            "actual_finish": "2026-05-15",
            "doc_number": "清开招〔2026〕3号",
        },
    )
    assert b01.version == 2 and not b01.overdue and b01.earliest_finish == D(2026, 5, 15)
    entry = AuditEntry.objects.filter(action="procedures.item_status").get()
    assert entry.after["status"] == "done" and entry.before["status"] == "not_started"
    assert entry.object_type == "procedures.projectprocedure"
    b03 = chain.items.get(code="B03")
    assert b03.earliest_start == D(2026, 6, 1)  # may start today (B01 is done)
    days = ProcedureChain.objects.get(pk=chain.pk).days_late_wd
    assert days == 15
    services.update_item(sec, b03, {"duration_wd": "10"})
    # B03 ten workdays shorter moves the 30-自然日 land sale B08 ten workdays earlier: from
    # 09-21 .. 10-20 to 09-08 .. 10-07, which ends in the National Day holiday and so on 10-08,
    # only 9 workdays earlier (10-09, Sat 10-10 make-up day, 10-12 .. 16, 19, 20).
    assert ProcedureChain.objects.get(pk=chain.pk).days_late_wd == days - 9


BAD_INPUT = [
    (
        "B01",
        {"status": "done", "actual_start": "2026-05-11", "actual_finish": "2026-06-02"},
        "actual_finish",
        "晚于今天",
    ),
    ("B01", {"status": "in_progress", "actual_start": "2026-06-05"}, "actual_start", "晚于今天"),
    ("B02", {"status": "done", "actual_start": "2026-05-18"}, "actual_finish", "须填写办结日期"),
    ("B02", {"status": "in_progress"}, "actual_start", "须填写开始办理日期"),
    ("B01", {"status": "in_progress"}, "actual_finish", "不应填写办结日期"),
    (
        "B01",
        {"status": "done", "actual_start": "2026-05-11", "actual_finish": "2026-05-08"},
        "actual_finish",
        "早于开始办理日期",
    ),
    ("B01", {"status": "done", "actual_finish": "2026-5-32"}, "actual_finish", "YYYY-MM-DD"),
    (
        "B03",
        {"status": "in_progress", "actual_start": "2026-05-12"},
        "actual_start",
        "早于前置手续“入园评审及投资协议”",
    ),
    ("B01", {"duration_wd": "-1"}, "duration_wd", "0–999"),
    ("B01", {"status": "finished"}, "status", "状态无效"),
]


def test_bad_input_refused_and_nothing_changes(make_chain, person):
    chain = make_chain()
    sec = person("mishu_wl")
    services.update_item(
        sec,
        chain.items.get(code="B01"),
        {"status": "done", "actual_start": "2026-05-11", "actual_finish": "2026-05-15"},
    )

    def state():
        return sorted(
            chain.items.values_list(
                "id",
                "status",
                "actual_start",
                "actual_finish",
                "duration_wd",
                "version",
                "latest_finish",
                "earliest_finish",
            )
        )

    before, n = state(), audit_count()
    for code, data, field, text in BAD_INPUT:
        with pytest.raises(ValidationError) as exc:
            services.update_item(sec, chain.items.get(code=code), data)
        assert text in "".join(exc.value.message_dict[field]), (code, data)
        assert state() == before and audit_count() == n


def test_finish_after_a_started_successor_refused(make_chain, person):
    chain = make_chain()
    sec = person("mishu_wl")
    services.update_item(
        sec,
        chain.items.get(code="B01"),
        {"status": "done", "actual_start": "2026-05-04", "actual_finish": "2026-05-08"},
    )
    services.update_item(
        sec,
        chain.items.get(code="B02"),
        {"status": "done", "actual_start": "2026-05-11", "actual_finish": "2026-05-11"},
    )
    with pytest.raises(ValidationError) as exc:
        services.update_item(sec, chain.items.get(code="B01"), {"actual_finish": "2026-05-13"})
    assert "晚于后续手续“项目备案”的开始日期" in exc.value.message_dict["actual_finish"][0]


def test_cycle_refused_on_chain_save(make_chain, person):
    chain = make_chain()
    sec = person("mishu_wl")
    b01 = chain.items.get(code="B01")
    for preds, text in (
        ("B15", "循环依赖"),
        ("B01", "不能以自己为前置"),
        ("B77", "B77 不存在"),
        ("B16", "竣工验收阶段"),
        ("B02++", "无法识别"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.update_item(sec, b01, {"predecessors": preds})
        assert text in exc.value.message_dict["predecessors"][0]
    b01.refresh_from_db()
    assert b01.predecessors == [] and b01.version == 1
    with pytest.raises(ValidationError) as exc:
        services.add_item(
            sec,
            chain,
            {"name": "水土保持方案", "duration_wd": 5, "predecessors": "B03", "code": "B03"},
        )
    assert "已存在" in exc.value.message_dict["code"][0]


def test_adjust_chain_add_drop_and_remove(make_chain, person):
    chain = make_chain()
    sec = person("mishu_wl")
    x = services.add_item(
        sec,
        chain,
        {
            "name": "水土保持方案审批",
            "duration_wd": "20",
            "predecessors": "B03",
            "stage": "land_planning",
        },
    )
    assert x.code == "X01" and x.is_added and x.latest_finish is not None
    b15 = chain.items.get(code="B15")
    services.update_item(sec, b15, {"predecessors": "B04、B05、B10、B13、B14、X01+2"})
    assert {"code": "X01", "lag_wd": 2} in chain.items.get(code="B15").predecessors
    with pytest.raises(ValidationError) as exc:
        services.remove_item(sec, x)
    assert "前置手续" in exc.value.message_dict["general"][0]
    services.update_item(
        sec, chain.items.get(code="B15"), {"predecessors": "B04、B05、B10、B13、B14"}
    )
    assert services.remove_item(sec, chain.items.get(code="X01")) == "removed"
    assert not chain.items.filter(code="X01").exists()
    assert (
        services.remove_item(sec, chain.items.get(code="B04"), reason="不涉及能耗")
        == "not_applicable"
    )
    b04 = chain.items.get(code="B04")
    assert b04.status == "not_applicable" and b04.note == "不涉及能耗" and b04.latest_finish is None
    actions = list(
        AuditEntry.objects.filter(action__startswith="procedures.item").values_list(
            "action", flat=True
        )
    )
    assert actions.count("procedures.item_add") == 1 and "procedures.item_remove" in actions


def test_delete_chain_only_without_records(make_chain, person):
    chain = make_chain()
    sec = person("mishu_wl")
    services.update_item(sec, chain.items.get(code="B01"), {"doc_number": "清开招〔2026〕3号"})
    with pytest.raises(ValidationError):
        services.delete_chain(sec, chain)
    services.update_item(sec, chain.items.get(code="B01"), {"doc_number": ""})
    services.delete_chain(sec, chain)
    assert not ProcedureChain.objects.filter(pk=chain.pk).exists()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def test_attachments_checked_and_stored(
    make_chain, person, media, client_for, django_capture_on_commit_callbacks, settings
):
    settings.UPLOAD_MAX_MB = 20  # DIAODU_UPLOAD_MAX_MB
    chain = make_chain()
    sec = person("mishu_wl")
    b01 = chain.items.get(code="B01")
    att = services.add_attachment(sec, b01, SimpleUploadedFile("批复.pdf", PDF, "application/pdf"))
    assert (media / att.file.name).read_bytes() == PDF and att.original_name == "批复.pdf"
    for name, content, text in (
        ("x.exe", b"MZ", "类型不支持"),
        ("x.pdf", b"<html>", "不符"),
        ("x.docx", b"PK\x03\x04broken", "不符"),
        ("big.pdf", b"%PDF" + b"0" * (20 * 1024 * 1024), "超过 20 MB"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.add_attachment(sec, b01, SimpleUploadedFile(name, content))
        assert text in exc.value.message_dict["file"][0]
    assert ProcedureAttachment.objects.count() == 1
    assert client_for("mishu_wl").get(f"/procedures/attachments/{att.pk}/").status_code == 200
    assert client_for("mishu_gx").get(f"/procedures/attachments/{att.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.add_attachment(person("fuzhuren"), b01, SimpleUploadedFile("a.pdf", PDF))
    r = client_for("mishu_wl").post(
        f"/procedures/items/{b01.pk}/upload/",
        {"file": SimpleUploadedFile("证.png", b"\x89PNG\r\n\x1a\n0000")},
    )
    assert r.status_code == 302 and ProcedureAttachment.objects.count() == 2
    path = media / att.file.name
    with django_capture_on_commit_callbacks(
        execute=True
    ):  # the file goes once the deletion commits
        r = client_for("mishu_wl").post(f"/procedures/attachments/{att.pk}/delete/")
    assert r.status_code == 302 and ProcedureAttachment.objects.count() == 1
    assert AuditEntry.objects.filter(action="procedures.attachment_delete").exists()
    assert not path.exists()


def test_item_pages(make_chain, client_for):
    chain = make_chain()
    c = client_for("mishu_wl")
    html = c.get(f"/procedures/project/{chain.project_id}/").content.decode()
    assert 'data-testid="gantt"' in html and "g-today" in html and 'data-critical="1"' in html
    assert "日期怎么算" in html and "关键路径" in html and "卡在“入园评审及投资协议”" in html
    b01 = chain.items.get(code="B01")
    r = c.post(
        f"/procedures/items/{b01.pk}/",
        {
            "status": "done",
            "actual_start": "2026-05-11",
            "actual_finish": "",
            "version": "1",
            "name": b01.name,
            "duration_wd": "5",
            "stage": "land_planning",
        },
    )
    assert r.status_code == 200 and "须填写办结日期" in r.content.decode()
    r = c.post(
        f"/procedures/items/{b01.pk}/",
        {
            "status": "done",
            "actual_start": "2026-05-11",
            "actual_finish": "2026-05-15",
            "version": "1",
            "name": b01.name,
            "duration_wd": "5",
            "stage": "land_planning",
            "responsible_unit": str(b01.responsible_unit_id),
        },
    )
    assert r.status_code == 302
    r = c.post(f"/procedures/items/{b01.pk}/", {"status": "done", "version": "1", "name": b01.name})
    assert "现为第 2 版，您提交时看到的是第 1 版" in r.content.decode()  # stale version
    r = c.post(
        f"/procedures/project/{chain.project_id}/add/",
        {
            "name": "文物勘探",
            "duration_wd": "15",
            "stage": "land_planning",
            "status": "not_started",
            "predecessors": "B03",
        },
    )
    assert r.status_code == 302 and chain.items.filter(name="文物勘探").exists()
    assert ProjectProcedure.objects.get(code="X01").duration_source == "项目自定"


def test_choose_template_on_the_page(make_project, client_for, today):
    from diaodu.procedures.models import ProcedureTemplate

    project = make_project(start=None)
    c = client_for("mishu_wl")
    html = c.get(f"/procedures/project/{project.pk}/").content.decode()
    assert 'data-testid="no-chain"' in html and "带方案出让" in html
    tpl = ProcedureTemplate.objects.get(code="land_with_design")
    r = c.post(f"/procedures/project/{project.pk}/create/", {"template": tpl.pk})
    assert r.status_code == 302
    chain = ProcedureChain.objects.get(project=project)
    assert (
        chain.days_late_wd is None and chain.expected_start is not None
    )  # no target start: earliest only
    assert (
        chain.items.get(code="D11").earliest_finish
        and chain.items.get(code="D11").latest_finish is None
    )
    html = c.get(f"/procedures/project/{project.pk}/").content.decode()
    assert "未填写计划开工日期" in html

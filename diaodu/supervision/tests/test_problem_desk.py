"""The department's part of a problem (issue 13): evidence on 办结, 退回交办, 申请延期 and the
督查室's decision — as workflow moves through the services, audited, in the history, on the page
and in the API, and refused (nothing changed) to every role that may not make them."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from diaodu.audit.models import AuditEntry
from diaodu.notify.models import Message
from diaodu.supervision import queries, services
from diaodu.supervision.models import Problem, ProblemAttachment

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def pdf(name="批复.pdf", data=PDF):
    return SimpleUploadedFile(name, data, "application/pdf")


@pytest.fixture
def assigned(cycle, make_project, person, demo, clock, media):
    p = make_project()
    pr = services.raise_problem(person("mishu_wl"), p, title="冷库用地规划条件", type_code="land")
    return services.assign_problem(person("duchashi"), pr, unit=demo["QHKFQ-ZR"], deadline_wd=5)


def _state(pr):
    fresh = Problem.objects.get(pk=pr.pk)
    return (fresh.status, fresh.version, fresh.due_date, fresh.extension_due)


# ---------------------------------------------------------------- evidence on 办结
def test_resolve_with_evidence(assigned, person):
    land = person("ziranziyuan")
    files = [pdf(), SimpleUploadedFile("现场.jpg", JPEG, "image/jpeg")]
    pr = services.resolve_problem(
        land,
        assigned,
        answer="已出具新的规划设计条件。",
        files=files,
        evidence_kind="approval",
        evidence_note="长规条〔2026〕18号",
    )
    assert pr.status == "resolved"
    atts = list(ProblemAttachment.objects.filter(problem=pr))
    assert [(a.original_name, a.content_type, a.kind) for a in atts] == [
        ("批复.pdf", "application/pdf", "approval"),
        ("现场.jpg", "image/jpeg", "approval"),
    ]
    ev = pr.events.get(action="resolve")
    assert {a.event_id for a in atts} == {ev.pk} and "长规条" in ev.note
    assert atts[0].file.read() == PDF
    entry = AuditEntry.objects.get(action="problem.evidence", object_id=str(pr.pk))
    assert entry.after["files"] == ["批复.pdf", "现场.jpg"]


@pytest.mark.parametrize(
    ("kw", "field", "words"),
    [
        ({"files": [pdf()], "evidence_note": ""}, "evidence_note", "佐证说明"),
        ({"files": [pdf("批复.pdf", b"MZ not a pdf")]}, "files", "“批复.pdf”的内容与扩展名"),
        ({"files": [pdf("a.exe", b"MZ")]}, "files", "类型不支持"),
        ({"files": [pdf("空.pdf", b"")]}, "files", "空文件"),
        ({"files": [pdf(f"{i}.pdf") for i in range(11)]}, "files", "最多上传 10 个"),
        ({"files": [pdf()], "evidence_kind": "bogus"}, "evidence_kind", "附件类别"),
        ({"answer": " "}, "answer", "办理结果"),
    ],
)
def test_bad_evidence_changes_nothing(assigned, person, kw, field, words):
    args = {"answer": "已办", "evidence_kind": "scan", "evidence_note": "扫描件", **kw}
    before, audit = _state(assigned), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.resolve_problem(person("ziranziyuan"), assigned, **args)
    assert words in "".join(exc.value.message_dict[field])
    assert _state(assigned) == before and AuditEntry.objects.count() == audit
    assert not ProblemAttachment.objects.exists()


def test_an_oversized_file_is_named_with_its_size(assigned, person, settings):
    settings.UPLOAD_MAX_MB = 1  # the installation's one upload limit
    big = pdf("大.pdf", PDF + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        services.resolve_problem(
            person("ziranziyuan"), assigned, answer="已办", files=[big], evidence_note="x"
        )
    assert "“大.pdf”超过 1 MB（1.01 MB）" in exc.value.message_dict["files"][0]


# ---------------------------------------------------------------- 退回交办
def test_send_back_then_reassign(assigned, person, demo):
    land, office = person("ziranziyuan"), person("duchashi")
    with pytest.raises(ValidationError, match="原因"):
        services.send_back_problem(land, assigned, reason="  ")
    with pytest.raises(PermissionDenied):
        services.send_back_problem(person("fagai"), assigned, reason="不是我们的")
    pr = services.send_back_problem(land, assigned, reason="非本单位职责，属发改局审批事项")
    assert (pr.status, pr.responsible_unit, pr.due_date) == ("sent_back", None, None)
    ev = pr.events.last()
    assert (ev.action, ev.label, ev.from_status) == ("send_back", "退回交办", "assigned")
    assert "自然资源局退回：非本单位职责" in ev.note
    assert AuditEntry.objects.filter(action="problem.send_back", object_id=str(pr.pk)).exists()
    assert Message.objects.filter(recipient=office, title__contains="退回交办").exists()
    # the department no longer has it; the office sees it waiting and assigns it again
    assert not queries.problems(land).filter(pk=pr.pk).exists()
    assert queries.problems(office, queries.ProblemFilter(requests=True)).filter(pk=pr.pk)
    pr = services.assign_problem(office, pr, unit=demo["QHKFQ-FG"], deadline_wd=5)
    assert (pr.status, pr.responsible_unit.code) == ("assigned", "QHKFQ-FG")
    pr = services.resolve_problem(person("fagai"), pr, answer="已批复")
    with pytest.raises(ValidationError, match="不能退回交办"):
        services.send_back_problem(person("fagai"), pr, reason="x")


# ---------------------------------------------------------------- 申请延期
def test_extension_request_approve_and_escalation_follows(assigned, person, clock):
    land, office = person("ziranziyuan"), person("duchashi")
    due = assigned.due_date  # 2026-11-25
    with pytest.raises(ValidationError) as exc:
        services.request_extension(land, assigned, new_due="", reason="")
    assert set(exc.value.message_dict) == {"new_due", "reason"}  # every error at once
    with pytest.raises(ValidationError, match="晚于现在的办结时限"):
        services.request_extension(land, assigned, new_due=due, reason="需省厅批复")
    with pytest.raises(PermissionDenied):
        services.request_extension(person("mishu_wl"), assigned, new_due="2026-12-10", reason="x")
    pr = services.request_extension(land, assigned, new_due="2026-12-10", reason="需省厅批复")
    assert (pr.extension_due, pr.due_date) == (date(2026, 12, 10), due)
    with pytest.raises(ValidationError, match="待审批"):  # one request at a time
        services.request_extension(land, pr, new_due="2026-12-20", reason="再延")
    with pytest.raises(PermissionDenied):
        services.decide_extension(land, pr, approve=True)
    with pytest.raises(PermissionDenied):
        services.decide_extension(person("mishu_wl"), pr, approve=True)
    # late by the old deadline: 督办 level reached before the decision
    clock.set(2026, 12, 1, 9, 0)
    assert services.escalate_overdue(today=date(2026, 12, 1)) == [(pr.pk, 2)]
    pr = services.decide_extension(office, Problem.objects.get(pk=pr.pk), approve=True)
    assert (pr.due_date, pr.extension_due, pr.escalation_level) == (date(2026, 12, 10), None, 0)
    assert "延至 2026-12-10" in pr.events.last().note
    # escalation counts from the approved deadline
    assert services.escalate_overdue(today=date(2026, 12, 10)) == []
    assert services.escalate_overdue(today=date(2026, 12, 11)) == [(pr.pk, 1)]
    assert [e.action for e in pr.events.all()][-5:] == [
        "request_extension",
        "escalate",
        "escalate",
        "approve_extension",
        "escalate",
    ]
    for action in ("problem.extension_request", "problem.extension_approve"):
        assert AuditEntry.objects.filter(action=action, object_id=str(pr.pk)).exists()


def test_extension_refused_needs_a_reason(assigned, person):
    land, office = person("ziranziyuan"), person("duchashi")
    pr = services.request_extension(land, assigned, new_due="2026-12-10", reason="需省厅批复")
    with pytest.raises(ValidationError, match="不予延期的理由"):
        services.decide_extension(office, pr, approve=False, reason="")
    pr = services.decide_extension(office, pr, approve=False, reason="时限内可以办结")
    assert (pr.due_date, pr.extension_due) == (assigned.due_date, None)
    assert pr.events.last().label == "不予延期"
    assert Message.objects.filter(recipient=land, title__startswith="延期未批准").exists()
    with pytest.raises(ValidationError, match="不能批准延期"):
        services.decide_extension(office, pr, approve=True)

"""Tasks through their services: creation with every error at once, edits against a version,
moves by who may make them, extensions, sub-tasks rolling up, progress per node, escalation in
working days across the National Day holiday, 督办单, and the audit trail of each."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from diaodu.audit.context import acting_as
from diaodu.audit.models import AuditEntry
from diaodu.tasks import services
from diaodu.tasks.models import Milestone, SupervisionNotice, Task, TaskEvent


def test_create_names_every_bad_field_and_changes_nothing(demo, person, clock):
    office = person("duchashi")
    with pytest.raises(ValidationError) as exc:
        services.create_task(
            office,
            demo["QHKFQ"],
            {"title": "", "lead_unit": None, "deadline": "2026-13-40", "recurrence": "hourly"},
            nodes=[{"title": "", "due_date": "x"}],
        )
    errors = exc.value.message_dict
    assert {"title", "lead_unit", "deadline", "recurrence", "nodes"} <= set(errors)
    assert "任务" in errors["title"][0] and "完成时限" in errors["deadline"][0]
    assert (
        Task.objects.count() == 0 and AuditEntry.objects.filter(action="task.create").count() == 0
    )


def test_lead_unit_outside_the_zone_is_refused(demo, person, clock):
    with pytest.raises(ValidationError) as exc:
        services.create_task(
            person("duchashi"), demo["QHKFQ"], {"title": "x", "lead_unit": demo["QH"]}
        )
    assert "牵头单位" in exc.value.message_dict["lead_unit"][0]


def test_only_the_office_creates(demo, person, clock):
    with pytest.raises(PermissionDenied):
        services.create_task(
            person("ziranziyuan"), demo["QHKFQ"], {"title": "x", "lead_unit": demo["QHKFQ-ZR"]}
        )


def test_create_is_audited_with_nodes(make_task):
    t = make_task(
        support=["QHKFQ-ZSB"], nodes=[{"title": "完成规划初稿", "due_date": "2026-11-30"}]
    )
    assert list(t.support_units.values_list("code", flat=True)) == ["QHKFQ-ZSB"]
    assert Milestone.objects.filter(task=t).count() == 1
    entry = AuditEntry.objects.get(action="task.create", object_id=str(t.pk))
    assert entry.after["nodes"] == [["完成规划初稿", "2026-11-30"]]


def test_edit_needs_the_current_version(make_task, person, demo):
    t = make_task()
    office = person("duchashi")
    t = services.update_task(office, t, {"title": "新标题"}, version=1)
    assert t.version == 2 and t.title == "新标题"
    with pytest.raises(ValidationError) as exc:
        services.update_task(office, t, {"title": "又一个"}, version=1)
    assert "第 2 版" in exc.value.message_dict["version"][0]
    with pytest.raises(ValidationError) as exc:
        services.update_task(office, t, {"title": "又一个"}, version=None)
    assert "version" in exc.value.message_dict
    assert Task.objects.get(pk=t.pk).title == "新标题"


def test_the_whole_path_sign_report_request_return_approve(make_task, person):
    t = make_task()
    dept, office, other = person("ziranziyuan"), person("duchashi"), person("fagai")
    with pytest.raises(PermissionDenied):
        services.sign_task(other, t)
    t = services.sign_task(dept, t)
    assert t.status == "in_progress"
    with pytest.raises(PermissionDenied):
        services.request_done(person("zhujian"), t, summary="x")
    with pytest.raises(ValidationError) as exc:
        services.request_done(dept, t, summary="")
    assert "办结情况" in exc.value.message_dict["summary"][0]
    t = services.request_done(dept, t, summary="规划已报批")
    with pytest.raises(PermissionDenied):
        services.approve_done(dept, t)
    with pytest.raises(ValidationError):
        services.return_task(office, t, reason="")
    t = services.return_task(office, t, reason="缺少批复文件")
    assert t.status == "returned"
    t = services.request_done(dept, t, summary="补充批复")
    t = services.approve_done(office, t)
    assert t.status == "done" and t.progress == 100 and t.done_at is not None
    actions = list(TaskEvent.objects.filter(task=t).values_list("action", flat=True))
    assert actions == ["create", "sign", "request_done", "return", "request_done", "approve_done"]
    assert AuditEntry.objects.filter(object_id=str(t.pk), action__startswith="task.").count() == 6


def test_suspend_and_resume(make_task, person):
    t = make_task()
    office = person("duchashi")
    with pytest.raises(ValidationError):
        services.suspend_task(office, t, reason="")
    t = services.suspend_task(office, t, reason="等待上级政策")
    assert t.status == "suspended"
    with pytest.raises(ValidationError):
        services.report_progress(person("ziranziyuan"), t, text="x")
    assert services.resume_task(office, t).status == "in_progress"


def test_extension_request_and_decision(make_task, person):
    t = make_task(deadline=date(2026, 11, 30))
    dept, office = person("ziranziyuan"), person("duchashi")
    with pytest.raises(ValidationError) as exc:
        services.request_extension(dept, t, new_due="2026-11-01", reason="")
    assert set(exc.value.message_dict) == {"new_due", "reason"}
    t = services.request_extension(dept, t, new_due="2026-12-20", reason="专家评审推迟")
    with pytest.raises(ValidationError):
        services.request_extension(dept, t, new_due="2026-12-25", reason="再推迟")
    with pytest.raises(ValidationError):
        services.decide_extension(office, t, approve=False, reason="")
    t = services.decide_extension(office, t, approve=True)
    assert t.deadline == date(2026, 12, 20) and t.extension_due is None
    t = services.request_extension(dept, t, new_due="2027-01-20", reason="再推迟")
    t = services.decide_extension(office, t, approve=False, reason="年底前必须完成")
    assert t.deadline == date(2026, 12, 20)


def test_split_and_roll_up(make_task, person, demo):
    parent = make_task(title="确保征供地400公顷以上", lead="QHKFQ-ZSB")
    lead = person("zhengshou")
    a = services.split_task(lead, parent, {"title": "土地报批", "lead_unit": demo["QHKFQ-ZR"]})
    b = services.split_task(
        person("duchashi"), parent, {"title": "规划调整", "lead_unit": demo["QHKFQ-FG"]}
    )
    with pytest.raises(PermissionDenied):
        services.split_task(person("fagai"), parent, {"title": "x", "lead_unit": demo["QHKFQ-FG"]})
    with pytest.raises(ValidationError) as exc:
        services.split_task(lead, a, {"title": "x", "lead_unit": demo["QHKFQ-FG"]})
    assert "子任务不能再分解" in exc.value.message_dict["parent"][0]
    with pytest.raises(ValidationError) as exc:
        services.split_task(
            lead, parent, {"title": "x", "lead_unit": demo["QHKFQ-FG"], "deadline": "2027-03-01"}
        )
    assert "不能晚于上级任务" in exc.value.message_dict["deadline"][0]
    services.report_progress(person("ziranziyuan"), a, text="已报批一半", percent=50)
    parent.refresh_from_db()
    assert parent.progress == 25
    services.report_progress(person("fagai"), b, text="完成", percent=100)
    parent.refresh_from_db()
    assert parent.progress == 75
    with pytest.raises(ValidationError) as exc:
        services.report_progress(lead, parent, text="汇总", percent=90)
    assert "子任务汇总" in exc.value.message_dict["percent"][0]


def test_progress_per_node(make_task, person):
    t = make_task(
        nodes=[
            {"title": "初稿", "due_date": "2026-11-30"},
            {"title": "报批", "due_date": "2026-12-20"},
        ]
    )
    dept = person("ziranziyuan")
    m1, m2 = list(Milestone.objects.filter(task=t).order_by("due_date"))
    with pytest.raises(ValidationError) as exc:
        services.report_progress(dept, t, text="", percent=120)
    assert {"text", "percent"} <= set(exc.value.message_dict)
    services.report_progress(dept, t, text="初稿完成", percent=100, milestone=m1)
    m1.refresh_from_db()
    t.refresh_from_db()
    assert m1.done_on == date(2026, 11, 18) and t.progress == 50 and t.status == "in_progress"
    with pytest.raises(PermissionDenied):
        services.report_progress(person("fagai"), t, text="x")


def test_escalation_counts_working_days_across_national_day(make_task, person, clock):
    clock.set(2026, 9, 1, 9, 0)
    t = make_task(deadline=date(2026, 9, 30))
    with acting_as(None):
        assert services.escalate_overdue(today=date(2026, 10, 7)) == []  # all holidays
        assert services.escalate_overdue(today=date(2026, 10, 9)) == [(t.pk, 1)]  # 8, 9 Oct: 催办
        assert services.escalate_overdue(today=date(2026, 10, 10)) == [(t.pk, 2)]  # 调休 Saturday
        assert services.escalate_overdue(today=date(2026, 10, 10)) == []  # once per level
    t.refresh_from_db()
    assert t.escalation_level == 2
    levels = list(
        TaskEvent.objects.filter(task=t, action="escalate").values_list("level", flat=True)
    )
    assert levels == [1, 2]


def test_a_late_node_escalates_its_task(make_task, person):
    t = make_task(nodes=[{"title": "初稿", "due_date": "2026-11-02"}])
    with acting_as(None):
        out = services.escalate_overdue(today=date(2026, 11, 18))
    assert out == [(t.pk, 3)]
    ev = TaskEvent.objects.filter(task=t, action="escalate").last()
    assert "节点“初稿”" in ev.note


def test_notice_and_reply(make_task, person):
    t = make_task()
    office, dept = person("duchashi"), person("ziranziyuan")
    with pytest.raises(PermissionDenied):
        services.issue_notice(dept, t, body="x")
    with pytest.raises(ValidationError) as exc:
        services.issue_notice(office, t, body="", reply_wd=0)
    assert {"body", "reply_wd"} <= set(exc.value.message_dict)
    n = services.issue_notice(office, t, body="请于三日内报送规划编制进展", reply_wd=3)
    assert n.number.startswith("督办〔2026〕") and n.reply_due == date(2026, 11, 23)
    with pytest.raises(PermissionDenied):
        services.reply_notice(person("fagai"), n, reply="x")
    services.reply_notice(dept, n, reply="已完成初稿")
    with pytest.raises(ValidationError):
        services.reply_notice(dept, n, reply="再回复")
    assert SupervisionNotice.objects.get(pk=n.pk).reply == "已完成初稿"


def test_chasing_missing_reports(make_task, person, clock):
    from diaodu.notify.models import Message

    t = make_task()
    assert services.chase_missing_reports(today=date(2026, 11, 20)) == []
    assert services.chase_missing_reports(today=date(2026, 11, 25)) == [t.pk]
    assert Message.objects.filter(
        title__startswith="催报", recipient__username="ziranziyuan"
    ).exists()

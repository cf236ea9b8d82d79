"""Upload → draft → review → approve: a speech the system has never seen gives draft rows with
units matched to the tree; unknown names are named by row and mapped once (remembered); approval
is all-or-nothing and audited; 繁體 documents read the same."""

from datetime import date
from pathlib import Path

import pytest
import zhconv
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from diaodu.audit.models import AuditEntry
from diaodu.tasks import services
from diaodu.tasks.models import Milestone, SourceDocument, Task, UnitAlias

DATA = Path(__file__).parent / "data"


def upload(person, demo, name="unseen_2022.txt", data=None, on="2022-09-06", user="duchashi"):
    data = data if data is not None else (DATA / name).read_bytes()
    return services.upload_document(
        person(user), demo["QHKFQ"], upload=SimpleUploadedFile(name, data), doc_date=on
    )


def test_upload_drafts_rows_with_units_from_the_tree(demo, person, media, clock):
    doc = upload(person, demo)
    assert doc.title == "unseen_2022" and doc.text.startswith("在全区重点项目建设推进会上的讲话")
    assert len(doc.rows) >= 8
    leads = {n for r in doc.rows for n in r["lead_units"]}
    assert "发改局" in leads or "自然资源局" in leads
    assert any(r["deadline"] == "2022-10-31" for r in doc.rows)
    assert doc.file.read() == (DATA / "unseen_2022.txt").read_bytes()  # the original is kept
    assert AuditEntry.objects.filter(action="task.document.upload").count() == 1


def test_bad_uploads_name_the_field_and_store_nothing(demo, person, media, clock):
    with pytest.raises(ValidationError) as exc:
        services.upload_document(person("duchashi"), demo["QHKFQ"], upload=None, doc_date="去年")
    assert {"file", "doc_date"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        upload(person, demo, name="x.docx", data=b"not a zip")
    assert "Word" in exc.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as exc:
        upload(person, demo, name="x.pdf", data=b"%PDF")
    assert "不受支持" in exc.value.message_dict["file"][0]
    with pytest.raises(PermissionDenied):
        upload(person, demo, user="ziranziyuan")
    assert SourceDocument.objects.count() == 0


def test_traditional_chinese_upload_matches_units(demo, person, media, clock):
    text = zhconv.convert((DATA / "unseen_2022.txt").read_text(encoding="utf-8"), "zh-tw")
    doc = upload(person, demo, name="tw.txt", data=text.encode("utf-8"))
    assert "推進" in doc.text  # the original kept as written
    simple = upload(person, demo)
    assert [r["lead_units"] for r in doc.rows] == [r["lead_units"] for r in simple.rows]


def rows_for(demo):
    return [
        {"task": "确保征供地400公顷以上", "lead_units": "征收办", "support_units": "自然资源局",
         "deadline": "2026-12-31", "nodes": "2026-11-30 完成组卷报批", "source_span": [0, 10]},
        {"task": "多方面协调建设资金", "lead_units": "聚丰公司、广汇公司", "deadline": "年底"},
    ]  # fmt: skip


def test_approve_is_all_or_nothing_and_names_each_bad_row(demo, person, media, clock):
    doc = upload(person, demo)
    office = person("duchashi")
    with pytest.raises(ValidationError) as exc:
        services.approve_document(office, doc, rows_for(demo), version=doc.version)
    errors = exc.value.message_dict
    assert errors["rows-1-lead_units"] == [
        "第2行：牵头单位“聚丰公司”不在单位树中，请改为单位名称或在“单位对照”中指定。"
    ]
    assert "第2行" in errors["rows-1-deadline"][0] and "完成时限" in errors["rows-1-deadline"][0]
    assert "rows-0-lead_units" not in errors
    assert Task.objects.count() == 0 and SourceDocument.objects.get(pk=doc.pk).state == "draft"


def test_aliases_are_learned_once_and_approval_creates_the_tasks(demo, person, media, clock):
    doc = upload(person, demo)
    office = person("duchashi")
    services.learn_alias(office, demo["QHKFQ"], "聚丰公司", demo["QHKFQ-FG"])
    services.learn_alias(office, demo["QHKFQ"], "广汇公司", demo["QHKFQ-ZJ"])
    with pytest.raises(ValidationError):
        services.learn_alias(office, demo["QHKFQ"], "聚丰公司", demo["QHKFQ-ZJ"])
    rows = rows_for(demo)
    rows[1]["deadline"] = "2026-12-31"
    doc = services.save_draft(office, doc, rows, version=doc.version)
    with pytest.raises(ValidationError):
        services.approve_document(office, doc, rows, version=1)  # stale
    tasks = services.approve_document(office, doc, rows, version=doc.version)
    assert [t.lead_unit.code for t in tasks] == ["QHKFQ-ZSB", "QHKFQ-FG"]
    assert list(tasks[1].support_units.values_list("code", flat=True)) == ["QHKFQ-ZJ"]
    assert tasks[0].span_start == 0 and tasks[0].document == doc
    assert Milestone.objects.get(task=tasks[0]).due_date == date(2026, 11, 30)
    assert SourceDocument.objects.get(pk=doc.pk).state == "approved"
    assert AuditEntry.objects.filter(action="task.create").count() == 2
    with pytest.raises(ValidationError):
        services.approve_document(office, doc, rows, version=doc.version + 1)
    # the alias is used by the next extraction too
    assert UnitAlias.objects.count() == 2
    res = services.Resolver(demo["QHKFQ"])
    assert res.get("聚豐公司") == demo["QHKFQ-FG"]

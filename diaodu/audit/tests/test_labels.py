"""The audit log and a project's 修改记录 show actions, objects and fields by their Chinese names."""

import re
from decimal import Decimal
from pathlib import Path

import pytest

from diaodu.audit import labels

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_every_recorded_action_has_a_name():
    """Each action a service records (record("x.y", …)) reads as Chinese, not as its key."""
    actions = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        actions |= set(re.findall(r'record\(\s*"([a-z_]+\.[a-z_]+)"', path.read_text()))
    assert len(actions) > 40
    unnamed = {a for a in actions if not labels._CJK.search(labels.action_label(a))}
    assert not unnamed - {"test.ping"}, unnamed


def test_every_model_has_a_chinese_object_name():
    from django.apps import apps

    for m in apps.get_models():
        if m.__module__.startswith("diaodu."):
            assert labels._CJK.search(labels.object_label(m._meta.label_lower)), m


def test_fields_by_their_form_names():
    assert labels.field_label("projects.project", "national_code") == "项目代码"
    assert labels.field_label("projects.project", "unit_id") == labels.field_label(
        "projects.project", "unit"
    )
    assert labels._CJK.search(labels.field_label("projects.project", "unit_id"))
    assert labels.field_label("org.user", "roles") == "角色"
    assert labels.actor_label("system") == "系统" and labels.actor_label("") == "系统"


def test_audit_log_and_project_history_read_chinese(demo, person, client_for):
    from diaodu.audit.context import acting_as
    from diaodu.projects import services

    sec = person("mishu_wl")
    with acting_as(sec):
        p = services.create_project(
            sec,
            unit=demo["QHKFQ-WL"],
            data={"name": "冷链仓储项目", "total_investment": Decimal("1000")},
            secretary=sec,
        )
        services.update_project(
            sec, p, data={"national_code": "2026-220199-54-01-000123"}, version=p.version
        )
    html = client_for("auditor").get("/audit/").content.decode()
    text = visible_text(html)
    assert "新建项目" in text and "修改项目" in text and "项目代码" in text
    for raw in ("project.create", "project.update", "national_code", "projects.project"):
        assert raw not in text, raw
    detail = client_for("duchashi").get(f"/projects/{p.pk}/").content.decode()
    text = visible_text(detail)
    assert "修改项目" in text and "项目代码" in text and "national_code" not in text
    assert "system" not in text

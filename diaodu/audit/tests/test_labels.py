"""The audit log and a project's 修改记录 show actions, objects and fields by their Chinese names."""

import re
from pathlib import Path

import pytest

from diaodu.audit import labels

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


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

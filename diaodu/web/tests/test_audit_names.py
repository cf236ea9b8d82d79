"""The audit log and a project's 修改记录 read Chinese: action, object and field names, 系统."""

import re
from decimal import Decimal

import pytest

pytestmark = pytest.mark.django_db


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


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

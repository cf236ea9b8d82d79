"""Fixtures and helpers of the background-work tests (real worker and scheduler processes)."""

import io

import pytest
from openpyxl import Workbook

from diaodu.audit.context import acting_as
from diaodu.ops.testing import processes, redis_server  # noqa: F401  (pytest fixtures)


@pytest.fixture
def live_demo(transactional_db):
    """The demo organisation, committed, for tests whose real processes must see it."""
    from diaodu.org import demo as org_demo
    from diaodu.org.models import Unit

    with acting_as(None, channel="cli"):
        org_demo.build()
    return {u.code: u for u in Unit.objects.all()}


def ledger_workbook(rows: int, prefix: str = "后台导入测试项目") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "项目名称", "建设单位", "总投资（万元）"])
    for i in range(rows):
        ws.append([i + 1, f"{prefix}{i:05d}", f"测试实业有限公司{i % 97}", 1000 + i])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def start_import(user, unit, content: bytes, name: str = "台账.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from diaodu.projects import services

    with acting_as(user, channel="web"):
        return services.start_import(user, unit, SimpleUploadedFile(name, content))

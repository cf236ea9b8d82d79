"""Formulas never get out: every .xlsx the project writes, generated with formula-like data in
every text a person can enter (project names, unit names, notes, region names), holds no formula
cell, and every formula-like text is quote-prefixed."""

import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import Workbook, load_workbook

from diaodu.engine import xlsx
from diaodu.org.models import Unit, User
from diaodu.procedures.models import ProcedureChain, ProjectProcedure
from diaodu.projects.models import Project
from diaodu.targets.models import MonthlyValue, PeerGroup, Region, ScoreSet, UnitScore

PAYLOADS = (
    '=HYPERLINK("http://evil.example/","点击")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r\n=1+1",
)


def formula_problems(data: bytes, name: str) -> tuple[list[str], int]:
    """(problems, number of formula-like texts seen) for one workbook."""
    wb = load_workbook(io.BytesIO(data))
    problems, seen = [], 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    problems.append(f"{name}/{ws.title}!{cell.coordinate}: formula {cell.value!r}")
                elif isinstance(cell.value, str) and xlsx.looks_like_formula(cell.value):
                    seen += 1
                    if not cell.quotePrefix:
                        problems.append(f"{name}/{ws.title}!{cell.coordinate}: no quote prefix")
    return problems, seen


def test_put_writes_text_never_a_formula():
    wb = Workbook()
    ws = wb.active
    for text in PAYLOADS:
        xlsx.append(ws, [text, 1, None, "普通文字"])
    xlsx.append(ws, ["含\x00控制\x07字符"])
    out = io.BytesIO()
    wb.save(out)
    problems, seen = formula_problems(out.getvalue(), "unit")
    assert not problems and seen == len(PAYLOADS)
    back = load_workbook(io.BytesIO(out.getvalue())).active
    assert back["A1"].value == PAYLOADS[0] and back["B1"].value == 1
    assert back.cell(row=len(PAYLOADS) + 1, column=1).value == "含控制字符"
    assert not xlsx.looks_like_formula("项目-一期") and xlsx.looks_like_formula("  =1")


@pytest.fixture
def poisoned_demo(db):
    call_command("demo", stdout=StringIO(), skip_checks=True)
    for n, p in enumerate(Project.objects.order_by("pk")):
        Project.objects.filter(pk=p.pk).update(name=f"{PAYLOADS[n % len(PAYLOADS)]}{n}")
    for n, u in enumerate(Unit.objects.filter(kind__in=["park", "department"]).order_by("pk")):
        Unit.objects.filter(pk=u.pk).update(name=f"{PAYLOADS[n % len(PAYLOADS)]}单位{n}")
    ProjectProcedure.objects.update(name=PAYLOADS[4], doc_number=PAYLOADS[0])
    MonthlyValue.objects.update(note=PAYLOADS[0])
    Region.objects.update(name=PAYLOADS[3])
    for us in UnitScore.objects.all():
        lines = us.lines
        for line in lines:
            line["explanation"] = PAYLOADS[1]
            line["projects"] = [[1, PAYLOADS[0], "2026-01-01"]] + list(line.get("projects") or [])
            line["contributors"] = [[PAYLOADS[2], "1"]] + list(line.get("contributors") or [])
        UnitScore.objects.filter(pk=us.pk).update(lines=lines)


def _exports(client) -> dict[str, str]:
    zone = Unit.objects.filter(kind="zone").first()
    urls = {
        "ledger": "/projects/export.xlsx",
        "bulletin_ledger": f"/supervision/ledger.xlsx?unit={zone.pk}",
        "monthly_template": "/targets/monthly/template.xlsx",
    }
    for group in PeerGroup.objects.all():
        urls["economy_template"] = f"/targets/economy/template.xlsx?group={group.pk}"
    for ch in ProcedureChain.objects.order_by("pk")[:2]:
        urls[f"procedures_{ch.pk}"] = f"/procedures/project/{ch.project_id}/export/"
    for ss in ScoreSet.objects.all():
        urls[f"assessment_{ss.pk}"] = f"/targets/assessment/results/{ss.pk}/report.xlsx"
    return urls


def test_every_export_is_free_of_formulas(poisoned_demo):
    seen_total, problems, downloaded = 0, [], []
    for username in ("duchashi", "quzhang", "wl_zhuren"):
        c = Client()
        c.force_login(User.objects.get(username=username))
        for name, url in _exports(c).items():
            r = c.get(url)
            if r.status_code != 200 or "spreadsheetml" not in r.get("Content-Type", ""):
                continue
            downloaded.append(name)
            body = b"".join(r.streaming_content) if r.streaming else r.content
            found, seen = formula_problems(body, name)
            problems += found
            seen_total += seen
    assert not problems, "\n".join(problems[:20])
    # every kind of export was really produced, with the payloads in it
    for name in ("ledger", "bulletin_ledger", "monthly_template", "economy_template"):
        assert name in downloaded, (name, downloaded)
    assert any(n.startswith("assessment_") for n in downloaded)
    assert any(n.startswith("procedures_") for n in downloaded)
    assert seen_total > 20


WRITERS = ("Workbook(", "create_sheet(", "load_workbook(")


def test_every_xlsx_writer_goes_through_the_safe_cell_writer():
    """A module that builds or re-saves a workbook writes its cells only through engine.xlsx:
    it imports it, and never sets a cell by `ws.append(...)` or `cell.value = …` itself (the
    readers, which only open workbooks, are exempt)."""
    from pathlib import Path

    root = Path(xlsx.__file__).resolve().parents[1]
    offenders, writers = [], []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if "/tests/" in f"/{rel}" or "/migrations/" in rel or rel == "engine/xlsx.py":
            continue
        source = path.read_text(encoding="utf-8")
        if not any(w in source for w in WRITERS) or ".save(" not in source:
            continue
        writers.append(rel)
        uses_safe = (
            "engine.xlsx import" in source
            or "from ..xlsx import" in source
            or ("from diaodu.engine import" in source and "xlsx" in source)
        )
        if not uses_safe:
            offenders.append(f"{rel}: does not use diaodu.engine.xlsx")
        for n, line in enumerate(source.splitlines(), 1):
            code = line.split("#", 1)[0]
            if "ws.append(" in code or "detail.append(" in code or ".value = " in code:
                if "cell.value = _clean_decimal" in code or ".value = seq" in code:
                    continue  # numbers, not text
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert {"engine/ledger/writer.py", "procedures/exports.py", "supervision/bulletin.py"} <= set(
        writers
    ), writers
    assert not offenders, "\n".join(offenders)

"""English messages: what a page says after an action — the flash message of a POST button, the
errors of a form, the reasons of a light, the definitions of the headline figures — is English
in the English interface, though the engine and the services make it in Chinese (pages
translate it when they show it, :func:`diaodu.i18n.tr`). And every message the views, the weekly
loop's services, the figures and the engine's cleaning and lights make has its catalogue entry,
so a new message cannot slip in untranslated."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from diaodu import i18n
from diaodu.org.models import User
from diaodu.web.tests.test_english import HAN, PO, data_strings, full_demo, po_entries  # noqa: F401

ROOT = Path(settings.BASE_DIR) / "diaodu"
# the modules whose every Chinese message must be in the catalogue
COVERED = (
    r"/views(/|\.py)",
    r"_pages\.py$",
    r"supervision/services/",
    r"figures\.py$",
    r"engine/(lights|cleaning|workflow|escalation)\.py$",
    r"supervision/flows\.py$",
    r"targets/(derived|queries)\.py$",
    r"(projects|procedures|targets)/services/",
    r"(org|notify)/services\.py$",
    r"org/passwords\.py$",
)
# regular expressions, programmer errors, and the demo's department names the chain page offers
NOT_MESSAGES = re.compile(
    r"^\^|bare 应为|孤立的代理字符|^(发改局|自然资源局|住建局|征收办|招商局|生态环境分局)$|working day"
)


def _pattern(node) -> str | None:
    """The catalogue form of a literal: an f-string's values become %(name)s."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, ast.JoinedStr):
        return None
    out, used = [], set()
    for v in node.values:
        if isinstance(v, ast.Constant):
            out.append(v.value.replace("%", "%%"))
            continue
        e = v.value
        if isinstance(e, ast.Attribute):
            name = e.attr
        elif isinstance(e, ast.Name):
            name = e.id
        elif isinstance(e, ast.Subscript) and isinstance(e.slice, ast.Constant):
            name = str(e.slice.value)
        elif isinstance(e, ast.Call) and isinstance(e.func, ast.Name | ast.Attribute):
            name = getattr(e.func, "id", None) or e.func.attr
        else:
            name = "v"
        name, base, k = re.sub(r"\W", "_", name), re.sub(r"\W", "_", name), 2
        while name in used:
            name, k = f"{base}{k}", k + 1
        used.add(name)
        out.append(f"%({name})s")
    return "".join(out)


def source_messages(path: Path) -> list[tuple[int, str]]:
    """Chinese literals of a module outside docstrings and gettext calls."""
    found: list[tuple[int, str]] = []

    def visit(node, in_gettext=False):
        if isinstance(node, ast.Call):
            f = node.func
            name = getattr(f, "id", None) or getattr(f, "attr", None)
            in_gettext = in_gettext or name in {"_", "gettext", "gettext_lazy", "gettext_noop"}
        body = getattr(node, "body", None)
        skip = None
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            skip = body[0]  # docstring
        if isinstance(node, ast.Constant | ast.JoinedStr):
            p = _pattern(node)
            if p and HAN.search(p) and not in_gettext:
                found.append((node.lineno, p))
            return
        for child in ast.iter_child_nodes(node):
            if child is not skip:
                visit(child, in_gettext)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def test_every_message_of_the_covered_modules_is_in_the_catalogue():
    msgids = {e["msgid"] for e in po_entries(PO)}
    missing = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = "/" + str(path.relative_to(ROOT))
        if "/tests/" in rel or not any(re.search(c, rel) for c in COVERED):
            continue
        for line, text in source_messages(path):
            if text not in msgids and not NOT_MESSAGES.search(text):
                missing.append(f"{rel}:{line} {text[:40]}")
    assert not missing, (
        f"{len(missing)} 条消息不在英文目录中（加入 diaodu/i18n_messages.py）：{missing}"
    )


def test_tr_translates_made_messages_and_leaves_data():
    with translation.override("en"):
        assert i18n.tr("连续3期未报送周报") == "No weekly report for 3 periods in a row"
        assert i18n.tr("《甲项目》2026年第48周周报已报送。") == (
            "Report of “甲项目” for Week 48, 2026 filed."
        )
        assert i18n.tr("项目处于“在谈”阶段，无需报送周报。") == (
            "The project is at the “Negotiating” stage and files no weekly report."
        )
        assert i18n.tr("请选择项目。；请选择对接方式。") == (
            "Please choose a project.; Please choose a contact method."
        )
        assert i18n.tr("清河经济开发区管委会") == "清河经济开发区管委会"  # data stays
    with translation.override("zh-hans"):
        assert i18n.tr("连续3期未报送周报") == "连续3期未报送周报"


# ---------------------------------------------------------------- pages after actions
ALERT = re.compile(r'<div class="alert[^"]*"[^>]*role="alert">(.*?)</div>', re.S)
FEEDBACK = re.compile(r'<div class="invalid-feedback[^"]*"[^>]*>(.*?)</div>', re.S)
ERRORS = re.compile(r'data-testid="form-errors">(.*?)</div>\s*(?:<form|$)', re.S)
TAG = re.compile(r"<[^>]+>")


def _english(c: Client) -> Client:
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return c


def client_for(username: str) -> Client:
    c = _english(Client())
    c.force_login(User.objects.get(username=username))
    return c


def leftover_chinese(texts, data) -> list[str]:
    bad = []
    for t in texts:
        rest = TAG.sub(" ", t)
        for d in data:
            if d in rest:
                rest = rest.replace(d, " ")
        if HAN.search(rest):
            bad.append(" ".join(t.split())[:80])
    return bad


def said(response) -> list[str]:
    html = response.content.decode()
    return ALERT.findall(html) + FEEDBACK.findall(html) + ERRORS.findall(html)


def test_messages_after_actions_are_english(full_demo):  # noqa: F811
    from diaodu.projects.models import Project
    from diaodu.supervision.models import Problem, ProblemStatus, ProgressReport, ReportStatus

    data = data_strings()
    shown: dict[str, list[str]] = {}

    def check(name, response, *, expect=True):
        texts = said(response)
        if expect:
            assert texts, f"{name}: 页面没有提示"
        shown[name] = texts

    sec = client_for("mishu_wl")
    check("empty contact", sec.post("/supervision/contacts/new/", {}))
    check("empty problem", sec.post("/supervision/problems/new/", {}))
    home = sec.get("/").content.decode()
    due = re.findall(r'href="(/supervision/reports/new/\d+/[^"]*)"', home)
    assert due, "演示数据中项目秘书本期应有待填报的周报"
    url = due[0].replace("&amp;", "&")
    check("empty report", sec.post(url, {}))
    check(
        "report filed",
        sec.post(url, {"progress_text": "主体施工", "invested": "50"}, follow=True),
    )

    office = client_for("duchashi")
    check("lights computed", office.post("/supervision/lights/compute/", follow=True))
    check("lights page", office.get("/supervision/lights/"), expect=False)
    check("reminders", office.post("/supervision/missing/remind/", follow=True))
    report = ProgressReport.objects.filter(status=ReportStatus.SUBMITTED).order_by("pk").first()
    rep = f"/supervision/reports/{report.pk}"
    check("return empty", office.post(f"{rep}/return/", {"version": report.version}, follow=True))
    check("accept stale", office.post(f"{rep}/accept/", {"version": 0}, follow=True))
    check("accept", office.post(f"{rep}/accept/", {"version": report.version}, follow=True))
    check("summary figures", office.get("/supervision/"), expect=False)

    dept = client_for("zhengshou")
    unit = User.objects.get(username="zhengshou").memberships.first().unit
    mine = Problem.objects.filter(
        responsible_unit=unit, status__in=[ProblemStatus.ASSIGNED, ProblemStatus.IN_PROGRESS]
    ).order_by("pk")
    pr = mine.first()
    base = f"/supervision/problems/{pr.pk}"
    v = {"version": pr.version}
    check("resolve empty", dept.post(f"{base}/resolve/", {"answer": "", **v}, follow=True))
    check("extension empty", dept.post(f"{base}/request_extension/", v, follow=True))
    scan = SimpleUploadedFile("批复.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    check(
        "resolve",
        dept.post(
            f"{base}/resolve/",
            {
                "answer": "已批复",
                "files": scan,
                "evidence_kind": "approval",
                "evidence_note": "文号",
            },
            follow=True,
        ),
    )
    project = Project.objects.filter(secretary__username="mishu_wl").first()
    check("project page", sec.get(f"/projects/{project.pk}/"), expect=False)
    check(
        "project form",
        office.post(
            "/projects/new/", {"name": "", "total_investment": "abc", "national_code": "x"}
        ),
    )

    # the notices those moves sent, in the department's inbox
    inbox = dept.get("/notify/").content.decode()
    shown["inbox"] = re.findall(r'<div class="[^"]*text-break">(.*?)</div>', inbox, re.S)
    assert shown["inbox"], "部门的消息中心应有交办通知"

    bad = {k: leftover_chinese(v, data) for k, v in shown.items()}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, "英文界面的提示仍有中文：\n" + "\n".join(
        f"{k}: {v[:3]}" for k, v in bad.items()
    )


def test_figure_definitions_and_light_reasons_are_english(full_demo):  # noqa: F811
    data = data_strings()
    office = client_for("duchashi")
    office.post("/supervision/lights/compute/")
    html = office.get("/supervision/").content.decode()
    panel = re.search(r'data-testid="figure-definitions">(.*?)</details>', html, re.S)
    assert panel, "汇总页应有口径说明"
    dds = re.findall(r"<d[td][^>]*>(.*?)</d[td]>", panel.group(1), re.S)
    assert len(dds) > 10
    assert not leftover_chinese(dds, data)
    html = office.get("/supervision/lights/").content.decode()
    reasons = re.findall(r'<span class="text-[a-z]+">●</span>(.*?)</div>', html, re.S)
    assert reasons, "亮灯页应列出原因"
    assert not leftover_chinese(reasons, data)


# ---------------------------------------------------------------- exports in English
def _docx_texts(content: bytes) -> tuple[list[str], list[str]]:
    """The paragraphs of a .docx and the head row of each of its tables."""
    import io

    from docx import Document

    doc = Document(io.BytesIO(content))
    heads = [c.text for t in doc.tables for c in t.rows[0].cells]
    return [p.text for p in doc.paragraphs if p.text.strip()], heads


def _sheet_rows(content: bytes, sheet=None, rows=6) -> list[list[str]]:
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content), read_only=True)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    return [
        [str(v) for v in row if v is not None]
        for row in ws.iter_rows(max_row=rows, values_only=True)
    ], wb.sheetnames


def test_export_headings_are_english(full_demo):  # noqa: F811
    """The bulletin's headings, paragraphs and table heads and its figures sheet, and the
    procedure chain's export, are English in English. The ledger sheet keeps the Chinese 台账
    columns in every language: it is the office's ledger and the import template, whose reader
    knows the Chinese headings (and their many local variants) — asserted here so that a
    translation never breaks a round trip."""
    from diaodu.procedures.models import ProcedureChain

    data = data_strings()
    office = client_for("duchashi")
    r = office.get("/supervision/bulletin.docx")
    assert r.status_code == 200
    assert "bulletin_" in r["Content-Disposition"]
    paragraphs, heads = _docx_texts(r.content)
    assert "SUPERVISION BULLETIN" in paragraphs and "1. Overview" in paragraphs
    assert "No." in heads and "Project" in heads
    assert not leftover_chinese(paragraphs + heads, data)

    r = office.get("/supervision/ledger.xlsx")
    assert r.status_code == 200
    _rows, sheets = _sheet_rows(r.content)
    assert "Headline figures" in sheets
    figs, _ = _sheet_rows(r.content, "Headline figures", rows=40)
    assert figs[1][:2] == ["Figure", "Value"] and figs[1][-1] == "Code"
    assert not leftover_chinese([" ".join(row) for row in figs], data)
    ledger, _ = _sheet_rows(r.content, rows=4)
    assert any("项目名称" in row for row in ledger), "台账（导入模板）保持中文表头"

    chain = ProcedureChain.objects.filter(project__secretary__username="mishu_wl").first()
    r = office.get(f"/procedures/project/{chain.project_id}/export/")
    assert r.status_code == 200
    rows, sheets = _sheet_rows(r.content, rows=30)
    assert sheets == ["Backward schedule"]
    assert rows[3][:2] == ["Stage", "Code"]
    assert not leftover_chinese([" ".join(row) for row in rows], data)


def test_assessment_documents_are_english(full_demo):  # noqa: F811
    """The 考核 results as .docx and .xlsx: headings, paragraphs, column heads in English (the
    title of a result is data, named by the office)."""
    from diaodu.targets.models import ScoreSet

    data = data_strings()
    ss = ScoreSet.objects.order_by("pk").first()
    office = client_for("duchashi")
    r = office.get(f"/targets/assessment/results/{ss.pk}/report.docx")
    assert r.status_code == 200, r.status_code
    paragraphs, heads = _docx_texts(r.content)
    assert "1. Ranking" in paragraphs and "Rank" in heads
    assert not leftover_chinese(paragraphs + heads, data)
    r = office.get(f"/targets/assessment/results/{ss.pk}/report.xlsx")
    assert r.status_code == 200
    rows, sheets = _sheet_rows(r.content, rows=4)
    assert sheets[0] == "Ranking"
    assert not leftover_chinese([" ".join(row) for row in rows], data)
    for sheet in sheets[1:]:
        head, _ = _sheet_rows(r.content, sheet, rows=1)
        assert not leftover_chinese(head[0], data), sheet

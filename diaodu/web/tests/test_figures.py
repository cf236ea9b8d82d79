"""One definition per figure: on the demo zone, /api/v1/figures, the cockpit, the home page, the
period summary and the bulletin (.docx and .xlsx) show the same value for every headline figure,
each with its definition; figures that legitimately differ (all projects vs 应报 projects, the
suspended 暂缓 project) carry labels and definitions that say so; the API is scoped for every
built-in role."""

import io
import re
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from docx import Document
from openpyxl import load_workbook

from diaodu import clock
from diaodu.engine import stages as S
from diaodu.projects.models import PlanCategory, Project

KEYS = (
    [f"projects.stage.{s}" for s in S.MAIN_LINE + S.SIDE]
    + [f"projects.category.{c}" for c in PlanCategory.values]
    + [f"investment.{what}.{who}" for who in ("all", "active") for what in ("plan", "done", "rate")]
    + [f"reports.{k}" for k in ("due", "filed", "late", "returned", "missing")]
    + [f"lights.{k}" for k in ("red", "yellow", "green", "none")]
    + ["problems.open", "problems.overdue"]
)


def text_of(value) -> str:
    """How pages print a figure (the API gives it plain)."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    t = f"{Decimal(str(value)):,.2f}"
    return t.rstrip("0").rstrip(".") if "." in t else t


def panel(html: str) -> dict[str, tuple[str, str]]:
    """key -> (shown value, definition in the title) of the 主要数据 panel of a page."""
    out = {}
    for key, title, value in re.findall(
        r'data-figure="([^"]+)" title="([^"]*)">.*?data-value="[^"]+">([^<]+)<', html, re.S
    ):
        out[key] = (value, title)
    return out


@pytest.fixture
def zone(db):
    call_command("demo", stdout=StringIO(), skip_checks=True)


def test_every_page_and_the_bulletin_show_the_api_figures(zone, client_for):
    from html import unescape

    today = clock.today()
    c = client_for("quzhang")
    r = c.get("/api/v1/figures?unit=QHKFQ")
    assert r.status_code == 200
    api = {f["key"]: f for f in r.json()}
    assert set(KEYS) <= set(api)
    assert any(k.startswith("targets.") for k in api)  # target progress of the zone's agreements
    for f in api.values():
        assert f["label"] and f["definition"].endswith("。") and f["drill"].startswith("/")
    assert {f["as_of"] for k, f in api.items() if not k.startswith("targets.")} == {
        today.isoformat()
    }
    # the discrepancy that made leaders distrust the numbers: the suspended (暂缓) project's
    # investment is in "全部项目" and not in "应报项目", and both say so
    suspended = Project.objects.filter(unit__path__startswith="/", stage="suspended")
    gap = sum((p.completed_this_year or 0 for p in suspended), Decimal(0))
    done_all, done_active = api["investment.done.all"], api["investment.done.active"]
    assert gap > 0
    assert Decimal(str(done_all["value"])) - Decimal(str(done_active["value"])) == gap
    assert done_all["label"] == "本年完成投资（全部项目）"
    assert done_active["label"] == "本年完成投资（应报项目）"
    assert "含暂缓" in done_all["definition"] and "不含" in done_active["definition"]
    plan_all, plan_active = api["investment.plan.all"], api["investment.plan.active"]
    assert plan_all["label"] != plan_active["label"]
    # the cockpit's 项目完成投资 indicator is the same figure as 本年完成投资（全部项目）
    assert Decimal(str(api["targets.investment_done"]["value"])) == Decimal(str(done_all["value"]))

    pages = {
        "home": c.get("/").content.decode(),
        "cockpit": c.get("/targets/cockpit/").content.decode(),
        "summary": c.get("/supervision/").content.decode(),
    }
    for name, html in pages.items():
        shown = panel(html)
        assert re.search(r'data-as-of="([^"]+)"', html).group(1) == today.isoformat(), name
        for key, f in api.items():
            assert key in shown, (name, key)
            value, title = shown[key]
            assert value == text_of(f["value"]), (name, key, value, f["value"])
            assert unescape(title) == f["definition"], (name, key)
    # the summary's own sentences use the 应报项目 figures, and say so
    summary = pages["summary"]
    assert f"本年累计完成投资{text_of(done_active['value'])}万元" in summary
    assert f"应报项目年度计划投资{text_of(plan_active['value'])}万元" in summary
    # the cockpit card of 项目完成投资 shows the same number as the figure
    card = re.search(
        r'data-indicator="investment_done".*?data-testid="card-actual">([^<]+)<',
        pages["cockpit"],
        re.S,
    ).group(1)
    assert card == text_of(api["targets.investment_done"]["value"])
    # the 责任状 target beside it is not the ledger's 年度计划投资, and says so
    for name in ("home", "cockpit"):
        assert "责任状目标" in pages[name] and "不是项目台账的“年度计划投资”" in pages[name], name
    # … and its funnel and light distribution are the same figures
    links = pages["cockpit"].split('data-testid="funnel-links"')[1].split("</div>")[0]
    for stage in S.MAIN_LINE + S.SIDE:
        assert f">{S.label(stage)} {api[f'projects.stage.{stage}']['value']}</a>" in links, stage
    lights = pages["cockpit"].split('data-testid="lights"')[1].split("</div></div></div>")[0]
    shown_lights = re.findall(r"light-(\w+)\"></span> <a [^>]+>(\d+)</a>", lights)
    assert {c: int(n) for c, n in shown_lights} == {
        c: api[f"lights.{c}"]["value"] for c in ("red", "yellow", "green")
    }

    # the bulletin: the appendix 主要数据 of the .docx and the sheet of the .xlsx
    docx = c.get("/supervision/bulletin.docx")
    assert docx.status_code == 200
    doc = Document(io.BytesIO(docx.content))
    rows = {}
    for table in doc.tables:
        for row in table.rows[1:]:
            cells = [cell.text for cell in row.cells]
            if len(cells) == 5:
                rows[cells[1]] = (cells[2], cells[4])
    body = "\n".join(p.text for p in doc.paragraphs)
    assert f"附：主要数据及口径（截至{today.year}年{today.month}月{today.day}日）" in body
    assert f"本年累计完成投资{text_of(done_active['value'])}万元" in body
    for f in api.values():
        assert rows[f["label"]] == (text_of(f["value"]), f["definition"]), f["key"]
    xlsx = c.get("/supervision/ledger.xlsx")
    ws = load_workbook(io.BytesIO(xlsx.content))["主要数据"]
    cells = {row[5]: row for row in ws.iter_rows(min_row=3, values_only=True)}
    for key, f in api.items():
        label, value, unit, as_of, definition, _key = cells[key]
        assert (label, unit, as_of, definition) == (
            f["label"],
            f["unit"],
            f["as_of"],
            f["definition"],
        )
        expected = f["value"]
        assert (value is None and expected is None) or Decimal(str(value)) == Decimal(
            str(expected)
        ), key


def test_a_past_date_and_bad_input(zone, client_for):
    c = client_for("quzhang")
    on = clock.today() - timedelta(days=60)
    r = c.get(f"/api/v1/figures?unit=QHKFQ&on={on.isoformat()}")
    assert r.status_code == 200
    figs = {f["key"]: f for f in r.json()}
    assert figs["reports.due"]["as_of"] == on.isoformat()
    # stage counts replay the stage history: fewer projects had been started 60 days ago
    now = {f["key"]: f for f in c.get("/api/v1/figures?unit=QHKFQ").json()}
    total_then = sum(figs[f"projects.stage.{s}"]["value"] for s in S.MAIN_LINE + S.SIDE)
    total_now = sum(now[f"projects.stage.{s}"]["value"] for s in S.MAIN_LINE + S.SIDE)
    assert total_then <= total_now
    tomorrow = clock.today() + timedelta(days=1)
    bad = c.get(f"/api/v1/figures?unit=QHKFQ&on={tomorrow.isoformat()}")
    assert bad.status_code == 422 and "日期" in bad.json()["errors"]["on"][0]
    assert c.get("/api/v1/figures?unit=NOPE").status_code == 404
    assert c.get("/api/v1/figures?unit=QHKFQ&on=2026-13-01").status_code == 422


# role -> (unit code, expected status); every built-in role
ROLE_CASES = [
    ("sysadmin", "QHKFQ", 403),  # 三员 see no business data
    ("secadmin", "QHKFQ", 403),
    ("auditor", "QHKFQ", 403),
    ("quzhang", "QHKFQ", 200),  # 领导, 本部门及以下
    ("quzhang", "QHKFQ-WL", 200),
    ("duchashi", "QHKFQ", 200),  # 督查室, 全部数据
    ("wl_zhuren", "QHKFQ-WL", 200),  # 园区, its own park
    ("wl_zhuren", "QHKFQ", 404),  # … not the zone above it
    ("wl_zhuren", "QHKFQ-ZB", 404),  # … nor a sibling park
    ("ziranziyuan", "QHKFQ-ZR", 200),  # 部门, its own department
    ("ziranziyuan", "QHKFQ", 404),
    ("mishu_wl", "QHKFQ-WL", 200),  # 项目秘书 (仅本人): his unit, counting his own projects
    ("mishu_wl", "QHKFQ", 404),
]


@pytest.mark.parametrize("username,code,status", ROLE_CASES)
def test_figures_api_for_every_builtin_role(demo, client_for, username, code, status):
    r = client_for(username).get(f"/api/v1/figures?unit={code}")
    assert r.status_code == status, r.content.decode()[:200]


def test_figures_need_a_sign_in(demo, client):
    assert client.get("/api/v1/figures?unit=QHKFQ").status_code == 401


def test_a_park_sees_its_own_numbers_as_the_leader_sees_them(zone, client_for):
    leader = {
        f["key"]: f["value"]
        for f in client_for("quzhang").get("/api/v1/figures?unit=QHKFQ-WL").json()
        if not f["key"].startswith("targets.")
    }
    park = {
        f["key"]: f["value"]
        for f in client_for("wl_zhuren").get("/api/v1/figures?unit=QHKFQ-WL").json()
        if not f["key"].startswith("targets.")
    }
    assert leader == park
    assert leader["projects.stage.under_construction"] > 0

"""Monthly values: cumulative figures cannot go backwards; the Excel template round trip; bad
files and bad rows give clear Chinese messages and change nothing; 催报."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook, load_workbook

from diaodu.audit.context import acting_as
from diaodu.audit.models import AuditEntry
from diaodu.org.scope import SYSTEM
from diaodu.targets import queries, services
from diaodu.targets.models import MonthlyValue, Reminder


@pytest.fixture
def wl(agreement_for):
    return agreement_for("QHKFQ-WL", {"fai": 7.8, "land_supply": 104, "new_starts": 5})


def state():
    return (
        sorted(MonthlyValue.objects.values_list("unit_id", "indicator_id", "month", "value")),
        AuditEntry.objects.count(),
    )


def test_cumulative_cannot_go_backwards(demo, inds, wl, enter, person):
    enter("QHKFQ-WL", "fai", {4: "2.0", 6: "3.5"})
    before = state()
    staff = person("wl_zhuren")
    with acting_as(staff), pytest.raises(ValidationError) as exc:
        services.save_monthly(
            staff, unit=demo["QHKFQ-WL"], year=2026, month=5, values={inds["fai"]: "1.9"}
        )
    assert "为累计值" in exc.value.messages[0] and "不能小于4月" in exc.value.messages[0]
    with acting_as(staff), pytest.raises(ValidationError) as exc:  # would be above the later month
        services.save_monthly(
            staff, unit=demo["QHKFQ-WL"], year=2026, month=5, values={inds["fai"]: "3.6"}
        )
    assert "6月" in exc.value.messages[0]
    assert state() == before
    with acting_as(staff):
        services.save_monthly(
            staff,
            unit=demo["QHKFQ-WL"],
            year=2026,
            month=5,
            values={inds["fai"]: "2.8"},
            notes={inds["fai"].pk: "统计局快报"},
        )
    assert MonthlyValue.objects.get(month=5).value == Decimal("2.8000")
    assert AuditEntry.objects.filter(action="monthly.save").count() == 3


ENTRY_CASES = [
    ("wl_zhuren", "QHKFQ-WL", "new_starts", 5, "1", "由系统自动计算"),
    ("wl_zhuren", "QHKFQ-WL", "budget_revenue", 5, "1", "目标责任状中没有指标"),
    ("wl_zhuren", "QHKFQ-WL", "fai", 13, "1", "月份应为"),
    ("wl_zhuren", "QHKFQ-WL", "fai", 5, "一点二", "应为数字"),
    ("wl_zhuren", "QHKFQ-WL", "fai", 5, "-3", "不能小于0"),
    ("wl_zhuren", "QHKFQ-ZB", "fai", 5, "1", PermissionDenied),
    ("quzhang", "QHKFQ-WL", "fai", 5, "1", PermissionDenied),  # a leader reads, does not enter
]


def test_entry_rules(demo, inds, wl, person):
    before = state()
    for who, unit, code, month, value, error in ENTRY_CASES:
        user = person(who)
        expected = error if error is PermissionDenied else ValidationError
        with acting_as(user), pytest.raises(expected) as exc:
            services.save_monthly(
                user, unit=demo[unit], year=2026, month=month, values={inds[code]: value}
            )
        if expected is ValidationError:
            assert error in " ".join(exc.value.messages), (who, code, error)
        assert state() == before


def test_future_month_refused(demo, inds, agreement_for):
    from django.utils import timezone

    year = timezone.localdate().year + 1
    agreement_for("QHKFQ-WL", {"fai": 1}, year=year, sign=False)
    with acting_as(None), pytest.raises(ValidationError, match="尚未开始"):
        services.save_monthly(
            SYSTEM, unit=demo["QHKFQ-WL"], year=year, month=1, values={inds["fai"]: "1"}
        )


def test_template_round_trip(demo, inds, wl, enter, client_for):
    enter("QHKFQ-WL", "fai", {1: "0.5"})
    c = client_for("wl_zhuren")
    r = c.get("/targets/monthly/template.xlsx", {"year": 2026, "month": 2})
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    assert [c.value for c in ws[3]][:9] == [
        "单位编码",
        "单位名称",
        "指标代码",
        "指标名称",
        "计量单位",
        "口径",
        "年度",
        "月份",
        "本月数值",
    ]
    rows = {ws.cell(row=i, column=3).value: i for i in range(4, ws.max_row + 1)}
    assert set(rows) == {"fai", "land_supply"}  # only entered indicators of the agreement
    ws.cell(row=rows["fai"], column=9, value=1.25)
    ws.cell(row=rows["land_supply"], column=9, value=18)
    ws.cell(row=rows["land_supply"], column=10, value="自然资源局报数")
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "填报.xlsx"
    r = c.post("/targets/monthly/import/", {"file": out}, follow=True)
    assert "导入成功" in r.content.decode()
    assert MonthlyValue.objects.get(indicator=inds["fai"], month=2).value == Decimal("1.25")
    assert MonthlyValue.objects.get(indicator=inds["land_supply"], month=2).note == "自然资源局报数"


def _upload(c, wb):
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "填报.xlsx"
    return c.post("/targets/monthly/import/", {"file": out})


def test_bad_file_and_bad_rows_change_nothing(demo, inds, wl, enter, client_for):
    enter("QHKFQ-WL", "fai", {3: "2.0"})
    c = client_for("wl_zhuren")
    before = state()
    junk = io.BytesIO(b"this is not an excel file")
    junk.name = "填报.xlsx"
    html = c.post("/targets/monthly/import/", {"file": junk}).content.decode()
    assert "文件无法读取" in html
    bomb = io.BytesIO()  # the importers open uploads through the engine's safe opener
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (8 * 1024 * 1024))
    bomb.seek(0)
    bomb.name = "填报.xlsx"
    html = c.post("/targets/monthly/import/", {"file": bomb}).content.decode()
    assert "文件无法读取" in html and "压缩炸弹" in html
    wb = Workbook()
    wb.active.append(["随便", "一个", "表"])
    assert "未找到表头" in _upload(c, wb).content.decode()
    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "单位编码",
            "单位名称",
            "指标代码",
            "指标名称",
            "计量单位",
            "口径",
            "年度",
            "月份",
            "本月数值",
            "备注",
        ]
    )
    ws.append(["QHKFQ-WL", "", "land_supply", "", "", "", 2026, 4, 20, ""])  # good row
    ws.append(["QHKFQ-WL", "", "fai", "", "", "", 2026, 4, 1.5, ""])  # backwards: March is 2.0
    ws.append(["NOPE", "", "fai", "", "", "", 2026, 4, 1, ""])  # unknown unit
    ws.append(["QHKFQ-WL", "", "land_supply", "", "", "", 2026, 5, "很多", ""])  # not a number
    ws.append(["QHKFQ-ZB", "", "fai", "", "", "", 2026, 4, 1, ""])  # other park
    html = _upload(c, wb).content.decode()
    assert "数据未作任何修改" in html
    assert "第4行：单位编码“NOPE”不存在" in html
    assert "第5行：数值应为数字" in html
    assert "第3行：“固定资产投资”为累计值，2026年4月（1.5亿元）不能小于3月（2亿元）" in html
    assert "第6行：无权填报“装备制造产业园”的数据" in html
    assert state() == before


def test_missing_list_and_reminder(demo, inds, wl, agreement_for, enter, client_for):
    agreement_for("QHKFQ-ZB", {"fai": 7.2})
    enter("QHKFQ-ZB", "fai", {9: "5"})
    rows = queries.missing_reports(SYSTEM, 2026, 9)
    assert [(r["unit"].code, [i.code for i in r["missing"]]) for r in rows] == [
        ("QHKFQ-WL", ["fai", "land_supply"])
    ]
    assert rows[0]["due"] == date(2026, 10, 5)
    c = client_for("duchashi")
    html = c.get("/targets/monthly/missing/", {"year": 2026, "month": 9}).content.decode()
    assert (
        "现代物流产业园" in html and "装备制造产业园" not in html.split('data-testid="missing"')[1]
    )
    c.post("/targets/monthly/remind/", {"unit": demo["QHKFQ-WL"].pk, "year": 2026, "month": 9})
    assert Reminder.objects.get().missing == ["fai", "land_supply"]
    r = c.post(
        "/targets/monthly/remind/",
        {"unit": demo["QHKFQ-ZB"].pk, "year": 2026, "month": 9},
        follow=True,
    )
    assert "无需催报" in r.content.decode()
    # a park sees its own line only; it cannot remind
    assert (
        client_for("wl_zhuren")
        .post("/targets/monthly/remind/", {"unit": demo["QHKFQ-WL"].pk, "year": 2026, "month": 9})
        .status_code
        == 403
    )

"""Agreements: progress against 序时进度 on hand-checked dates (leap year, custom profile),
forecast and required rate; signing with a scan, amendments as versions; bad input changes
nothing; every write audited."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from diaodu.audit.context import acting_as
from diaodu.audit.models import AuditEntry
from diaodu.audit.services import verify
from diaodu.org.scope import SYSTEM
from diaodu.projects.models import StageChange
from diaodu.targets import queries, services
from diaodu.targets.models import TargetAgreement

SEASON = [2, 2, 6, 10, 12, 12, 12, 12, 12, 10, 6, 4]


def test_leap_year_custom_profile_progress(demo, inds, agreement_for, project_with_history):
    """2028 is a leap year. With the construction-season profile, 29 February closes February:
    expected share (2+2)/100 = 4 %; on 15 February it is 2 % + 2 % × 15/29."""
    a = agreement_for(
        "QHKFQ-WL",
        {"new_starts": 100, "signings": 366},
        year=2028,
        sign=False,
        item_pace={"new_starts": SEASON},
    )
    # three starts of 2028 (the history is written as it would be once those days have come)
    for i, on in enumerate([date(2028, 1, 15), date(2028, 2, 10), date(2028, 2, 29)]):
        p = project_with_history(f"二〇二八年开工{i}", [("preparing", date(2027, 12, 1))])
        StageChange.objects.create(
            project=p, from_stage="preparing", to_stage="under_construction", on=on
        )
    rows = {r.indicator.code: r for r in queries.agreement_rows(SYSTEM, [a], date(2028, 2, 29))}
    starts = rows["new_starts"].result
    assert rows["new_starts"].actual == 3
    assert starts.expected == Decimal("4.00")
    assert starts.pace_index == Decimal("0.7500") and starts.light == "yellow"
    assert starts.forecast_year_end == Decimal("75.00")  # 3 / 4 %
    assert starts.days_left == 306  # 1 March … 31 December 2028
    assert starts.required_per_week == 3  # 97 / (306/7) = 2.22 → rounded up for counts
    assert starts.required_per_month == 10  # 97 / (306 × 12/366) = 9.67 → 10
    assert starts.message == "还剩306天，需每周新开工3个"
    # the signings item follows the agreement's linear profile: day 60 of 366
    assert rows["signings"].result.expected == Decimal("60.00")
    mid = {r.indicator.code: r for r in queries.agreement_rows(SYSTEM, [a], date(2028, 2, 15))}[
        "new_starts"
    ]
    assert mid.result.expected == Decimal("3.03")  # 100 × (0.02 + 0.02 × 15/29) = 3.0345
    assert mid.actual == 2


def test_forecast_and_required_rate_for_entered_values(demo, inds, agreement_for, enter):
    a = agreement_for("QHKFQ-WL", {"fai": 12})
    enter("QHKFQ-WL", "fai", {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6})
    row = queries.agreement_rows(SYSTEM, [a], date(2026, 11, 1))[0]
    # entered figures are judged at the end of their latest month: 30 June (day 181 of 365)
    assert row.figure.as_of == date(2026, 6, 30) and row.figure.data_month == 6
    assert row.result.expected == Decimal("5.95")  # 12 × 181/365
    assert row.result.forecast_year_end == Decimal("12.10")  # 6 / (181/365)
    # …but the time left counts from the page's date, as every other figure's does
    assert row.result.days_left == 60
    assert row.result.required_per_week == Decimal("0.70")  # 6 / (60/7)
    assert row.result.light == "green"


def test_sign_scan_amend_versions(demo, inds, agreement_for, person):
    a = agreement_for("QHKFQ-WL", {"new_starts": 5, "fai": 7.8}, sign=False)
    pdf = SimpleUploadedFile("责任状签字版.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    duchashi = person("duchashi")
    with acting_as(duchashi):
        a = services.sign_agreement(
            duchashi, a, signed_on=date(2026, 3, 12), signatory="王建国", scan=pdf
        )
    assert a.status == "signed" and a.scan and a.scan_name == "责任状签字版.pdf"
    with acting_as(duchashi), pytest.raises(ValidationError):
        services.update_agreement(duchashi, a, items=[{"indicator": inds["fai"], "target": "9"}])
    with acting_as(duchashi):
        v2 = services.amend_agreement(duchashi, a, reason="规划调整")
    assert v2.version == 2 and v2.status == "draft" and v2.items.count() == 2
    assert [x.pk for x in queries.effective_agreements(duchashi, 2026)] == [
        a.pk
    ]  # v1 in force until v2 is signed
    with acting_as(duchashi):
        services.update_agreement(
            duchashi,
            v2,
            items=[
                {"indicator": inds["new_starts"], "target": "6"},
                {"indicator": inds["fai"], "target": "7.8"},
            ],
        )
        services.sign_agreement(duchashi, v2, signed_on=date(2026, 7, 1))
    a.refresh_from_db()
    assert a.status == "superseded"
    assert [x.pk for x in queries.effective_agreements(duchashi, 2026)] == [v2.pk]
    actions = list(
        AuditEntry.objects.filter(object_type="targets.targetagreement").values_list(
            "action", flat=True
        )
    )
    assert {
        "agreement.create",
        "agreement.sign",
        "agreement.amend",
        "agreement.update",
        "agreement.supersede",
    } <= set(actions)
    assert verify().ok


BAD_ITEMS = [
    ([{"indicator": "fai", "target": "abc"}], "应为数字"),
    ([{"indicator": "fai", "target": "-1"}], "不能小于0"),
    ([{"indicator": "fai", "target": "1"}, {"indicator": "fai", "target": "2"}], "重复"),
    ([{"indicator": "nope", "target": "1"}], "指标不存在"),
    ([], "至少需要一项指标"),
]


def test_bad_agreement_changes_nothing(demo, inds):
    before = (TargetAgreement.objects.count(), AuditEntry.objects.count())
    for items, needle in BAD_ITEMS:
        with acting_as(None), pytest.raises(ValidationError) as exc:
            services.create_agreement(SYSTEM, unit=demo["QHKFQ-WL"], year=2026, items=items)
        assert needle in " ".join(exc.value.messages)
        assert (TargetAgreement.objects.count(), AuditEntry.objects.count()) == before


def test_agreement_rules_and_permissions(demo, inds, agreement_for, person):
    agreement_for("QHKFQ-WL", {"fai": 1})
    with acting_as(None), pytest.raises(ValidationError, match="已有2026年目标责任状"):
        services.create_agreement(
            SYSTEM,
            unit=demo["QHKFQ-WL"],
            year=2026,
            items=[{"indicator": inds["fai"], "target": 1}],
        )
    with acting_as(None), pytest.raises(ValidationError, match="12个月度权重"):
        services.create_agreement(
            SYSTEM,
            unit=demo["QHKFQ-ZB"],
            year=2026,
            pace_kind="custom",
            pace_weights=[1, 2, 3],
            items=[{"indicator": inds["fai"], "target": 1}],
        )
    with pytest.raises(PermissionDenied):  # a leader may read but not manage
        services.create_agreement(
            person("quzhang"),
            unit=demo["QHKFQ-ZB"],
            year=2026,
            items=[{"indicator": inds["fai"], "target": 1}],
        )
    zb = agreement_for("QHKFQ-ZB", {"fai": 1}, sign=False)
    with acting_as(None), pytest.raises(ValidationError, match="不能晚于今天"):
        services.sign_agreement(SYSTEM, zb, signed_on=date(2099, 1, 1))
    bad = SimpleUploadedFile("scan.exe", b"MZ", content_type="application/octet-stream")
    with acting_as(None), pytest.raises(ValidationError, match="PDF"):
        services.sign_agreement(SYSTEM, zb, signed_on=date(2026, 3, 1), scan=bad)
    zb.refresh_from_db()
    assert zb.status == "draft"


def test_profile_by_indicator_monthly_reported_by_month_ledger_counts_by_day(
    demo, inds, agreement_for, enter, client_for
):
    """An agreement "按指标报送方式" (the default of a new 责任状): figures reported monthly
    (固定资产投资, entered) follow the statistics office's whole months — 9/12 = 75 % on
    30 September, not 273/365 = 74.79 % — while counts taken from the ledger day by day
    (新开工) stay by day; the cockpit says which profile each figure uses."""
    from diaodu.targets.models import PaceKind

    assert TargetAgreement._meta.get_field("pace_kind").default == PaceKind.AUTO
    with acting_as(None):  # a new 责任状 follows the indicators unless told otherwise
        plain = services.create_agreement(
            SYSTEM,
            unit=demo["QHKFQ-SM"],
            year=2026,
            items=[{"indicator": inds["fai"], "target": 5}],
        )
    assert plain.pace_kind == PaceKind.AUTO
    assert queries.agreement_rows(SYSTEM, [plain], date(2026, 9, 30))[0].profile.kind == "monthly"
    form = client_for("duchashi").get("/targets/agreements/new/").content.decode()
    assert re.search(r'<option value="auto"[^>]*selected', form)
    a = agreement_for("QHKFQ-WL", {"fai": 12, "new_starts": 365}, pace_kind="auto")
    enter("QHKFQ-WL", "fai", {m: m for m in range(1, 10)})  # 9 by the end of September
    rows = {r.indicator.code: r for r in queries.agreement_rows(SYSTEM, [a], date(2026, 9, 30))}
    fai, starts = rows["fai"], rows["new_starts"]
    assert fai.profile.kind == "monthly" and starts.profile.kind == "linear_days"
    assert fai.result.share == Decimal(9) / Decimal(12)
    assert fai.result.expected == Decimal("9.00")
    assert fai.result.pace_index == Decimal("1.0000")
    assert fai.result.months_left == 3  # October, November, December
    assert fai.result.required_per_month == Decimal("1.00")  # (12 − 9) / 3
    assert fai.result.message == "还剩3个月，需每月完成1亿元"
    assert starts.result.expected == Decimal("273.00")  # day 273 of 365
    # an item may still choose by day explicitly
    b = agreement_for("QHKFQ-ZB", {"fai": 12}, pace_kind="linear_days")
    assert queries.agreement_rows(SYSTEM, [b], date(2026, 9, 30))[0].profile.kind == "linear_days"
    page = client_for("wl_zhuren").get("/targets/cockpit/?year=2026").content.decode()
    badges = re.findall(
        r'data-indicator="(\w+)".*?data-testid="pace-profile" title="[^"]+">([^<]+)<', page, re.S
    )
    assert dict(badges) == {"fai": "按月序时", "new_starts": "按天序时"}

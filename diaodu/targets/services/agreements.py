"""Target agreements (目标责任书): create, edit, sign, scan and amend."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from diaodu import clock, uploads
from diaodu.audit.services import record, snapshot
from diaodu.engine import pace
from diaodu.org.models import Unit
from diaodu.org.scope import require
from diaodu.targets.models import (
    AgreementItem,
    Indicator,
    PaceKind,
    TargetAgreement,
)

from .common import SCAN_EXTS, _actor, _check_unit, _year, parse_decimal


# ---------------------------------------------------------------- agreements
def _clean_weights(kind: str, weights, label: str = "") -> list[str]:
    if kind not in PaceKind.values:
        raise ValidationError({"pace_kind": f"{label}序时进度口径无效。"})
    if kind != PaceKind.CUSTOM:
        return []
    try:
        if weights is None or len(weights) != 12:
            raise ValueError("自定义序时进度口径需要恰好12个月度权重")
        values = [parse_decimal(w, f"{i}月权重") for i, w in enumerate(weights, 1)]
        pace.PaceProfile.custom(values)
    except (ValueError, TypeError) as exc:
        raise ValidationError({"pace_weights": f"{label}{exc}"}) from None
    return [str(v.normalize()) for v in values]


def _clean_items(items: list[dict]) -> list[dict]:
    if not items:
        raise ValidationError({"items": "责任状至少需要一项指标。"})
    errors = []
    seen = set()
    out = []
    for n, raw in enumerate(items, 1):
        ind = raw.get("indicator")
        if not isinstance(ind, Indicator):
            ind = (
                Indicator.objects.filter(pk=ind).first()
                if str(ind or "").isdigit()
                else Indicator.objects.filter(code=ind).first()
            )
        if ind is None:
            errors.append(f"第{n}项：指标不存在。")
            continue
        if not ind.is_active:
            errors.append(f"第{n}项：指标“{ind.name}”已停用。")
        if ind.pk in seen:
            errors.append(f"第{n}项：指标“{ind.name}”重复。")
        seen.add(ind.pk)
        try:
            target = parse_decimal(raw.get("target"), f"“{ind.name}”的年度目标")
            weight = parse_decimal(raw.get("weight") or 0, f"“{ind.name}”的权重", places=2)
            if weight > 100:
                raise ValueError(f"“{ind.name}”的权重不能超过100。")
        except ValueError as exc:
            errors.append(f"第{n}项：{exc}")
            continue
        kind = raw.get("pace_kind") or ""
        weights: list = []
        if kind:
            try:
                weights = _clean_weights(kind, raw.get("pace_weights"), f"“{ind.name}”的")
            except ValidationError as exc:
                errors.append(f"第{n}项：{'；'.join(exc.messages)}")
                continue
        out.append(
            {
                "indicator": ind,
                "target": target,
                "weight": weight,
                "pace_kind": kind,
                "pace_weights": weights,
                "note": (raw.get("note") or "").strip()[:200],
            }
        )
    if errors:
        raise ValidationError({"items": errors})
    return out


def _agreement_snapshot(a: TargetAgreement) -> dict:
    data = snapshot(a, exclude=("created_at", "updated_at"))
    data["items"] = (
        [
            f"{i.indicator.code}:{i.target.normalize()}:{i.weight.normalize()}"
            for i in a.items.select_related("indicator").order_by("sort_order", "id")
        ]
        if a.pk
        else []
    )
    return data


def _write_items(agreement: TargetAgreement, items: list[dict]) -> None:
    agreement.items.all().delete()
    AgreementItem.objects.bulk_create(
        [AgreementItem(agreement=agreement, sort_order=n, **item) for n, item in enumerate(items)]
    )


@transaction.atomic
def create_agreement(
    by,
    *,
    unit: Unit,
    year,
    items: list[dict],
    title: str = "",
    pace_kind: str = PaceKind.AUTO,
    pace_weights=None,
    note: str = "",
) -> TargetAgreement:
    require(by, "targets.manage")
    _check_unit(by, unit)
    year = _year(year)
    if TargetAgreement.objects.filter(unit=unit, year=year).exists():
        raise ValidationError(
            {"year": f"“{unit.name}”已有{year}年目标责任状，请在原责任状上修订。"}
        )
    weights = _clean_weights(pace_kind, pace_weights)
    clean = _clean_items(items)
    a = TargetAgreement.objects.create(
        unit=unit,
        year=year,
        version=1,
        title=(title or "").strip()[:120],
        pace_kind=pace_kind,
        pace_weights=weights,
        note=(note or "").strip()[:300],
        created_by=_actor(by),
    )
    _write_items(a, clean)
    record("agreement.create", a, after=_agreement_snapshot(a), only_changes=False)
    return a


def _locked(by, agreement: TargetAgreement) -> TargetAgreement:
    require(by, "targets.manage")
    _check_unit(by, agreement.unit)
    return TargetAgreement.objects.select_for_update().select_related("unit").get(pk=agreement.pk)


@transaction.atomic
def update_agreement(
    by,
    agreement: TargetAgreement,
    *,
    items: list[dict],
    title: str | None = None,
    pace_kind: str | None = None,
    pace_weights=None,
    note: str | None = None,
) -> TargetAgreement:
    a = _locked(by, agreement)
    if a.status != TargetAgreement.Status.DRAFT:
        raise ValidationError("已签订的责任状不能直接修改，请发起修订（生成新版本）。")
    before = _agreement_snapshot(a)
    if pace_kind is not None:
        a.pace_weights = _clean_weights(pace_kind, pace_weights)
        a.pace_kind = pace_kind
    clean = _clean_items(items)
    if title is not None:
        a.title = title.strip()[:120]
    if note is not None:
        a.note = note.strip()[:300]
    a.save()
    _write_items(a, clean)
    record("agreement.update", a, before=before, after=_agreement_snapshot(a))
    return a


def _check_scan(upload) -> None:
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith(SCAN_EXTS):
        raise ValidationError({"scan": "扫描件须为 PDF、JPG 或 PNG 文件。"})
    if uploads.over_limit(upload):
        raise ValidationError(
            {
                "scan": f"扫描件过大（{uploads.size_text(upload.size)}），"
                f"上限 {uploads.limit_text()}。"
            }
        )
    if upload.size == 0:
        raise ValidationError({"scan": "扫描件是空文件。"})


@transaction.atomic
def sign_agreement(
    by, agreement: TargetAgreement, *, signed_on: date, signatory: str = "", scan=None
) -> TargetAgreement:
    a = _locked(by, agreement)
    if a.status != TargetAgreement.Status.DRAFT:
        raise ValidationError("只有草拟状态的责任状可以签订。")
    if signed_on is None:
        raise ValidationError({"signed_on": "请填写签订日期。"})
    if signed_on > clock.today():
        raise ValidationError({"signed_on": "签订日期不能晚于今天。"})
    if signed_on.year not in (a.year - 1, a.year):
        raise ValidationError({"signed_on": f"签订日期应在{a.year - 1}年或{a.year}年内。"})
    if not a.items.exists():
        raise ValidationError("责任状没有指标，不能签订。")
    if scan is not None:
        _check_scan(scan)
    before = _agreement_snapshot(a)
    previous = list(
        TargetAgreement.objects.select_for_update()
        .filter(unit=a.unit, year=a.year, status=TargetAgreement.Status.SIGNED)
        .exclude(pk=a.pk)
    )
    for old in previous:
        old_before = snapshot(old, ["status"])
        old.status = TargetAgreement.Status.SUPERSEDED
        old.save(update_fields=["status", "updated_at"])
        record("agreement.supersede", old, before=old_before, after=snapshot(old, ["status"]))
    a.status = TargetAgreement.Status.SIGNED
    a.signed_on = signed_on
    a.signatory = (signatory or "").strip()[:60]
    if scan is not None:
        a.scan.save(f"agreement-{a.pk}-v{a.version}{_ext(scan.name)}", scan, save=False)
        a.scan_name = scan.name[:200]
    a.save()
    record("agreement.sign", a, before=before, after=_agreement_snapshot(a))
    return a


def _ext(name: str) -> str:
    name = name.lower()
    return next((e for e in SCAN_EXTS if name.endswith(e)), "")


@transaction.atomic
def attach_scan(by, agreement: TargetAgreement, scan) -> TargetAgreement:
    a = _locked(by, agreement)
    if scan is None:
        raise ValidationError({"scan": "请选择扫描件。"})
    _check_scan(scan)
    before = snapshot(a, ["scan", "scan_name"])
    a.scan.save(f"agreement-{a.pk}-v{a.version}{_ext(scan.name)}", scan, save=False)
    a.scan_name = scan.name[:200]
    a.save(update_fields=["scan", "scan_name", "updated_at"])
    record("agreement.scan", a, before=before, after=snapshot(a, ["scan", "scan_name"]))
    return a


@transaction.atomic
def amend_agreement(by, agreement: TargetAgreement, *, reason: str) -> TargetAgreement:
    """Start an amendment: a new draft version with the same items. The signed version stays in
    force until the amendment is signed."""
    a = _locked(by, agreement)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"amendment_reason": "请填写修订原因。"})
    if a.status != TargetAgreement.Status.SIGNED:
        raise ValidationError("只能对已签订且现行有效的责任状发起修订。")
    if TargetAgreement.objects.filter(
        unit=a.unit, year=a.year, status=TargetAgreement.Status.DRAFT
    ).exists():
        raise ValidationError("该单位本年度已有修订中的草稿，请先完成或签订该草稿。")
    version = (
        TargetAgreement.objects.filter(unit=a.unit, year=a.year).aggregate(v=Max("version"))["v"]
        or 0
    ) + 1
    new = TargetAgreement.objects.create(
        unit=a.unit,
        year=a.year,
        version=version,
        title=a.title,
        pace_kind=a.pace_kind,
        pace_weights=a.pace_weights,
        note=a.note,
        amendment_reason=reason[:300],
        created_by=_actor(by),
    )
    AgreementItem.objects.bulk_create(
        [
            AgreementItem(
                agreement=new,
                indicator_id=i.indicator_id,
                target=i.target,
                weight=i.weight,
                pace_kind=i.pace_kind,
                pace_weights=i.pace_weights,
                note=i.note,
                sort_order=i.sort_order,
            )
            for i in a.items.all()
        ]
    )
    record(
        "agreement.amend",
        new,
        after={**_agreement_snapshot(new), "from_version": a.version},
        only_changes=False,
    )
    return new

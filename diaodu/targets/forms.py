"""Forms parse and type the input; the services validate the rules and save."""

from __future__ import annotations

from django import forms

from diaodu.engine import stages as S
from diaodu.projects.models import Level, PlanCategory
from diaodu.targets.models import (
    AdjustmentSource,
    Aggregation,
    Direction,
    Measure,
    PaceKind,
    RuleKind,
    Source,
)


class IndicatorForm(forms.Form):
    code = forms.CharField(label="指标代码", max_length=32)
    name = forms.CharField(label="指标名称", max_length=60)
    category = forms.CharField(label="类别", max_length=20, required=False)
    measure = forms.ChoiceField(label="计量单位", choices=Measure.choices)
    direction = forms.ChoiceField(label="方向", choices=Direction.choices)
    source = forms.ChoiceField(label="数据来源", choices=Source.choices)
    aggregation = forms.ChoiceField(label="填报口径", choices=Aggregation.choices)
    stage = forms.ChoiceField(
        label="项目阶段（阶段计数）",
        choices=[("", "—")] + [(s, S.LABELS[s]) for s in S.MAIN_LINE],
        required=False,
    )
    plan_category = forms.ChoiceField(
        label="限年度类别", choices=[("", "不限")] + PlanCategory.choices, required=False
    )
    level = forms.ChoiceField(
        label="限项目级别", choices=[("", "不限")] + Level.choices, required=False
    )
    verb = forms.CharField(label="动作（提示语，如“新开工”）", max_length=12, required=False)
    is_economic = forms.BooleanField(label="经济指标（参与区域排名）", required=False)
    description = forms.CharField(label="说明", max_length=300, required=False)
    sort_order = forms.IntegerField(label="排序", required=False, initial=0)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)


def months_field(label="月度权重（12个数，逗号分隔）"):
    return forms.CharField(
        label=label,
        required=False,
        max_length=200,
        help_text="仅“自定义月度权重”使用，如北方施工季：2,2,6,10,12,12,12,12,12,10,6,4",
    )


def split_weights(text: str) -> list[str] | None:
    text = (text or "").replace("，", ",").replace(" ", ",")
    parts = [p for p in text.split(",") if p]
    return parts or None


class AgreementForm(forms.Form):
    unit = forms.TypedChoiceField(label="责任单位", coerce=int)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="名称", max_length=120, required=False)
    pace_kind = forms.ChoiceField(label="序时进度口径", choices=PaceKind.choices)
    pace_weights = months_field()
    note = forms.CharField(label="备注", max_length=300, required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]


class SignForm(forms.Form):
    signed_on = forms.DateField(label="签订日期")
    signatory = forms.CharField(label="签订人", max_length=60, required=False)
    scan = forms.FileField(label="签字扫描件（PDF/JPG/PNG）", required=False)


class ScanForm(forms.Form):
    scan = forms.FileField(label="签字扫描件（PDF/JPG/PNG）")


class AmendForm(forms.Form):
    reason = forms.CharField(label="修订原因", max_length=300)


class UploadForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")


class SchemeForm(forms.Form):
    root = forms.TypedChoiceField(label="考核范围（上级单位）", coerce=int)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    name = forms.CharField(label="方案名称", max_length=120)
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["root"].choices = [(u.pk, u.name) for u in units]


class CriterionForm(forms.Form):
    indicator = forms.TypedChoiceField(label="指标", coerce=int)
    weight = forms.DecimalField(label="权重（分）", max_digits=6, decimal_places=2)
    rule_kind = forms.ChoiceField(label="计分方法", choices=RuleKind.choices)
    cap = forms.DecimalField(
        label="封顶完成率（如 1.2）", max_digits=6, decimal_places=4, required=False
    )
    bands = forms.CharField(
        label="分档（完成率:得分比例，分号分隔，如 1:1;0.9:0.8;0.7:0.5）", required=False
    )
    rank_points = forms.CharField(label="名次得分（逗号分隔，如 20,18,16,14,12）", required=False)

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [(i.pk, f"{i.name}（{i.measure}）") for i in indicators]


def parse_bands(text: str) -> list[list[str]]:
    out = []
    for part in (text or "").replace("；", ";").replace("：", ":").split(";"):
        part = part.strip()
        if not part:
            continue
        if ":" not in part:
            raise ValueError(f"分档“{part}”应写成 完成率:得分比例。")
        a, b = part.split(":", 1)
        out.append([a.strip(), b.strip()])
    return out


class AdjustmentForm(forms.Form):
    code = forms.CharField(label="代码", max_length=32)
    name = forms.CharField(label="加减分项", max_length=60)
    points_each = forms.DecimalField(label="每项分值（扣分为负）", max_digits=6, decimal_places=2)
    cap = forms.DecimalField(
        label="上限（绝对值，可空）", max_digits=6, decimal_places=2, required=False
    )
    source = forms.ChoiceField(label="计数来源", choices=AdjustmentSource.choices)


class RunForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=[("monthly", "月度排名"), ("final", "年终考核")])
    month = forms.IntegerField(label="月份", min_value=1, max_value=12, required=False)

"""Forms parse and type the input; the services validate the rules and save."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from diaodu.cleanfields import CleanDateField, NumberField, WholeNumberField
from diaodu.engine import stages as S
from diaodu.i18n import tr_choices
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
    code = forms.CharField(label=gettext_lazy("指标代码"), max_length=32)
    name = forms.CharField(label=gettext_lazy("指标名称"), max_length=60)
    category = forms.CharField(label=gettext_lazy("类别"), max_length=20, required=False)
    measure = forms.ChoiceField(label=gettext_lazy("计量单位"), choices=tr_choices(Measure.choices))
    direction = forms.ChoiceField(label=gettext_lazy("方向"), choices=tr_choices(Direction.choices))
    source = forms.ChoiceField(label=gettext_lazy("数据来源"), choices=tr_choices(Source.choices))
    aggregation = forms.ChoiceField(
        label=gettext_lazy("填报口径"), choices=tr_choices(Aggregation.choices)
    )
    stage = forms.ChoiceField(
        label=gettext_lazy("项目阶段（阶段计数）"),
        choices=[("", "—")] + tr_choices([(s, S.LABELS[s]) for s in S.MAIN_LINE]),
        required=False,
    )
    plan_category = forms.ChoiceField(
        label=gettext_lazy("限年度类别"),
        choices=[("", gettext_lazy("不限"))] + tr_choices(PlanCategory.choices),
        required=False,
    )
    level = forms.ChoiceField(
        label=gettext_lazy("限项目级别"),
        choices=[("", gettext_lazy("不限"))] + tr_choices(Level.choices),
        required=False,
    )
    verb = forms.CharField(
        label=gettext_lazy("动作（提示语，如“新开工”）"), max_length=12, required=False
    )
    is_economic = forms.BooleanField(label=gettext_lazy("经济指标（参与区域排名）"), required=False)
    description = forms.CharField(label=gettext_lazy("说明"), max_length=300, required=False)
    sort_order = WholeNumberField(label=gettext_lazy("排序"), required=False, initial=0)
    is_active = forms.BooleanField(label=gettext_lazy("启用"), required=False, initial=True)


MONTHS_LABEL = gettext_lazy("月度权重（12个数，逗号分隔）")


def months_field(label=MONTHS_LABEL):
    return forms.CharField(
        label=label,
        required=False,
        max_length=200,
        help_text=gettext_lazy(
            "仅“自定义月度权重”使用，如北方施工季：2,2,6,10,12,12,12,12,12,10,6,4"
        ),
    )


def split_weights(text: str) -> list[str] | None:
    text = (text or "").replace("，", ",").replace(" ", ",")
    parts = [p for p in text.split(",") if p]
    return parts or None


class AgreementForm(forms.Form):
    unit = forms.TypedChoiceField(label=gettext_lazy("责任单位"), coerce=int)
    year = WholeNumberField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=gettext_lazy("名称"), max_length=120, required=False)
    pace_kind = forms.ChoiceField(
        label=gettext_lazy("序时进度口径"), choices=tr_choices(PaceKind.choices)
    )
    pace_weights = months_field()
    note = forms.CharField(label=gettext_lazy("备注"), max_length=300, required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]


class SignForm(forms.Form):
    signed_on = CleanDateField(label=gettext_lazy("签订日期"))
    signatory = forms.CharField(label=gettext_lazy("签订人"), max_length=60, required=False)
    scan = forms.FileField(label=gettext_lazy("签字扫描件（PDF/JPG/PNG）"), required=False)


class ScanForm(forms.Form):
    scan = forms.FileField(label=gettext_lazy("签字扫描件（PDF/JPG/PNG）"))


class AmendForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("修订原因"), max_length=300)


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"))


class SchemeForm(forms.Form):
    root = forms.TypedChoiceField(label=gettext_lazy("考核范围（上级单位）"), coerce=int)
    year = WholeNumberField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    name = forms.CharField(label=gettext_lazy("方案名称"), max_length=120)
    note = forms.CharField(
        label=gettext_lazy("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["root"].choices = [(u.pk, u.name) for u in units]


class CriterionForm(forms.Form):
    indicator = forms.TypedChoiceField(label=gettext_lazy("指标"), coerce=int)
    weight = NumberField(label=gettext_lazy("权重（分）"), max_digits=6, decimal_places=2)
    rule_kind = forms.ChoiceField(
        label=gettext_lazy("计分方法"), choices=tr_choices(RuleKind.choices)
    )
    cap = NumberField(
        label=gettext_lazy("封顶完成率（如 1.2）"), max_digits=6, decimal_places=4, required=False
    )
    bands = forms.CharField(
        label=gettext_lazy("分档（完成率:得分比例，分号分隔，如 1:1;0.9:0.8;0.7:0.5）"),
        required=False,
    )
    rank_points = forms.CharField(
        label=gettext_lazy("名次得分（逗号分隔，如 20,18,16,14,12）"), required=False
    )

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
    code = forms.CharField(label=gettext_lazy("代码"), max_length=32)
    name = forms.CharField(label=gettext_lazy("加减分项"), max_length=60)
    points_each = NumberField(
        label=gettext_lazy("每项分值（扣分为负）"),
        max_digits=6,
        decimal_places=2,
        clean_kwargs={"minimum": None},
    )
    cap = NumberField(
        label=gettext_lazy("上限（绝对值，可空）"), max_digits=6, decimal_places=2, required=False
    )
    source = forms.ChoiceField(
        label=gettext_lazy("计数来源"), choices=tr_choices(AdjustmentSource.choices)
    )


class RunForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("类型"), choices=[("monthly", "月度排名"), ("final", "年终考核")]
    )
    month = WholeNumberField(label=gettext_lazy("月份"), min_value=1, max_value=12, required=False)

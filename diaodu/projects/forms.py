"""Forms parse and type the input; the services validate the rules and save."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy, gettext_noop

from diaodu.cleanfields import (
    AmountField,
    CleanDateField,
    CleanTextField,
    NumberField,
    WholeNumberField,
)
from diaodu.engine import stages as S
from diaodu.i18n import tr_choices
from diaodu.projects.models import Level, PlanCategory
from diaodu.projects.services.fields import DATE_FIELDS


class ProjectForm(forms.Form):
    name = CleanTextField(label=gettext_lazy("项目名称"), max_length=200)
    national_code = forms.CharField(
        label=gettext_lazy("项目代码"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("全国投资项目在线审批监管平台赋码，格式 YYYY-RRRRRR-DD-TT-NNNNNN"),
    )
    unit = forms.TypedChoiceField(label=gettext_lazy("所属园区"), coerce=int)
    investor = forms.CharField(label=gettext_lazy("建设单位"), max_length=200, required=False)
    industry = forms.CharField(
        label=gettext_lazy("国民经济行业"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("如 C36 或 C3670 汽车制造业"),
    )
    level = forms.ChoiceField(
        label=gettext_lazy("项目级别"),
        choices=[("", "—")] + tr_choices(Level.choices),
        required=False,
    )
    plan_category = forms.ChoiceField(
        label=gettext_lazy("年度类别"),
        choices=[("", "—")] + tr_choices(PlanCategory.choices),
        required=False,
    )
    content_scale = forms.CharField(
        label=gettext_lazy("建设内容及规模"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    address = forms.CharField(label=gettext_lazy("建设地点"), max_length=200, required=False)
    latitude = NumberField(
        label=gettext_lazy("纬度"),
        required=False,
        max_digits=9,
        decimal_places=6,
        clean_kwargs={"minimum": None},
    )
    longitude = NumberField(
        label=gettext_lazy("经度"),
        required=False,
        max_digits=9,
        decimal_places=6,
        clean_kwargs={"minimum": None},
    )
    land_area_mu = NumberField(label=gettext_lazy("用地面积（亩）"), required=False, max_digits=12)
    total_investment = AmountField(label=gettext_lazy("总投资（万元）"), required=False)
    annual_plan_investment = AmountField(label=gettext_lazy("年度计划投资（万元）"), required=False)
    lead_officials = forms.TypedMultipleChoiceField(
        label=gettext_lazy("包保领导"), coerce=int, required=False
    )
    secretary = forms.TypedChoiceField(
        label=gettext_lazy("项目秘书"), coerce=int, required=False, empty_value=None
    )
    responsible_unit = forms.TypedChoiceField(
        label=gettext_lazy("责任单位"), coerce=int, required=False, empty_value=None
    )
    planned_signing_date = CleanDateField(label=gettext_lazy("计划签约"), required=False)
    planned_start_date = CleanDateField(label=gettext_lazy("计划开工"), required=False)
    planned_completion_date = CleanDateField(label=gettext_lazy("计划竣工"), required=False)
    planned_production_date = CleanDateField(label=gettext_lazy("计划投产"), required=False)
    actual_signing_date = CleanDateField(label=gettext_lazy("签约日期"), required=False)
    actual_start_date = CleanDateField(label=gettext_lazy("开工日期"), required=False)
    actual_completion_date = CleanDateField(label=gettext_lazy("竣工日期"), required=False)
    actual_production_date = CleanDateField(label=gettext_lazy("投产日期"), required=False)
    expected_output = AmountField(label=gettext_lazy("预计年产值（万元）"), required=False)
    expected_tax = AmountField(label=gettext_lazy("预计年税收（万元）"), required=False)
    expected_jobs = WholeNumberField(
        label=gettext_lazy("带动就业（人）"), required=False, min_value=0
    )
    progress_text = forms.CharField(
        label=gettext_lazy("形象进度"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    issues_text = forms.CharField(
        label=gettext_lazy("存在问题"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    remarks = forms.CharField(
        label=gettext_lazy("备注"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    GROUPS = [
        (
            gettext_noop("基本信息"),
            [
                "name",
                "national_code",
                "unit",
                "investor",
                "industry",
                "level",
                "plan_category",
                "content_scale",
                "address",
                "latitude",
                "longitude",
                "land_area_mu",
            ],
        ),
        (
            gettext_noop("投资"),
            [
                "total_investment",
                "annual_plan_investment",
                "expected_output",
                "expected_tax",
                "expected_jobs",
            ],
        ),
        (gettext_noop("责任"), ["lead_officials", "secretary", "responsible_unit"]),
        (
            gettext_noop("计划与实际时间"),
            list(DATE_FIELDS),
        ),
        (gettext_noop("进展"), ["progress_text", "issues_text", "remarks"]),
    ]
    DATA_FIELDS = [
        "name",
        "national_code",
        "investor",
        "industry",
        "level",
        "plan_category",
        "content_scale",
        "address",
        "latitude",
        "longitude",
        "land_area_mu",
        "total_investment",
        "annual_plan_investment",
        "planned_signing_date",
        "planned_start_date",
        "planned_completion_date",
        "planned_production_date",
        "actual_signing_date",
        "actual_start_date",
        "actual_completion_date",
        "actual_production_date",
        "expected_output",
        "expected_tax",
        "expected_jobs",
        "progress_text",
        "issues_text",
        "remarks",
    ]

    def __init__(self, *args, units=(), people=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, ("　" * max(u.depth - 1, 0)) + u.name) for u in units]
        people_choices = [(p.pk, p.name) for p in people]
        self.fields["lead_officials"].choices = people_choices
        self.fields["secretary"].choices = [("", "—")] + people_choices
        self.fields["responsible_unit"].choices = [("", "—")] + [
            (u.pk, u.name) for u in departments
        ]
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.Select, forms.SelectMultiple)):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            if isinstance(field, forms.DateField):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"
            if isinstance(field, (forms.DecimalField, forms.IntegerField)):
                widget.attrs["inputmode"] = "decimal"
                widget.attrs.pop("step", None)
        self.fields["lead_officials"].widget.attrs["size"] = 5

    def groups(self):
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def payload(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in self.DATA_FIELDS}


class StageForm(forms.Form):
    to_stage = forms.ChoiceField(
        label=gettext_lazy("变更为"), choices=tr_choices([(s, S.label(s)) for s in S.ALL])
    )
    # The date the event happened (签约、开工、竣工 …): typed by the person, never defaulted to
    # today; the service refuses a future date and one before the previous move.
    on = CleanDateField(
        label=gettext_lazy("发生日期"),
        error_messages={"required": gettext_lazy("请填写事项实际发生的日期（如实际开工日）。")},
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control", "required": True}, format="%Y-%m-%d"
        ),
    )
    note = forms.CharField(
        label=gettext_lazy("说明"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("原因（暂缓/终止必填）"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("台账文件（.xlsx）"))
    unit = forms.TypedChoiceField(label=gettext_lazy("导入到单位"), coerce=int)
    skip_errors = forms.BooleanField(
        label=gettext_lazy("跳过有错误的行，导入其余行"),
        required=False,
        help_text=gettext_lazy(
            "不勾选时，只要有一行错误就整份不写入；勾选后错误行在预检中列出并跳过。"
        ),
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, ("　" * max(u.depth - 1, 0)) + u.name) for u in units]
        self.fields["unit"].widget.attrs["class"] = "form-select"
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".xlsx"})
        self.fields["skip_errors"].widget.attrs["class"] = "form-check-input"

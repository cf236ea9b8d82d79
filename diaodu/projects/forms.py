"""Forms parse and type the input; the services validate the rules and save."""

from __future__ import annotations

from django import forms

from diaodu.cleanfields import AmountField, CleanDateField, CleanTextField, NumberField
from diaodu.engine import stages as S
from diaodu.projects.models import Level, PlanCategory


class ProjectForm(forms.Form):
    name = CleanTextField(label="项目名称", max_length=200)
    national_code = forms.CharField(
        label="项目代码",
        max_length=40,
        required=False,
        help_text="全国投资项目在线审批监管平台赋码，格式 YYYY-RRRRRR-DD-TT-NNNNNN",
    )
    unit = forms.TypedChoiceField(label="所属园区", coerce=int)
    investor = forms.CharField(label="建设单位", max_length=200, required=False)
    industry = forms.CharField(
        label="国民经济行业", max_length=100, required=False, help_text="如 C36 或 C3670 汽车制造业"
    )
    level = forms.ChoiceField(label="项目级别", choices=[("", "—")] + Level.choices, required=False)
    plan_category = forms.ChoiceField(
        label="年度类别", choices=[("", "—")] + PlanCategory.choices, required=False
    )
    content_scale = forms.CharField(
        label="建设内容及规模", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    address = forms.CharField(label="建设地点", max_length=200, required=False)
    latitude = NumberField(
        label="纬度", required=False, max_digits=9, decimal_places=6, clean_kwargs={"minimum": None}
    )
    longitude = NumberField(
        label="经度", required=False, max_digits=9, decimal_places=6, clean_kwargs={"minimum": None}
    )
    land_area_mu = NumberField(label="用地面积（亩）", required=False, max_digits=12)
    total_investment = AmountField(label="总投资（万元）", required=False)
    annual_plan_investment = AmountField(label="年度计划投资（万元）", required=False)
    lead_officials = forms.TypedMultipleChoiceField(label="包保领导", coerce=int, required=False)
    secretary = forms.TypedChoiceField(
        label="项目秘书", coerce=int, required=False, empty_value=None
    )
    responsible_unit = forms.TypedChoiceField(
        label="责任单位", coerce=int, required=False, empty_value=None
    )
    planned_signing_date = CleanDateField(label="计划签约", required=False)
    planned_start_date = CleanDateField(label="计划开工", required=False)
    planned_completion_date = CleanDateField(label="计划竣工", required=False)
    planned_production_date = CleanDateField(label="计划投产", required=False)
    actual_signing_date = CleanDateField(label="签约日期", required=False)
    actual_start_date = CleanDateField(label="开工日期", required=False)
    actual_completion_date = CleanDateField(label="竣工日期", required=False)
    actual_production_date = CleanDateField(label="投产日期", required=False)
    expected_output = AmountField(label="预计年产值（万元）", required=False)
    expected_tax = AmountField(label="预计年税收（万元）", required=False)
    expected_jobs = forms.IntegerField(label="带动就业（人）", required=False, min_value=0)
    progress_text = forms.CharField(
        label="形象进度", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    issues_text = forms.CharField(
        label="存在问题", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    remarks = forms.CharField(
        label="备注", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    GROUPS = [
        (
            "基本信息",
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
            "投资",
            [
                "total_investment",
                "annual_plan_investment",
                "expected_output",
                "expected_tax",
                "expected_jobs",
            ],
        ),
        ("责任", ["lead_officials", "secretary", "responsible_unit"]),
        (
            "计划与实际时间",
            [
                "planned_signing_date",
                "planned_start_date",
                "planned_completion_date",
                "planned_production_date",
                "actual_signing_date",
                "actual_start_date",
                "actual_completion_date",
                "actual_production_date",
            ],
        ),
        ("进展", ["progress_text", "issues_text", "remarks"]),
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
    to_stage = forms.ChoiceField(label="变更为", choices=[(s, S.label(s)) for s in S.ALL])
    # The date the event happened (签约、开工、竣工 …): typed by the person, never defaulted to
    # today; the service refuses a future date and one before the previous move.
    on = forms.DateField(
        label="发生日期",
        error_messages={"required": "请填写事项实际发生的日期（如实际开工日）。"},
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control", "required": True}, format="%Y-%m-%d"
        ),
    )
    note = forms.CharField(
        label="说明",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    reason = forms.CharField(
        label="原因（暂缓/终止必填）",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label="台账文件（.xlsx）")
    unit = forms.TypedChoiceField(label="导入到单位", coerce=int)
    skip_errors = forms.BooleanField(
        label="跳过有错误的行，导入其余行",
        required=False,
        help_text="不勾选时，只要有一行错误就整份不写入；勾选后错误行在预检中列出并跳过。",
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, ("　" * max(u.depth - 1, 0)) + u.name) for u in units]
        self.fields["unit"].widget.attrs["class"] = "form-select"
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".xlsx"})
        self.fields["skip_errors"].widget.attrs["class"] = "form-check-input"

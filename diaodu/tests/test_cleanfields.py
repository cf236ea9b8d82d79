"""Forms and API schemas clean input with the engine's cleaning functions (one set of rules)."""

from datetime import date
from decimal import Decimal

import pytest
from django import forms
from ninja import Schema
from pydantic import ValidationError as SchemaError

from diaodu.cleanfields import (
    AmountField,
    CleanDateField,
    CleanTextField,
    NumberField,
    cleaned,
    plain_label,
)
from diaodu.engine import cleaning


class F(forms.Form):
    name = CleanTextField(label="项目名称", max_length=200)
    total = AmountField(label="总投资（万元）", required=False)
    area = NumberField(label="用地面积（亩）", required=False)
    start = CleanDateField(label="计划开工", required=False)


def test_form_fields_read_what_offices_type():
    f = F({"name": " 冷链物流园 ", "total": "1.5亿", "area": "１２３．５", "start": "2026年3月5日"})
    assert f.is_valid(), f.errors
    assert f.cleaned_data == {
        "name": "冷链物流园",
        "total": Decimal("15000.00"),
        "area": Decimal("123.50"),
        "start": date(2026, 3, 5),
    }


def test_form_errors_are_chinese_and_name_the_field():
    f = F({"name": "冷链\x00物流园", "total": "三百", "area": "-1", "start": "明年"})
    assert not f.is_valid()
    assert "「项目名称」含有不可见的控制字符（NUL）" in f.errors["name"][0]
    assert f.errors["total"][0].startswith("总投资应为数字（万元）")
    assert f.errors["area"] == ["用地面积不能为负数。"]
    assert f.errors["start"][0].startswith("计划开工格式应为 YYYY-MM-DD")
    assert plain_label("年度计划投资（万元）") == "年度计划投资"


class In(Schema):
    total: cleaned(cleaning.amount, "总投资", Decimal | None, minimum=None) = None
    on: cleaned(cleaning.date_value, "开工日期", date | None) = None


def test_schema_types_clean_before_validation():
    assert In(total="3000万", on="2026/6/1").model_dump() == {
        "total": Decimal("3000.00"),
        "on": date(2026, 6, 1),
    }
    assert In(total=None).total is None
    assert In(total="-5").total == Decimal("-5.00")  # bounds are the service's
    with pytest.raises(SchemaError, match="总投资应为数字"):
        In(total="很多")
    schema = In.model_json_schema()["properties"]
    assert "anyOf" in schema["total"] and "anyOf" in schema["on"]

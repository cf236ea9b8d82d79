"""The ledger's vocabulary: canonical fields, their Chinese labels and unit factors."""

from __future__ import annotations

import re
from decimal import Decimal

# --------------------------------------------------------------------------------------
# Public vocabulary
# --------------------------------------------------------------------------------------

#: Canonical field -> the Chinese column label written by :func:`write_ledger`.
#: The order of this dict is the default column order of the written ledger.
FIELD_LABELS: dict[str, str] = {
    "name": "项目名称",
    "national_code": "项目代码",
    "investor": "建设单位",
    "content_scale": "建设内容及规模",
    "industry": "所属行业",
    "unit_name": "所属园区",
    "address": "建设地点",
    "longitude": "经度",
    "latitude": "纬度",
    "land_area_mu": "用地面积（亩）",
    "total_investment": "总投资（万元）",
    "annual_plan_investment": "年度计划投资（万元）",
    "completed_this_year": "本年完成",
    "completed_since_start": "自开工累计",
    "plan_category": "项目类别",
    "level": "项目级别",
    "stage": "项目阶段",
    "planned_signing_date": "计划签约时间",
    "actual_signing_date": "签约时间",
    "planned_start_date": "计划开工时间",
    "actual_start_date": "实际开工时间",
    "planned_completion_date": "计划竣工时间",
    "actual_completion_date": "实际竣工时间",
    "planned_production_date": "计划投产时间",
    "actual_production_date": "实际投产时间",
    "expected_output": "预计年产值（万元）",
    "expected_tax": "预计年税收（万元）",
    "expected_jobs": "带动就业（人）",
    "lead_officials": "包保领导",
    "secretary": "项目秘书",
    "responsible_unit": "责任单位",
    "progress_text": "形象进度",
    "issues_text": "存在问题",
    "remarks": "备注",
}

#: plan_category value -> Chinese label (also the section title stem).
PLAN_CATEGORY_LABELS: dict[str, str] = {
    "new_start": "新开工",
    "continuing": "续建",
    "completing": "竣工投产",
    "reserve": "前期储备",
}

#: level value -> Chinese label.
LEVEL_LABELS: dict[str, str] = {"province": "省重点", "city": "市重点", "district": "区重点"}

#: GB/T 40058-2021 project code: YYYY-RRRRRR-DD-TT-NNNNNN (24 characters).
NATIONAL_CODE_RE = re.compile(r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$")

MONEY_FIELDS = (
    "total_investment",
    "annual_plan_investment",
    "completed_this_year",
    "completed_since_start",
    "expected_output",
    "expected_tax",
)
DATE_FIELDS = (
    "planned_signing_date",
    "planned_start_date",
    "planned_completion_date",
    "planned_production_date",
    "actual_signing_date",
    "actual_start_date",
    "actual_completion_date",
    "actual_production_date",
)
TEXT_FIELDS = (
    "name",
    "investor",
    "content_scale",
    "industry",
    "unit_name",
    "address",
    "stage",
    "secretary",
    "responsible_unit",
    "progress_text",
    "issues_text",
    "remarks",
)
#: Amount columns whose 小计/合计 rows are checked against the rows they cover.
CHECKED_SUM_FIELDS = ("total_investment", "annual_plan_investment")
#: Amount columns that write_ledger sums in 小计/合计 rows.
WRITTEN_SUM_FIELDS = (
    "total_investment",
    "annual_plan_investment",
    "completed_this_year",
    "completed_since_start",
)

_SEQ = "_seq"
_WAN = Decimal(1)
_YI = Decimal(10000)
_YUAN = Decimal("0.0001")
_HECTARE = Decimal(15)
_SQUARE_METRE = Decimal("0.0015")
_CN_NUMERALS = "一二三四五六七八九十"

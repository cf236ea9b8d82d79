"""The standard indicator catalogue and the permission keys of the built-in roles, loaded by data
migrations (idempotent: only what is missing is added; edits are never overwritten)."""
from __future__ import annotations

# code, name, category, measure, direction, source, aggregation, stage, plan_category, level, verb, economic, desc
INDICATORS = [
    ("new_starts", "新开工项目", "项目建设", "个", "higher", "stage_count", "ytd", "under_construction", "", "",
     "新开工", False, "年内首次开工（进入“在建”）的项目"),
    ("signings", "签约项目", "招商引资", "个", "higher", "stage_count", "ytd", "signed", "", "", "签约", False,
     "年内签订投资协议的项目"),
    ("negotiating", "在谈项目", "招商引资", "个", "higher", "stage_count", "ytd", "negotiating", "", "", "新增在谈",
     False, "年内进入实质性洽谈的项目"),
    ("completions", "竣工项目", "项目建设", "个", "higher", "stage_count", "ytd", "completed", "", "", "竣工", False,
     "年内竣工验收的项目"),
    ("investment_done", "项目完成投资", "项目建设", "万元", "higher", "investment", "ytd", "", "", "", "完成投资",
     False, "重点项目本年完成投资合计"),
    ("problems_on_time", "问题按期办结", "营商环境", "个", "higher", "problems_on_time", "ytd", "", "", "", "按期办结",
     False, "年内按期办结的项目问题（督查模块）"),
    ("fai", "固定资产投资", "经济运行", "亿元", "higher", "entered", "ytd", "", "", "", "完成", True,
     "统计部门口径，1月至本月累计"),
    ("industry_va", "规上工业增加值", "经济运行", "亿元", "higher", "entered", "ytd", "", "", "", "实现", True,
     "规模以上工业增加值，1月至本月累计"),
    ("budget_revenue", "一般公共预算收入", "经济运行", "亿元", "higher", "entered", "ytd", "", "", "", "实现", True,
     "财政部门口径，1月至本月累计"),
    ("fdi", "实际利用外资", "经济运行", "万美元", "higher", "entered", "ytd", "", "", "", "实际利用", True,
     "商务部门口径，1月至本月累计"),
    ("land_supply", "征供地", "土地保障", "公顷", "higher", "entered", "ytd", "", "", "", "征供地", False,
     "自然资源部门口径，1月至本月累计"),
]

ROLE_GRANTS = {
    "leader": ["targets.view", "cockpit.view", "assessment.export"],
    "supervisor": ["targets.view", "targets.manage", "targets.enter", "cockpit.view", "assessment.export"],
    "park_staff": ["targets.view", "targets.enter", "cockpit.view"],
}


def seed_indicators(apps=None) -> int:
    if apps is None:
        from django.apps import apps as django_apps
        apps = django_apps
    Indicator = apps.get_model("targets", "Indicator")
    created = 0
    for order, (code, name, cat, measure, direction, source, agg, stage, pcat, level, verb, eco, desc) in \
            enumerate(INDICATORS):
        _, new = Indicator.objects.get_or_create(code=code, defaults={
            "name": name, "category": cat, "measure": measure, "direction": direction, "source": source,
            "aggregation": agg, "stage": stage, "plan_category": pcat, "level": level, "verb": verb,
            "is_economic": eco, "description": desc, "sort_order": (order + 1) * 10})
        created += new
    return created


def grant_role_keys(apps=None) -> None:
    from diaodu.org.builtin import grant_keys

    grant_keys(ROLE_GRANTS, apps)

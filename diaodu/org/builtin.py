"""Built-in roles and seed dictionaries, loaded by a data migration (idempotent)."""

from __future__ import annotations

BUILTIN_ROLES = [
    # code, name, scope, permissions, description
    (
        "sysadmin",
        "系统管理员",
        1,
        ["sys.units", "sys.people", "sys.dicts", "sys.calendar"],
        "三员之一：管理单位、人员账号与系统配置，不能授权、不能查审计、不能改业务数据",
    ),
    (
        "secadmin",
        "安全管理员",
        1,
        ["sec.roles", "sec.grants", "sec.unlock"],
        "三员之一：管理角色权限与安全策略，为人员授权、解锁",
    ),
    (
        "auditadmin",
        "审计管理员",
        1,
        ["audit.view", "audit.logins"],
        "三员之一：查阅审计日志与登录日志",
    ),
    (
        "leader",
        "领导",
        4,
        [
            "units.view",
            "people.view",
            "projects.view",
            "projects.export",
            "problems.raise",
            "problems.assign",
            "lights.override",
            "bulletins.export",
            "targets.view",
            "cockpit.view",
            "assessment.export",
            "tasks.view",
        ],
        "区/开发区/园区领导：查看本单位及以下的项目与指标",
    ),
    (
        "supervisor",
        "督查室",
        1,
        [
            "units.view",
            "people.view",
            "projects.view",
            "projects.change",
            "projects.stage",
            "projects.import",
            "projects.export",
            "procedures.templates",
            "notify.channels",
            "reports.file",
            "reports.review",
            "problems.raise",
            "problems.assign",
            "problems.handle",
            "lights.override",
            "meetings.manage",
            "bulletins.export",
            "supervision.rules",
            "targets.view",
            "targets.manage",
            "targets.enter",
            "cockpit.view",
            "assessment.export",
            "tasks.view",
            "tasks.manage",
            "tasks.handle",
        ],
        "督查室：全区项目调度、督办、通报",
    ),
    (
        "park_staff",
        "园区管理人员",
        4,
        [
            "units.view",
            "people.view",
            "projects.view",
            "projects.change",
            "projects.stage",
            "projects.import",
            "projects.export",
            "reports.file",
            "reports.review",
            "problems.raise",
            "bulletins.export",
            "targets.view",
            "targets.enter",
            "cockpit.view",
            "tasks.view",
            "tasks.handle",
        ],
        "园区：管理本园区项目台账",
    ),
    (
        "department",
        "部门人员",
        3,
        [
            "units.view",
            "people.view",
            "projects.view",
            "problems.handle",
            "tasks.view",
            "tasks.handle",
        ],
        "职能部门：办理交办事项，查看本部门相关项目",
    ),
    (
        "secretary",
        "项目秘书",
        5,
        ["projects.view", "projects.change", "projects.stage", "reports.file", "problems.raise"],
        "项目秘书/包保干部：维护本人包保的项目",
    ),
]

# GB/T 4754-2017 国民经济行业分类: 门类
INDUSTRY_SECTIONS = [
    ("A", "农、林、牧、渔业"),
    ("B", "采矿业"),
    ("C", "制造业"),
    ("D", "电力、热力、燃气及水生产和供应业"),
    ("E", "建筑业"),
    ("F", "批发和零售业"),
    ("G", "交通运输、仓储和邮政业"),
    ("H", "住宿和餐饮业"),
    ("I", "信息传输、软件和信息技术服务业"),
    ("J", "金融业"),
    ("K", "房地产业"),
    ("L", "租赁和商务服务业"),
    ("M", "科学研究和技术服务业"),
    ("N", "水利、环境和公共设施管理业"),
    ("O", "居民服务、修理和其他服务业"),
    ("P", "教育"),
    ("Q", "卫生和社会工作"),
    ("R", "文化、体育和娱乐业"),
    ("S", "公共管理、社会保障和社会组织"),
    ("T", "国际组织"),
]

# A few 大类 under 制造业 and services that development zones meet every day (the full list is
# admin-editable; projects may carry any level of code).
INDUSTRY_DIVISIONS = [
    ("13", "农副食品加工业", "C"),
    ("14", "食品制造业", "C"),
    ("26", "化学原料和化学制品制造业", "C"),
    ("27", "医药制造业", "C"),
    ("29", "橡胶和塑料制品业", "C"),
    ("30", "非金属矿物制品业", "C"),
    ("33", "金属制品业", "C"),
    ("34", "通用设备制造业", "C"),
    ("35", "专用设备制造业", "C"),
    ("36", "汽车制造业", "C"),
    ("38", "电气机械和器材制造业", "C"),
    ("39", "计算机、通信和其他电子设备制造业", "C"),
    ("44", "电力、热力生产和供应业", "D"),
    ("54", "道路运输业", "G"),
    ("59", "装卸搬运和仓储业", "G"),
    ("64", "互联网和相关服务", "I"),
    ("65", "软件和信息技术服务业", "I"),
    ("70", "房地产业", "K"),
    ("72", "商务服务业", "L"),
    ("73", "研究和试验发展", "M"),
    ("75", "科技推广和应用服务业", "M"),
]

DICTS = {
    "industry": (
        "国民经济行业分类（GB/T 4754-2017）",
        [(c, n, "") for c, n in INDUSTRY_SECTIONS] + [(c, n, p) for c, n, p in INDUSTRY_DIVISIONS],
    ),
    "project_level": (
        "项目级别",
        [
            ("province", "省重点", ""),
            ("city", "市重点", ""),
            ("district", "区重点", ""),
            ("zone", "园区重点", ""),
        ],
    ),
    "plan_category": (
        "年度类别",
        [
            ("new_start", "新开工", ""),
            ("continuing", "续建", ""),
            ("completing", "竣工投产", ""),
            ("reserve", "前期储备", ""),
        ],
    ),
    "problem_type": (
        "问题类型",
        [
            ("land", "土地", ""),
            ("planning", "规划", ""),
            ("funding", "资金", ""),
            ("approval", "审批", ""),
            ("demolition", "征拆", ""),
            ("utilities", "水电气暖", ""),
            ("labour", "用工", ""),
            ("environment", "环保", ""),
            ("other", "其他", ""),
        ],
    ),
    "contact_method": (
        "对接方式",
        [
            ("visit", "实地走访", ""),
            ("phone", "电话", ""),
            ("meeting", "会议", ""),
            ("wechat", "微信", ""),
        ],
    ),
}


def seed(apps=None) -> None:
    """Create the built-in roles and dictionaries that are missing. Never overwrites edits."""
    if apps is None:
        from django.apps import apps as django_apps

        apps = django_apps
    Role = apps.get_model("org", "Role")
    DictType = apps.get_model("org", "DictType")
    DictItem = apps.get_model("org", "DictItem")
    for order, (code, name, scope, perms, desc) in enumerate(BUILTIN_ROLES):
        Role.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "data_scope": scope,
                "permissions": perms,
                "description": desc,
                "is_builtin": True,
                "sort_order": order,
            },
        )
    for code, (name, items) in DICTS.items():
        dt, _ = DictType.objects.get_or_create(
            code=code, defaults={"name": name, "is_builtin": True}
        )
        for order, (item_code, label, parent) in enumerate(items):
            DictItem.objects.get_or_create(
                dict_type=dt,
                code=item_code,
                defaults={"label": label, "parent_code": parent, "sort_order": order},
            )


def grant_keys(grants: dict[str, list[str]], apps=None) -> None:
    """Add permission keys to built-in roles of an existing database (a later app's data
    migration; fresh databases get them from BUILTIN_ROLES). Keys already there are kept."""
    if apps is None:
        from django.apps import apps as django_apps

        apps = django_apps
    Role = apps.get_model("org", "Role")
    for code, keys in grants.items():
        role = Role.objects.filter(code=code, is_builtin=True).first()
        if role is None:
            continue
        perms = list(role.permissions or [])
        missing = [k for k in keys if k not in perms]
        if missing:
            role.permissions = perms + missing
            role.save(update_fields=["permissions"])

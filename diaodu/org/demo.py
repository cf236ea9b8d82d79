"""The fictional demo zone: 清河区 and its 清河经济开发区, parks, departments and people in every
role. Idempotent: running it again changes nothing that exists."""

from __future__ import annotations

from diaodu.org import services
from diaodu.org.models import Role, Unit, User
from diaodu.org.scope import SYSTEM

DEMO_PASSWORD = "Diaodu@2026"

UNITS = [
    # code, name, short, kind, parent code, region code
    ("QH", "清河区", "清河区", "district", None, "220199"),
    ("QHKFQ", "清河经济开发区管委会", "开发区", "zone", "QH", ""),
    ("QHKFQ-WL", "现代物流产业园", "物流园", "park", "QHKFQ", ""),
    ("QHKFQ-ZB", "装备制造产业园", "装备园", "park", "QHKFQ", ""),
    ("QHKFQ-GX", "高新技术产业园", "高新园", "park", "QHKFQ", ""),
    ("QHKFQ-SY", "生物医药产业园", "医药园", "park", "QHKFQ", ""),
    ("QHKFQ-SM", "商贸服务园", "商贸园", "park", "QHKFQ", ""),
    ("QHKFQ-ZS", "招商局", "招商局", "department", "QHKFQ", ""),
    ("QHKFQ-ZR", "自然资源局", "自然资源局", "department", "QHKFQ", ""),
    ("QHKFQ-ZSB", "征收办", "征收办", "department", "QHKFQ", ""),
    ("QHKFQ-FG", "发改局", "发改局", "department", "QHKFQ", ""),
    ("QHKFQ-ZJ", "住建局", "住建局", "department", "QHKFQ", ""),
    ("QHKFQ-HB", "生态环境分局", "生态环境分局", "department", "QHKFQ", ""),
    ("QHKFQ-DC", "督查室", "督查室", "office", "QHKFQ", ""),
    ("QHKFQ-BGS", "党政办公室", "党政办公室", "office", "QHKFQ", ""),
]

# username, name, phone, roles, [(unit code, position)]
PEOPLE = [
    ("sysadmin", "系统管理员", "13900000001", ["sysadmin"], [("QHKFQ-BGS", "系统管理员")]),
    ("secadmin", "安全管理员", "13900000002", ["secadmin"], [("QHKFQ-BGS", "安全管理员")]),
    ("auditor", "审计管理员", "13900000003", ["auditadmin"], [("QHKFQ-BGS", "审计管理员")]),
    ("quzhang", "孙彦鹏", "13900000010", ["leader"], [("QH", "副区长"), ("QHKFQ", "管委会主任")]),
    ("fuzhuren", "刘成斌", "13900000011", ["leader"], [("QHKFQ", "管委会副主任")]),
    ("duchashi", "周敏", "13900000012", ["supervisor"], [("QHKFQ-DC", "督查室主任")]),
    ("wl_zhuren", "王建国", "13900000020", ["park_staff", "leader"], [("QHKFQ-WL", "园区主任")]),
    ("zb_zhuren", "赵立新", "13900000021", ["park_staff", "leader"], [("QHKFQ-ZB", "园区主任")]),
    ("gx_zhuren", "陈思远", "13900000022", ["park_staff", "leader"], [("QHKFQ-GX", "园区主任")]),
    ("sy_zhuren", "李慧敏", "13900000023", ["park_staff", "leader"], [("QHKFQ-SY", "园区主任")]),
    ("sm_zhuren", "张海涛", "13900000024", ["park_staff", "leader"], [("QHKFQ-SM", "园区主任")]),
    ("zhaoshang", "马骏", "13900000030", ["department", "zs_observer"], [("QHKFQ-ZS", "局长")]),
    ("ziranziyuan", "郑国强", "13900000031", ["department"], [("QHKFQ-ZR", "局长")]),
    ("zhengshou", "何永军", "13900000032", ["department"], [("QHKFQ-ZSB", "主任")]),
    ("fagai", "吴晓东", "13900000033", ["department"], [("QHKFQ-FG", "局长")]),
    ("zhujian", "杨志刚", "13900000034", ["department"], [("QHKFQ-ZJ", "局长")]),
    ("mishu_wl", "高明", "13900000040", ["secretary"], [("QHKFQ-WL", "项目秘书")]),
    (
        "mishu_zb",
        "林晓燕",
        "13900000041",
        ["secretary"],
        [("QHKFQ-ZB", "项目秘书"), ("QHKFQ-ZS", "招商专员")],
    ),
    ("mishu_gx", "黄磊", "13900000042", ["secretary"], [("QHKFQ-GX", "项目秘书")]),
    ("mishu_sy", "徐静", "13900000043", ["secretary"], [("QHKFQ-SY", "项目秘书")]),
    ("mishu_sm", "罗斌", "13900000044", ["secretary"], [("QHKFQ-SM", "项目秘书")]),
]


def build(stdout=None) -> dict:
    from diaodu.org.builtin import seed

    seed()  # built-in roles and dictionaries (normally there from the migration)
    units: dict[str, Unit] = {}
    created = {"units": 0, "people": 0}
    for order, (code, name, short, kind, parent, region) in enumerate(UNITS):
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            unit = services.create_unit(
                SYSTEM,
                parent=units.get(parent),
                code=code,
                name=name,
                short_name=short,
                kind=kind,
                sort_order=order,
                region_code=region,
            )
            created["units"] += 1
        units[code] = unit
    if not Role.objects.filter(code="zs_observer").exists():
        services.create_role(
            SYSTEM,
            code="zs_observer",
            name="招商观察（自定数据）",
            permissions=["units.view", "people.view", "projects.view"],
            data_scope=2,
            custom_units=[units["QHKFQ-GX"], units["QHKFQ-SY"]],
            description="演示“自定数据”：可看高新园、医药园两个园区",
        )
    roles = {r.code: r for r in Role.objects.all()}
    for username, name, phone, role_codes, member in PEOPLE:
        if User.objects.filter(username=username).exists():
            continue
        user = services.create_person(
            SYSTEM,
            username=username,
            password=DEMO_PASSWORD,
            name=name,
            phone=phone,
            memberships=[(units[c], pos) for c, pos in member],
            is_demo=True,
        )
        services.grant_roles(SYSTEM, user, [roles[c] for c in role_codes])
        created["people"] += 1
    return created

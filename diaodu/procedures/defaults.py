"""The four default procedure templates (seeded by a data migration, idempotent) and the
permission keys this app adds to built-in roles.

Each item: (code, name, stage, duration, source of the duration, predecessors, responsible
department (matched by name to the project's zone departments), required documents).
A duration is a number of working days, or ``calendar_days(n)`` for n 自然日.
Predecessors are finish-to-start: "CODE" or "CODE+lag" (lag in working days).

Sources: a law or regulation with its article where the time limit is statutory; "地方实践"
where the figure is a common local commitment (承诺时限) under 工程建设项目审批制度改革
(国办发〔2019〕11号), which asks for the whole approval process within 120 working days.
Statutory limits of an administrative decision written in 日 are taken as working days
(《行政许可法》第八十二条 counts 工作日 for 行政许可 limits).  Notice and publicity periods are
not such limits: they are the time the public is given, run over weekends and holidays and are
counted in 自然日 — the 招拍挂 公告 (不少于20日) and 挂牌 (不少于10日) periods, the bidding period
(招标文件发出至投标截止不少于20日) and the publicity of the winning bidders (公示不少于3日).
A period whose last day is a holiday ends on the next workday (《民法典》第二百零三条).
"""

from __future__ import annotations

LAND, ENG, BUILD, ACCEPT = "land_planning", "engineering", "construction", "acceptance"
WORKING_DAYS, CALENDAR_DAYS = "working_days", "calendar_days"


def calendar_days(n: int) -> tuple[int, str]:
    """A duration of n 自然日 (a bare int is n 工作日)."""
    return (n, CALENDAR_DAYS)


SRC_LAND_PREVIEW = "《建设项目用地预审管理办法》第十条（20日）"
SRC_EIA_BOOK = "《环境影响评价法》第二十二条（报告书60日）"
SRC_EIA_TABLE = "《环境影响评价法》第二十二条（报告表30日）"
SRC_EIA_REGISTER = "《环境影响评价法》第二十二条（登记表实行备案管理）"
SRC_APPROVAL = "《企业投资项目核准和备案管理条例》第十一条（20个工作日）"
SRC_FILING = "《企业投资项目核准和备案管理条例》第十三条、第十四条（收到全部信息即为备案）"
SRC_LAND_SALE = (
    "《招标拍卖挂牌出让国有建设用地使用权规定》第十条（公告不少于20日）、第十九条（挂牌不少于10日），"
    "按自然日计"
)
SRC_REGISTRY = "《不动产登记暂行条例》第二十条（30个工作日）"
SRC_DRAWINGS_BIG = (
    "《房屋建筑和市政基础设施工程施工图设计文件审查管理办法》第十三条（大型工程15个工作日）"
)
SRC_DRAWINGS_MID = (
    "《房屋建筑和市政基础设施工程施工图设计文件审查管理办法》第十三条（中型及以下10个工作日）"
)
SRC_TENDER = (
    "《招标投标法》第二十四条（招标文件发出至投标截止不少于20日）、《招标投标法实施条例》第五十四条"
    "（中标候选人公示不少于3日），按自然日计；另计评标、定标及合同备案（地方实践）"
)
SRC_PERMIT = "《建筑法》第八条（7日）"
SRC_FIRE_ACCEPT = "《建设工程消防设计审查验收管理暂行规定》（消防验收15日）"
LOCAL = "地方实践"

FGJ, ZRJ, ZJJ, ZSB, ZSJ, HBJ = "发改局", "自然资源局", "住建局", "征收办", "招商局", "生态环境分局"

DOCS_PERMIT = [
    "建筑工程施工许可申请表",
    "用地批准手续",
    "建设工程规划许可证",
    "施工图审查合格书",
    "中标通知书及施工合同（或直接发包文件）",
    "建设资金已落实承诺书",
]
DOCS_DRAWINGS = [
    "施工图设计文件",
    "勘察成果文件",
    "建设工程规划许可证（或方案审查意见）",
    "设计合同",
]
DOCS_LAND_PREVIEW = [
    "用地预审与选址申请表",
    "项目建设依据（立项/核准/备案文件或项目建议书）",
    "拟选址位置图及红线图",
    "土地利用现状图",
]
DOCS_EIA = ["环境影响评价文件（报告书/报告表）", "建设单位承诺书", "公众参与说明（报告书）"]
DOCS_LAND_SALE = [
    "出让方案批复",
    "出让公告",
    "竞得人资格审查材料",
    "成交确认书",
    "国有建设用地使用权出让合同",
]
DOCS_LAND_PERMIT = ["建设用地规划许可申请表", "出让合同或划拨决定书", "项目立项文件", "宗地红线图"]
DOCS_ENG_PERMIT = [
    "建设工程规划许可申请表",
    "设计方案审查意见",
    "总平面图及建筑单体方案",
    "用地批准手续",
]
DOCS_SCHEME = ["建设工程设计方案（总平面、单体）", "规划设计条件", "方案设计说明"]
DOCS_DEMOLITION = [
    "征收范围红线图",
    "征收补偿方案",
    "补偿协议",
    "房屋及地上附着物清点表",
    "交地确认书",
]
DOCS_LAND_REPORT = [
    "农用地转用和土地征收申请材料",
    "勘测定界报告",
    "社会稳定风险评估报告",
    "征地补偿安置方案",
]
DOCS_REGISTRY = ["不动产登记申请书", "出让合同及价款缴清证明", "契税完税凭证", "不动产权籍调查成果"]
DOCS_ENERGY = ["节能报告", "项目立项文件"]
DOCS_STABILITY = ["社会稳定风险分析报告", "风险评估意见"]
DOCS_TENDER = ["招标文件", "招标公告", "评标报告", "中标候选人公示", "中标通知书", "施工合同"]
DOCS_FIRE = ["消防验收申请表", "工程竣工验收报告", "消防设施检测报告"]
DOCS_CHECK = ["规划条件核实申请表", "竣工测量成果"]
DOCS_COMPLETION = ["竣工验收报告", "规划、消防等验收意见", "工程质量保修书"]

TEMPLATES = [
    {
        "code": "gov_invest",
        "name": "政府投资项目（审批制）",
        "description": "政府投资的房屋建筑和市政基础设施项目：项目建议书、可行性研究报告、初步设计逐级审批（《政府投资条例》），"
        "划拨供地，施工招标。",
        "items": [
            ("G01", "项目建议书审批", LAND, 10, LOCAL, [], FGJ, ["项目建议书", "资金来源说明"]),
            (
                "G02",
                "用地预审与选址意见书",
                LAND,
                20,
                SRC_LAND_PREVIEW,
                ["G01"],
                ZRJ,
                DOCS_LAND_PREVIEW,
            ),
            ("G03", "社会稳定风险评估", LAND, 10, LOCAL, ["G01"], FGJ, DOCS_STABILITY),
            ("G04", "节能审查", LAND, 15, LOCAL, ["G01"], FGJ, DOCS_ENERGY),
            ("G05", "环境影响评价（报告表）", LAND, 30, SRC_EIA_TABLE, ["G01"], HBJ, DOCS_EIA),
            (
                "G06",
                "可行性研究报告审批",
                LAND,
                20,
                LOCAL,
                ["G02", "G03", "G04"],
                FGJ,
                ["可行性研究报告", "用地预审与选址意见书", "社会稳定风险评估意见", "节能审查意见"],
            ),
            ("G07", "征地拆迁", LAND, 60, LOCAL, ["G02"], ZSB, DOCS_DEMOLITION),
            (
                "G08",
                "土地划拨",
                LAND,
                20,
                LOCAL,
                ["G06", "G07"],
                ZRJ,
                ["划拨用地申请", "可研批复", "交地确认书"],
            ),
            ("G09", "建设用地规划许可证", LAND, 7, LOCAL, ["G08"], ZRJ, DOCS_LAND_PERMIT),
            (
                "G10",
                "初步设计及概算审批",
                ENG,
                15,
                LOCAL,
                ["G06"],
                FGJ,
                ["初步设计文件", "投资概算", "可研批复"],
            ),
            ("G11", "设计方案审查", ENG, 10, LOCAL, ["G09"], ZRJ, DOCS_SCHEME),
            ("G12", "建设工程规划许可证", ENG, 10, LOCAL, ["G11"], ZRJ, DOCS_ENG_PERMIT),
            (
                "G13",
                "施工图审查（含消防、人防设计审查）",
                BUILD,
                15,
                SRC_DRAWINGS_BIG,
                ["G10", "G12"],
                ZJJ,
                DOCS_DRAWINGS,
            ),
            (
                "G14",
                "施工招标及合同备案",
                BUILD,
                calendar_days(35),
                SRC_TENDER,
                ["G13"],
                ZJJ,
                DOCS_TENDER,
            ),
            ("G15", "施工许可证", BUILD, 7, SRC_PERMIT, ["G05", "G13", "G14"], ZJJ, DOCS_PERMIT),
            ("G16", "规划条件核实", ACCEPT, 10, LOCAL, ["G15"], ZRJ, DOCS_CHECK),
            ("G17", "消防验收", ACCEPT, 15, SRC_FIRE_ACCEPT, ["G15"], ZJJ, DOCS_FIRE),
            ("G18", "竣工验收备案", ACCEPT, 5, LOCAL, ["G16", "G17"], ZJJ, DOCS_COMPLETION),
        ],
    },
    {
        "code": "enterprise_approval",
        "name": "企业投资项目（核准制）",
        "description": "列入《政府核准的投资项目目录》的企业投资项目：用地预审与选址意见书、社会稳定风险评估为核准前置，"
        "土地招拍挂出让，环评报告书。",
        "items": [
            (
                "Q01",
                "入园评审及投资协议",
                LAND,
                5,
                LOCAL,
                [],
                ZSJ,
                ["项目申请报告（入园）", "投资协议"],
            ),
            (
                "Q02",
                "用地预审与选址意见书",
                LAND,
                20,
                SRC_LAND_PREVIEW,
                ["Q01"],
                ZRJ,
                DOCS_LAND_PREVIEW,
            ),
            ("Q03", "社会稳定风险评估", LAND, 10, LOCAL, ["Q01"], FGJ, DOCS_STABILITY),
            (
                "Q04",
                "项目核准",
                LAND,
                20,
                SRC_APPROVAL,
                ["Q02", "Q03"],
                FGJ,
                ["项目申请报告", "用地预审与选址意见书", "社会稳定风险评估意见"],
            ),
            ("Q05", "节能审查", LAND, 15, LOCAL, ["Q01"], FGJ, DOCS_ENERGY),
            ("Q06", "环境影响评价（报告书）", LAND, 60, SRC_EIA_BOOK, ["Q01"], HBJ, DOCS_EIA),
            ("Q07", "土地征收报批（农转用）", LAND, 60, LOCAL, ["Q02"], ZRJ, DOCS_LAND_REPORT),
            ("Q08", "征地拆迁", LAND, 60, LOCAL, ["Q02"], ZSB, DOCS_DEMOLITION),
            (
                "Q09",
                "土地招拍挂出让（摘牌）",
                LAND,
                calendar_days(30),
                SRC_LAND_SALE,
                ["Q07", "Q08"],
                ZRJ,
                DOCS_LAND_SALE,
            ),
            ("Q10", "建设用地规划许可证", LAND, 7, LOCAL, ["Q04", "Q09"], ZRJ, DOCS_LAND_PERMIT),
            ("Q11", "不动产权证（土地）", LAND, 30, SRC_REGISTRY, ["Q09"], ZRJ, DOCS_REGISTRY),
            ("Q12", "设计方案审查", ENG, 10, LOCAL, ["Q10"], ZRJ, DOCS_SCHEME),
            ("Q13", "建设工程规划许可证", ENG, 10, LOCAL, ["Q12"], ZRJ, DOCS_ENG_PERMIT),
            (
                "Q14",
                "施工图审查（含消防、人防设计审查）",
                BUILD,
                15,
                SRC_DRAWINGS_BIG,
                ["Q13"],
                ZJJ,
                DOCS_DRAWINGS,
            ),
            (
                "Q15",
                "施工合同备案及质量安全监督手续",
                BUILD,
                3,
                LOCAL,
                ["Q13"],
                ZJJ,
                ["施工合同", "质量安全监督申报表"],
            ),
            (
                "Q16",
                "施工许可证",
                BUILD,
                7,
                SRC_PERMIT,
                ["Q05", "Q06", "Q11", "Q14", "Q15"],
                ZJJ,
                DOCS_PERMIT,
            ),
            ("Q17", "规划条件核实", ACCEPT, 10, LOCAL, ["Q16"], ZRJ, DOCS_CHECK),
            ("Q18", "消防验收", ACCEPT, 15, SRC_FIRE_ACCEPT, ["Q16"], ZJJ, DOCS_FIRE),
            ("Q19", "竣工验收备案", ACCEPT, 5, LOCAL, ["Q17", "Q18"], ZJJ, DOCS_COMPLETION),
        ],
    },
    {
        "code": "enterprise_filing",
        "name": "企业投资项目（备案制）",
        "description": "目录以外的企业投资项目：告知性备案，土地招拍挂出让，环评报告表（如为登记表，可把环评时限改为0并备案）。",
        "items": [
            (
                "B01",
                "入园评审及投资协议",
                LAND,
                5,
                LOCAL,
                [],
                ZSJ,
                ["项目申请报告（入园）", "投资协议"],
            ),
            ("B02", "项目备案", LAND, 1, SRC_FILING, ["B01"], FGJ, ["项目备案信息（在线平台）"]),
            (
                "B03",
                "用地预审与选址意见书",
                LAND,
                20,
                SRC_LAND_PREVIEW,
                ["B01"],
                ZRJ,
                DOCS_LAND_PREVIEW,
            ),
            ("B04", "节能审查", LAND, 15, LOCAL, ["B02"], FGJ, DOCS_ENERGY),
            ("B05", "环境影响评价（报告表）", LAND, 30, SRC_EIA_TABLE, ["B02"], HBJ, DOCS_EIA),
            ("B06", "土地征收报批（农转用）", LAND, 60, LOCAL, ["B03"], ZRJ, DOCS_LAND_REPORT),
            ("B07", "征地拆迁", LAND, 60, LOCAL, ["B03"], ZSB, DOCS_DEMOLITION),
            (
                "B08",
                "土地招拍挂出让（摘牌）",
                LAND,
                calendar_days(30),
                SRC_LAND_SALE,
                ["B06", "B07"],
                ZRJ,
                DOCS_LAND_SALE,
            ),
            ("B09", "建设用地规划许可证", LAND, 7, LOCAL, ["B02", "B08"], ZRJ, DOCS_LAND_PERMIT),
            ("B10", "不动产权证（土地）", LAND, 30, SRC_REGISTRY, ["B08"], ZRJ, DOCS_REGISTRY),
            ("B11", "设计方案审查", ENG, 10, LOCAL, ["B09"], ZRJ, DOCS_SCHEME),
            ("B12", "建设工程规划许可证", ENG, 10, LOCAL, ["B11"], ZRJ, DOCS_ENG_PERMIT),
            (
                "B13",
                "施工图审查（含消防、人防设计审查）",
                BUILD,
                10,
                SRC_DRAWINGS_MID,
                ["B12"],
                ZJJ,
                DOCS_DRAWINGS,
            ),
            (
                "B14",
                "施工合同备案及质量安全监督手续",
                BUILD,
                3,
                LOCAL,
                ["B12"],
                ZJJ,
                ["施工合同", "质量安全监督申报表"],
            ),
            (
                "B15",
                "施工许可证",
                BUILD,
                7,
                SRC_PERMIT,
                ["B04", "B05", "B10", "B13", "B14"],
                ZJJ,
                DOCS_PERMIT,
            ),
            ("B16", "规划条件核实", ACCEPT, 10, LOCAL, ["B15"], ZRJ, DOCS_CHECK),
            ("B17", "消防验收", ACCEPT, 15, SRC_FIRE_ACCEPT, ["B15"], ZJJ, DOCS_FIRE),
            ("B18", "竣工验收备案", ACCEPT, 5, LOCAL, ["B16", "B17"], ZJJ, DOCS_COMPLETION),
        ],
    },
    {
        "code": "land_with_design",
        "name": "带方案出让（拿地即开工）",
        "description": "政府预先编制并审查地块设计方案、土地带方案挂牌出让：摘牌后建设用地规划许可证、建设工程规划许可证同步核发，"
        "施工图提前介入审查，“交地即交证”。",
        "items": [
            ("D01", "出让地块设计方案编制及审查", LAND, 10, LOCAL, [], ZRJ, DOCS_SCHEME),
            ("D02", "土地征收报批（农转用）", LAND, 60, LOCAL, [], ZRJ, DOCS_LAND_REPORT),
            ("D03", "征地拆迁", LAND, 60, LOCAL, [], ZSB, DOCS_DEMOLITION),
            (
                "D04",
                "土地带方案挂牌出让（摘牌）",
                LAND,
                calendar_days(30),
                SRC_LAND_SALE,
                ["D01", "D02", "D03"],
                ZRJ,
                DOCS_LAND_SALE + ["设计方案（出让附件）"],
            ),
            (
                "D05",
                "入园评审及投资协议",
                LAND,
                5,
                LOCAL,
                [],
                ZSJ,
                ["项目申请报告（入园）", "投资协议"],
            ),
            ("D06", "项目备案", LAND, 1, SRC_FILING, ["D05"], FGJ, ["项目备案信息（在线平台）"]),
            (
                "D07",
                "环境影响评价（登记表）",
                LAND,
                0,
                SRC_EIA_REGISTER,
                ["D06"],
                HBJ,
                ["环境影响登记表（网上备案）"],
            ),
            (
                "D08",
                "建设用地规划许可证、建设工程规划许可证（同步核发）",
                ENG,
                1,
                LOCAL,
                ["D04", "D06"],
                ZRJ,
                DOCS_LAND_PERMIT + ["设计方案（出让附件）"],
            ),
            ("D09", "不动产权证（交地即交证）", LAND, 5, LOCAL, ["D04"], ZRJ, DOCS_REGISTRY),
            (
                "D10",
                "施工图审查（提前介入）",
                BUILD,
                10,
                SRC_DRAWINGS_MID,
                ["D04"],
                ZJJ,
                DOCS_DRAWINGS,
            ),
            (
                "D11",
                "施工许可证",
                BUILD,
                7,
                SRC_PERMIT,
                ["D07", "D08", "D09", "D10"],
                ZJJ,
                DOCS_PERMIT,
            ),
            ("D12", "联合验收", ACCEPT, 10, LOCAL, ["D11"], ZJJ, DOCS_COMPLETION),
        ],
    },
]


def parse_dep(text: str) -> dict:
    code, _, lag = text.partition("+")
    return {"code": code.strip(), "lag_wd": int(lag) if lag else 0}


def duration_of(days) -> tuple[int, str]:
    """(number, unit) of an item's duration as written in TEMPLATES."""
    return days if isinstance(days, tuple) else (days, WORKING_DAYS)


def seed(apps=None) -> int:
    """Create the default templates that are missing (by code). Never overwrites edits.
    Returns the number of templates created."""
    if apps is None:
        from django.apps import apps as django_apps

        apps = django_apps
    ProcedureTemplate = apps.get_model("procedures", "ProcedureTemplate")
    Procedure = apps.get_model("procedures", "Procedure")
    # Before migration 0005 the table has no unit: those items are fixed up by 0005.
    has_unit = any(f.name == "duration_unit" for f in Procedure._meta.get_fields())
    created = 0
    for order, spec in enumerate(TEMPLATES):
        if ProcedureTemplate.objects.filter(code=spec["code"]).exists():
            continue
        tpl = ProcedureTemplate.objects.create(
            code=spec["code"],
            name=spec["name"],
            description=spec["description"],
            version=1,
            is_current=True,
            sort_order=order,
            change_note="系统预置",
        )
        rows = []
        for i, (code, name, stage, days, source, preds, dept, docs) in enumerate(spec["items"]):
            n, unit = duration_of(days)
            row = Procedure(
                template=tpl,
                code=code,
                name=name,
                stage=stage,
                duration_wd=n,
                duration_source=source,
                predecessors=[parse_dep(p) for p in preds],
                responsible_text=dept,
                documents=list(docs),
                sort_order=i,
            )
            if has_unit:
                row.duration_unit = unit
            rows.append(row)
        Procedure.objects.bulk_create(rows)
        created += 1
    return created


# The seeded items whose period became calendar days (migration 0005), with the figures they
# were first seeded with: code → (name, working days as first seeded).
FIRST_SEEDED_IN_WORKING_DAYS = {
    ("gov_invest", "G14"): ("施工招标及合同备案", 25),
    ("enterprise_approval", "Q09"): ("土地招拍挂出让（摘牌）", 30),
    ("enterprise_filing", "B08"): ("土地招拍挂出让（摘牌）", 30),
    ("land_with_design", "D04"): ("土地带方案挂牌出让（摘牌）", 30),
}

CALENDAR_DAY_NOTE = "法定公告、挂牌、招标及公示期按自然日计（系统预置修订）"


def apply_calendar_days(apps) -> int:
    """Give the seeded templates their calendar-day periods where an administrator has not
    changed the item: in place when no project chain was made from that version yet, else as a
    new version (chains keep theirs). Returns the number of templates changed."""
    ProcedureTemplate = apps.get_model("procedures", "ProcedureTemplate")
    Procedure = apps.get_model("procedures", "Procedure")
    ProcedureChain = apps.get_model("procedures", "ProcedureChain")
    specs = {spec["code"]: spec for spec in TEMPLATES}
    changed = 0
    for tpl in ProcedureTemplate.objects.filter(is_current=True, code__in=list(specs)):
        items = list(Procedure.objects.filter(template=tpl).order_by("sort_order", "id"))
        new = {}
        for spec_item in specs[tpl.code]["items"]:
            code, _, _, days, source = spec_item[:5]
            first = FIRST_SEEDED_IN_WORKING_DAYS.get((tpl.code, code))
            if first is None:
                continue
            n, unit = duration_of(days)
            for p in items:
                # as first seeded, or as seeded by 0002 on a new database (today's figure, no unit)
                if (
                    p.code == code
                    and p.name == first[0]
                    and p.duration_wd in (first[1], n)
                    and p.duration_unit == WORKING_DAYS
                ):
                    new[p.code] = (n, unit, source)
        if not new:
            continue
        new_version = ProcedureChain.objects.filter(template=tpl).exists()
        if new_version:
            ProcedureTemplate.objects.filter(pk=tpl.pk).update(is_current=False)
            tpl.pk = None
            tpl.version += 1
            tpl.is_current = True
            tpl.change_note = CALENDAR_DAY_NOTE
            tpl.created_by = None
            tpl.save()
            for p in items:
                p.pk = None
                p.template = tpl
        for p in items:
            if p.code in new:
                p.duration_wd, p.duration_unit, p.duration_source = new[p.code]
        if new_version:
            Procedure.objects.bulk_create(items)
        else:
            fields = ["duration_wd", "duration_unit", "duration_source"]
            Procedure.objects.bulk_update([p for p in items if p.code in new], fields)
        changed += 1
    return changed


# Permission keys this app adds to built-in roles of existing databases (fresh databases get
# them from diaodu/org/builtin.py).
ROLE_GRANTS = {"sysadmin": ["sys.calendar"], "supervisor": ["procedures.templates"]}


def grant_role_keys(apps=None) -> None:
    from diaodu.org.builtin import grant_keys

    grant_keys(ROLE_GRANTS, apps)

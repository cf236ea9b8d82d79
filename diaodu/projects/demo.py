"""The demo zone's project ledger: 36 projects of 清河经济开发区 across every stage (线索 … 达产,
plus one 暂缓 and one 终止), every plan category and all five parks.

Everything goes through the services (`create_project`, then `transition` step by step along
the main line with increasing past dates), so each project has its StageChange history and
audit entries exactly as if the parks had kept it in the system. Idempotent: a project whose
name already exists in its park is skipped. Deterministic: all random choices come from
`random.Random` seeded per project; only the dates move with today's date.

The timeline helpers (`timeline`, `planned_dates`, `category_for`) are shared with the
synthetic benchmark generator (`diaodu gen`).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from diaodu.audit.context import acting_as
from diaodu.engine import stages as S
from diaodu.engine.textnorm import normalise_name
from diaodu.org.models import Unit, User
from diaodu.org.scope import SYSTEM
from diaodu.projects import services
from diaodu.projects.models import Project

SEED = 20260101
REGION = "220199"  # 清河区 (fictional)

# Typical days spent before each main-line move (the move *into* the stage).
STEP_DAYS = {
    "negotiating": (20, 90),
    "signed": (30, 150),
    "landed": (15, 60),
    "preparing": (10, 45),
    "under_construction": (60, 240),
    "completed": (270, 720),
    "operating": (30, 150),
    "at_capacity": (150, 420),
}

PARKS = {
    # park code: (secretary, park leader, centre lat, centre lon, roads)
    "QHKFQ-WL": (
        "mishu_wl",
        "wl_zhuren",
        43.865,
        125.405,
        ("长江路", "富民大街", "物流大道", "陆港路"),
    ),
    "QHKFQ-ZB": (
        "mishu_zb",
        "zb_zhuren",
        43.822,
        125.248,
        ("装备大路", "兴业街", "创业大街", "长白山路"),
    ),
    "QHKFQ-GX": (
        "mishu_gx",
        "gx_zhuren",
        43.918,
        125.302,
        ("科技大街", "硅谷大街", "创新路", "飞跃路"),
    ),
    "QHKFQ-SY": (
        "mishu_sy",
        "sy_zhuren",
        43.902,
        125.381,
        ("药谷大路", "生命路", "康宁街", "健民路"),
    ),
    "QHKFQ-SM": (
        "mishu_sm",
        "sm_zhuren",
        43.884,
        125.331,
        ("人民大街", "繁荣路", "会展大街", "商贸路"),
    ),
}

# (park, name, investor, industry, stage, category, level, total 万元, extra leaders, progress, issues,
#  side-exit (resume stage, reason) or None, has national code, has coordinates)
PROJECTS = [
    # ---------------------------------------------------------------- 现代物流产业园
    (
        "QHKFQ-WL",
        "智慧冷链物流园项目",
        "清河吉运冷链物流有限公司",
        "G59 装卸搬运和仓储业",
        "under_construction",
        "continuing",
        "city",
        68000,
        [],
        "1#、2#冷库主体结构已封顶，3#冷库基础施工完成80%；综合办公楼正在进行二次结构砌筑。",
        "10kV专线接入需供电公司新建开闭所，目前方案尚未批复，影响冷库设备调试。",
        None,
        True,
        True,
    ),
    (
        "QHKFQ-WL",
        "电商快递区域分拨中心项目",
        "顺程供应链管理有限公司",
        "G59 装卸搬运和仓储业",
        "completed",
        "completing",
        "district",
        32000,
        [],
        "分拨中心主体及钢结构罩棚已完工，自动化分拣线安装调试完毕，已完成竣工验收备案。",
        "",
        None,
        True,
        False,
    ),
    (
        "QHKFQ-WL",
        "跨境电商保税仓储项目",
        "北辰国际物流（清河）有限公司",
        "G59 装卸搬运和仓储业",
        "signed",
        "reserve",
        "district",
        15000,
        [],
        "已签订投资合作协议，企业正在开展项目可行性研究报告编制。",
        "保税仓须纳入综合保税区监管范围，需与海关对接监管方案。",
        None,
        False,
        False,
    ),
    (
        "QHKFQ-WL",
        "公铁联运多式联运枢纽项目",
        "清河陆港投资发展有限公司",
        "G58 多式联运和运输代理业",
        "preparing",
        "new_start",
        "province",
        128000,
        ["quzhang"],
        "用地预审与选址意见书已取得，环评报告已报市生态环境局审批，铁路专用线接轨方案正在报铁路局审查。",
        "铁路专用线接轨方案需沈阳局集团公司审批，周期较长；项目红线内尚有2户未完成征收。",
        None,
        True,
        True,
    ),
    (
        "QHKFQ-WL",
        "汽车零部件智能仓储配送中心项目",
        "恒通汽配物流有限公司",
        "G59 装卸搬运和仓储业",
        "operating",
        "completing",
        "zone",
        9800,
        [],
        "项目已投产运营，立体库及AGV系统运行稳定，日均吞吐量约1200托盘。",
        "",
        None,
        False,
        False,
    ),
    (
        "QHKFQ-WL",
        "农产品冷链集配中心项目",
        "绿野农产品供应链有限公司",
        "G59 装卸搬运和仓储业",
        "lead",
        "",
        "zone",
        6000,
        [],
        "经招商局推介获取线索，已与企业负责人电话对接一次，企业拟在东北地区布局区域集配中心。",
        "",
        None,
        False,
        False,
    ),
    (
        "QHKFQ-WL",
        "危化品专业物流园项目",
        "安达化工物流有限公司",
        "G54 道路运输业",
        "dropped",
        "",
        "district",
        22000,
        [],
        "项目已终止。",
        "",
        (
            "negotiating",
            "经安全评估，拟选址与居民区的距离达不到危化品仓储安全防护距离要求，企业决定终止在我区投资。",
        ),
        False,
        False,
    ),
    # ---------------------------------------------------------------- 装备制造产业园
    (
        "QHKFQ-ZB",
        "年产20万吨新能源汽车零部件项目",
        "华驰汽车零部件制造有限公司",
        "C36 汽车制造业",
        "under_construction",
        "new_start",
        "province",
        156000,
        ["quzhang"],
        "一期冲压、焊装车间钢结构吊装完成，正在进行屋面板安装；二期场地平整完成。累计完成投资占总投资的三成以上。",
        "施工用电负荷不足，临时变压器需增容；部分进口设备受国际物流影响到货延迟约1个月。",
        None,
        True,
        True,
    ),
    (
        "QHKFQ-ZB",
        "轨道交通装备配套产业园项目",
        "北方瑞达轨道装备有限公司",
        "C37 铁路、船舶、航空航天和其他运输设备制造业",
        "under_construction",
        "continuing",
        "city",
        86000,
        ["fuzhuren"],
        "1#、2#厂房已完工，3#厂房主体施工中，配套研发楼进行外墙装饰。",
        "",
        None,
        True,
        False,
    ),
    (
        "QHKFQ-ZB",
        "智能农机装备制造项目",
        "丰沃智能农机有限公司",
        "C35 专用设备制造业",
        "at_capacity",
        "",
        "district",
        42000,
        [],
        "项目已全面达产，年产大马力拖拉机及收获机械3000台，本年销售收入同比增长18%。",
        "",
        None,
        True,
        True,
    ),
    (
        "QHKFQ-ZB",
        "年产5万台新能源汽车电机电控项目",
        "驰远电驱动科技有限公司",
        "C38 电气机械和器材制造业",
        "landed",
        "reserve",
        "city",
        58000,
        [],
        "项目已完成工商注册落地，正在办理土地招拍挂前期手续，规划设计方案已完成初稿。",
        "地块内有一处110kV高压线需迁改，迁改费用分担尚未明确。",
        None,
        False,
        False,
    ),
    (
        "QHKFQ-ZB",
        "精密铸造及机加工项目",
        "鑫泰精密铸造有限公司",
        "C33 金属制品业",
        "suspended",
        "",
        "district",
        12000,
        [],
        "项目暂缓，场地已完成平整，企业正在与金融机构洽谈项目贷款。",
        "企业融资未到位。",
        ("preparing", "企业融资未到位，经园区与企业协商暂缓建设，待资金落实后恢复推进。"),
        False,
        False,
    ),
    (
        "QHKFQ-ZB",
        "工业机器人集成应用基地项目",
        "智擎机器人科技有限公司",
        "C34 通用设备制造业",
        "negotiating",
        "",
        "city",
        35000,
        [],
        "园区主任带队赴企业总部考察对接，双方就厂房代建及租金优惠条款进行第二轮洽谈。",
        "企业要求园区代建标准化厂房2万平方米，需研究代建资金来源。",
        None,
        False,
        False,
    ),
    (
        "QHKFQ-ZB",
        "氢燃料电池商用车总装项目",
        "氢途新能源汽车有限公司",
        "C36 汽车制造业",
        "lead",
        "reserve",
        "province",
        210000,
        ["quzhang", "fuzhuren"],
        "通过省招商推介会获取线索，企业已来区实地踏查两次，正在比选东北地区三个备选园区。",
        "",
        None,
        False,
        False,
    ),
    # ---------------------------------------------------------------- 高新技术产业园
    (
        "QHKFQ-GX",
        "半导体封装测试项目",
        "芯源微电子（清河）有限公司",
        "C39 计算机、通信和其他电子设备制造业",
        "under_construction",
        "continuing",
        "province",
        320000,
        ["quzhang"],
        "洁净厂房主体完工，正在进行机电安装和洁净室装修；动力站、污水处理站同步施工。",
        "纯水及特气供应管网需园区配套建设，目前尚未立项。",
        None,
        True,
        True,
    ),
    (
        "QHKFQ-GX",
        "大数据产业园二期项目",
        "云启数据科技有限公司",
        "I65 软件和信息技术服务业",
        "completed",
        "completing",
        "city",
        45000,
        [],
        "数据中心机房楼及配套动力设施已竣工验收，正在进行机柜上架和网络联调。",
        "",
        None,
        True,
        False,
    ),
    (
        "QHKFQ-GX",
        "智能传感器研发及产业化项目",
        "感知未来传感技术有限公司",
        "C39 计算机、通信和其他电子设备制造业",
        "preparing",
        "new_start",
        "district",
        28000,
        [],
        "已取得建设用地规划许可证，施工图正在审查，施工单位招标公告已发布。",
        "施工图审查意见涉及消防设计调整，需设计单位修改后重新报审。",
        None,
        False,
        False,
    ),
    (
        "QHKFQ-GX",
        "工业互联网平台及数据中心项目",
        "数联工业互联网有限公司",
        "I64 互联网和相关服务",
        "signed",
        "reserve",
        "city",
        62000,
        [],
        "已签订正式投资协议，企业正在开展选址比选和能评前期工作。",
        "数据中心能耗指标需市发改委统筹，能评能否通过存在不确定性。",
        None,
        False,
        False,
    ),
    (
        "QHKFQ-GX",
        "光电显示模组生产项目",
        "晶彩光电科技有限公司",
        "C39 计算机、通信和其他电子设备制造业",
        "operating",
        "completing",
        "district",
        18000,
        [],
        "两条模组生产线已投产，产能利用率约60%，第三条线设备正在安装。",
        "企业反映技术工人招聘困难，需人社部门协助组织专场招聘。",
        None,
        False,
        True,
    ),
    (
        "QHKFQ-GX",
        "新材料中试基地项目",
        "科岳新材料研究院有限公司",
        "M73 研究和试验发展",
        "negotiating",
        "",
        "zone",
        8000,
        [],
        "就中试基地租赁园区孵化器厂房事宜进行洽谈，企业已提交初步需求清单。",
        "",
        None,
        False,
        False,
    ),
    (
        "QHKFQ-GX",
        "软件和信息技术服务外包基地项目",
        "博纳信息技术有限公司",
        "I65 软件和信息技术服务业",
        "at_capacity",
        "",
        "zone",
        6500,
        [],
        "项目已达产，入驻员工620人，本年实现营业收入2.1亿元。",
        "",
        None,
        False,
        False,
    ),
    # ---------------------------------------------------------------- 生物医药产业园
    (
        "QHKFQ-SY",
        "生物医药产业孵化器二期",
        "清河生物医药产业投资有限公司",
        "M75 科技推广和应用服务业",
        "under_construction",
        "new_start",
        "city",
        38000,
        [],
        "孵化器A、B座基础施工完成，主体结构施工至三层；C座正在进行桩基检测。",
        "",
        None,
        True,
        True,
    ),
    (
        "QHKFQ-SY",
        "年产3000万支疫苗生产基地项目",
        "康卫生物制药有限公司",
        "C27 医药制造业",
        "preparing",
        "new_start",
        "province",
        125000,
        ["fuzhuren"],
        "项目已摘牌取得土地，环评已批复，GMP车间设计方案通过专家评审，正在办理建设工程规划许可证。",
        "生物安全实验室审批涉及省级部门，需区里协调加快办理。",
        None,
        True,
        False,
    ),
    (
        "QHKFQ-SY",
        "中药配方颗粒生产线项目",
        "长白本草药业有限公司",
        "C27 医药制造业",
        "completed",
        "completing",
        "district",
        26000,
        [],
        "生产车间及提取车间已竣工，设备完成安装调试，正在申请药品生产许可证。",
        "药品生产许可证现场检查排期较晚，影响投产时间。",
        None,
        False,
        False,
    ),
    (
        "QHKFQ-SY",
        "医疗器械产业园项目",
        "瑞康医疗器械有限公司",
        "C35 专用设备制造业",
        "signed",
        "reserve",
        "city",
        52000,
        [],
        "已签订投资协议，规划设计单位已进场开展方案设计。",
        "",
        None,
        False,
        False,
    ),
    (
        "QHKFQ-SY",
        "原料药绿色制造项目",
        "华元药业有限公司",
        "C27 医药制造业",
        "landed",
        "reserve",
        "district",
        33000,
        [],
        "企业已注册落地，项目备案已完成，正在编制环境影响报告书。",
        "原料药项目须进入化工园区或满足环境准入要求，需生态环境部门提前指导。",
        None,
        True,
        False,
    ),
    (
        "QHKFQ-SY",
        "细胞治疗研发生产中心项目",
        "源生细胞科技有限公司",
        "C27 医药制造业",
        "lead",
        "",
        "zone",
        15000,
        [],
        "校友资源推介线索，企业创始团队已来园区考察，对孵化器二期空间有意向。",
        "",
        None,
        False,
        False,
    ),
    (
        "QHKFQ-SY",
        "医药冷链仓储配送中心项目",
        "康达医药物流有限公司",
        "G59 装卸搬运和仓储业",
        "under_construction",
        "completing",
        "zone",
        11000,
        [],
        "冷库主体及装修完成，温控系统正在调试，预计年内竣工投用。",
        "",
        None,
        False,
        False,
    ),
    # ---------------------------------------------------------------- 商贸服务园
    (
        "QHKFQ-SM",
        "城市综合体及商业街区项目",
        "清河万鑫置业有限公司",
        "K70 房地产业",
        "under_construction",
        "continuing",
        "city",
        180000,
        ["fuzhuren"],
        "购物中心主体结构封顶，商业街区1-6号楼外立面施工中，地下车库完成防水。",
        "项目南侧规划道路尚未打通，需住建、自然资源部门协调征收进度。",
        None,
        True,
        True,
    ),
    (
        "QHKFQ-SM",
        "汽车文化产业园项目",
        "驰骋汽车文化产业发展有限公司",
        "F52 零售业",
        "operating",
        "",
        "district",
        24000,
        [],
        "园区已开业运营，入驻汽车品牌4S店12家，二手车交易市场同步运营。",
        "",
        None,
        False,
        False,
    ),
    (
        "QHKFQ-SM",
        "建材家居博览中心项目",
        "华美家居建材市场管理有限公司",
        "F51 批发业",
        "completed",
        "completing",
        "district",
        46000,
        [],
        "博览中心主体及配套仓储已竣工验收，正在进行招商布展。",
        "商户招商率约55%，低于预期。",
        None,
        True,
        False,
    ),
    (
        "QHKFQ-SM",
        "星级酒店及会展中心项目",
        "清河国际会展有限公司",
        "H61 住宿业",
        "preparing",
        "reserve",
        "city",
        95000,
        [],
        "会展中心方案设计已通过规委会审议，正在办理土地出让手续。",
        "地块内有一处移动通信基站需迁移。",
        None,
        False,
        True,
    ),
    (
        "QHKFQ-SM",
        "总部经济大厦项目",
        "鼎盛企业管理有限公司",
        "L72 商务服务业",
        "negotiating",
        "reserve",
        "zone",
        30000,
        [],
        "已就总部大厦用地条件、入驻企业扶持政策进行三轮洽谈。",
        "",
        None,
        False,
        False,
    ),
    (
        "QHKFQ-SM",
        "农副产品交易市场升级改造项目",
        "丰收农产品市场有限公司",
        "F51 批发业",
        "at_capacity",
        "",
        "zone",
        7800,
        [],
        "升级改造全部完成，市场经营正常，商户入驻率98%。",
        "",
        None,
        False,
        False,
    ),
    (
        "QHKFQ-SM",
        "中央厨房及预制菜加工项目",
        "味满仓食品有限公司",
        "C14 食品制造业",
        "signed",
        "new_start",
        "district",
        16000,
        [],
        "已签约，租用园区标准化厂房，正在进行厂房改造设计。",
        "",
        None,
        False,
        False,
    ),
    (
        "QHKFQ-SM",
        "分布式光伏发电项目",
        "清能新能源有限公司",
        "D44 电力、热力生产和供应业",
        "landed",
        "new_start",
        "zone",
        5200,
        [],
        "项目已备案，屋顶租赁协议已签订，正在办理电网接入手续。",
        "电网接入容量需供电公司复核。",
        None,
        True,
        False,
    ),
]

# Departments in charge, by the stage the project is in.
RESPONSIBLE = {
    "lead": "QHKFQ-ZS",
    "negotiating": "QHKFQ-ZS",
    "signed": "QHKFQ-ZS",
    "landed": "QHKFQ-ZR",
    "preparing": "QHKFQ-FG",
    "under_construction": "QHKFQ-ZJ",
    "completed": "QHKFQ-ZJ",
    "operating": "QHKFQ-FG",
    "at_capacity": "QHKFQ-FG",
}

CONTENT = {
    "C": "新建生产厂房{area}万平方米及仓库、办公楼等配套设施，购置生产及检测设备{n}台（套）。",
    "G": "新建仓储及分拨用房{area}万平方米，配套建设装卸平台、停车场及信息化管理系统。",
    "I": "建设研发及数据中心用房{area}万平方米，购置服务器、网络及安全设备{n}台（套）。",
    "M": "建设研发、中试及孵化用房{area}万平方米，配套公共技术服务平台。",
    "K": "总建筑面积{area}万平方米，建设购物中心、商业街区、地下车库及配套设施。",
    "F": "建设交易展示及仓储用房{area}万平方米，配套停车场和信息化交易平台。",
    "H": "总建筑面积{area}万平方米，建设酒店主楼、会议及展览中心。",
    "L": "建设办公大楼{area}万平方米，配套会议、商务服务等设施。",
    "D": "利用厂房屋顶建设分布式光伏电站，装机容量{n}兆瓦。",
}


# ---------------------------------------------------------------- shared helpers
def _between(rng: random.Random, lo: date, hi: date) -> date:
    if hi <= lo:
        return lo
    return lo + timedelta(days=rng.randint(0, (hi - lo).days))


def main_path(
    stage: str, resume: str | None = None, *, skip_negotiating: bool = False
) -> list[str]:
    """The main-line stages a project passed through to reach `stage` (or `resume` for a side exit)."""
    target = resume if stage in S.SIDE else stage
    path = list(S.MAIN_LINE[: S.MAIN_LINE.index(target) + 1])
    if skip_negotiating and "negotiating" in path and path[-1] != "negotiating":
        path.remove("negotiating")
    return path + ([stage] if stage in S.SIDE else [])


def timeline(rng: random.Random, path: list[str], today: date, category: str = "") -> list[date]:
    """Dates of each move along `path` (first element: the date the project was entered), all in
    the past and non-decreasing. The plan category pins the key date into the right year:
    新开工 started this year, 续建 started before this year, 竣工投产 completed (or put into
    production) this year."""
    jan1 = date(today.year, 1, 1)
    durations = [0] + [rng.randint(*STEP_DAYS.get(s, (20, 120))) for s in path[1:]]
    anchor_stage, anchor_date = None, None
    if category == "new_start" and "under_construction" in path:
        anchor_stage = "under_construction"
        latest = today - timedelta(days=min(5, (today - jan1).days))
        anchor_date = _between(rng, max(jan1, today - timedelta(days=240)), latest)
    elif category == "continuing" and "under_construction" in path:
        anchor_stage = "under_construction"
        anchor_date = jan1 - timedelta(days=rng.randint(20, 420))
    elif category == "completing" and "operating" in path:
        anchor_stage = "operating"
        anchor_date = _between(rng, jan1, today - timedelta(days=min(3, (today - jan1).days)))
    elif category == "completing" and "completed" in path:
        anchor_stage = "completed"
        anchor_date = _between(rng, jan1, today - timedelta(days=min(3, (today - jan1).days)))
    elif category == "completing" and path[-1] == "under_construction":
        anchor_stage = "under_construction"
        anchor_date = today - timedelta(days=rng.randint(280, 650))
    last_gap = rng.randint(3, 75)
    n = len(path)
    dates: list[date] = [today] * n
    if anchor_stage is None:
        dates[-1] = today - timedelta(days=last_gap)
        a = n - 1
    else:
        a = path.index(anchor_stage)
        dates[a] = min(anchor_date, today)
        end = min(today, today - timedelta(days=last_gap) if a < n - 1 else today)
        fwd = durations[a + 1 :]
        span = (end - dates[a]).days
        total = sum(fwd)
        if fwd and total > span:  # compress the moves after the anchor into the time left
            fwd = [d * max(span, 0) // total for d in fwd]
        for i in range(a + 1, n):
            dates[i] = dates[i - 1] + timedelta(days=fwd[i - a - 1])
    for i in range(a - 1, -1, -1):
        dates[i] = dates[i + 1] - timedelta(days=durations[i + 1])
    return [min(d, today) for d in dates]


def planned_dates(
    rng: random.Random, moves: dict[str, date], today: date, category: str = ""
) -> dict[str, date]:
    """Planned 签约/开工/竣工/投产 dates consistent with the moves already made: before or near the
    actual dates when they exist (some projects slipped), in the future otherwise; 新开工 plans
    to start this year, 竣工投产 to complete this year. Always in order."""
    dec31 = date(today.year, 12, 31)
    out: dict[str, date] = {}
    if "signed" in moves:
        out["planned_signing_date"] = moves["signed"] - timedelta(days=rng.randint(-10, 45))
    else:
        out["planned_signing_date"] = today + timedelta(days=rng.randint(20, 200))
    if "under_construction" in moves:
        start = moves["under_construction"] - timedelta(days=rng.choice([0, 0, 10, 30, 60, 90]))
    elif category == "new_start":
        start = _between(rng, today + timedelta(days=5), max(dec31, today + timedelta(days=5)))
    else:
        start = out["planned_signing_date"] + timedelta(days=rng.randint(90, 360))
        start = max(start, today + timedelta(days=rng.randint(30, 240)))
    if category == "new_start":
        start = max(start, date(today.year, 1, 1))
    out["planned_start_date"] = max(start, out["planned_signing_date"])
    if "completed" in moves:
        completion = moves["completed"] - timedelta(days=rng.choice([0, 0, 15, 45, 90]))
    elif category == "completing":
        completion = _between(rng, today, dec31)
    else:
        completion = out["planned_start_date"] + timedelta(days=rng.randint(300, 900))
        if "under_construction" in moves:
            completion = max(completion, today + timedelta(days=rng.randint(30, 400)))
    out["planned_completion_date"] = max(completion, out["planned_start_date"])
    if "operating" in moves:
        production = moves["operating"] - timedelta(days=rng.choice([0, 10, 30, 60]))
    else:
        production = out["planned_completion_date"] + timedelta(days=rng.randint(30, 150))
    out["planned_production_date"] = max(production, out["planned_completion_date"])
    return out


def money_fields(
    rng: random.Random,
    total: Decimal,
    stage: str,
    category: str,
    moves: dict[str, date],
    today: date,
) -> dict:
    """Annual plan, completed-this-year and completed-since-start consistent with each other (万元)."""
    out: dict = {"total_investment": total}
    resume_rank = max(S.rank(s) for s in moves) if moves else 0
    started = "under_construction" in moves
    if category in ("new_start", "continuing", "completing"):
        annual = (total * Decimal(rng.uniform(0.15, 0.55))).quantize(Decimal("1"))
    elif category == "reserve":
        annual = (total * Decimal(rng.uniform(0.01, 0.05))).quantize(Decimal("1"))
    else:
        annual = None
    out["annual_plan_investment"] = annual
    if started:
        if resume_rank >= S.rank("completed"):
            share = rng.uniform(0.85, 1.0)
        else:
            days = max(0, (today - moves["under_construction"]).days)
            share = min(0.9, 0.05 + days / 900)
        since = (total * Decimal(share)).quantize(Decimal("1"))
        out["completed_since_start"] = since
        if annual is not None:
            pace = Decimal((today.timetuple().tm_yday / 366) * rng.uniform(0.6, 1.1))
            out["completed_this_year"] = min(annual, since, (annual * pace).quantize(Decimal("1")))
    return out


def category_for(rng: random.Random, stage: str, resume: str | None = None) -> str:
    """A plausible plan category for a project in this stage (generator)."""
    s = resume if stage in S.SIDE else stage
    r = rng.random()
    if s in ("lead", "negotiating"):
        return "reserve" if r < 0.35 else ""
    if s in ("signed", "landed", "preparing"):
        return (
            "new_start"
            if r < (0.45 if s == "preparing" else 0.2)
            else ("reserve" if r < 0.9 else "")
        )
    if s == "under_construction":
        return "new_start" if r < 0.35 else ("continuing" if r < 0.8 else "completing")
    if s in ("completed", "operating"):
        return "completing" if r < 0.6 else ""
    return ""


def national_code(year: int, region: str, industry_code: str, kind: int, serial: int) -> str:
    digits = "".join(ch for ch in industry_code if ch.isdigit())[:2] or "99"
    return f"{year:04d}-{region}-{digits.zfill(2)}-{kind:02d}-{serial:06d}"


# ---------------------------------------------------------------- the demo ledger
def build(stdout=None) -> dict:
    """Add the demo projects that are missing. Returns {"projects": created, "skipped": existing}."""
    today = timezone.localdate()
    units = {u.code: u for u in Unit.objects.filter(code__startswith="QHKFQ")}
    missing = [code for code in PARKS if code not in units]
    if missing:
        raise RuntimeError(f"演示园区不存在：{', '.join(missing)}。请先建立组织演示数据。")
    people = {
        u.username: u
        for u in User.objects.filter(
            username__in=[
                *(p[0] for p in PARKS.values()),
                *(p[1] for p in PARKS.values()),
                "quzhang",
                "fuzhuren",
            ]
        )
    }
    created = skipped = 0
    with acting_as(None, channel="cli"), transaction.atomic():
        for index, spec in enumerate(PROJECTS):
            (
                park,
                name,
                investor,
                industry,
                stage,
                category,
                level,
                total,
                extra_leads,
                progress,
                issues,
                side,
                has_code,
                has_coords,
            ) = spec
            unit = units[park]
            if _exists(unit, name):
                skipped += 1
                continue
            rng = random.Random(f"{SEED}:{index}")
            resume, reason = side if side else (None, "")
            path = main_path(stage, resume)
            dates = timeline(rng, path, today, category)
            moves = dict(zip(path, dates))
            secretary_name, leader_name, lat, lon, roads = PARKS[park]
            total_d = Decimal(total)
            data = {
                "name": name,
                "investor": investor,
                "industry": industry,
                "level": level,
                "plan_category": category,
                "plan_year": today.year if category else None,
                "progress_text": progress,
                "issues_text": issues,
                "address": f"{unit.name}{rng.choice(roads)}以{rng.choice('东西南北')}、"
                f"{rng.choice(roads[::-1])}以{rng.choice('东西南北')}",
                **planned_dates(rng, moves, today, category),
                **money_fields(rng, total_d, stage, category, moves, today),
            }
            data.update(_sizes(rng, industry, total_d))
            if has_code and "signed" in moves:
                kind = 1 if industry.startswith(("K", "H")) else rng.choice([2, 3, 3])
                code = national_code(
                    moves["signed"].year,
                    REGION,
                    industry.split()[0],
                    kind,
                    100000 + rng.randint(0, 899999),
                )
                if not Project.objects.filter(national_code=code).exists():
                    data["national_code"] = code
            if has_coords:
                data["latitude"] = Decimal(f"{lat + rng.uniform(-0.012, 0.012):.6f}")
                data["longitude"] = Decimal(f"{lon + rng.uniform(-0.015, 0.015):.6f}")
            leads = [people[leader_name]] + [people[u] for u in extra_leads if u in people]
            responsible = units.get(RESPONSIBLE[resume or stage])
            if "征收" in issues:
                responsible = units.get("QHKFQ-ZSB", responsible)
            project = services.create_project(
                SYSTEM,
                unit=unit,
                data=data,
                lead_officials=leads,
                secretary=people.get(secretary_name),
                responsible_unit=responsible,
                stage="lead",
                stage_date=dates[0],
                note="招商线索录入",
            )
            for step, on in zip(path[1:], dates[1:]):
                project = services.transition(
                    SYSTEM,
                    project,
                    step,
                    on,
                    note=_NOTES.get(step, ""),
                    reason=reason if step in S.SIDE else "",
                )
            created += 1
    if stdout is not None:
        stdout.write(f"演示项目：新建 {created} 个，已存在 {skipped} 个。")
    return {"projects": created}


_NOTES = {
    "negotiating": "进入实质性洽谈",
    "signed": "签订投资协议",
    "landed": "企业注册落地",
    "preparing": "开展前期手续办理",
    "under_construction": "项目开工建设",
    "completed": "竣工验收",
    "operating": "投产运营",
    "at_capacity": "全面达产",
}


def _exists(unit: Unit, name: str) -> bool:
    return Project.objects.filter(unit=unit, name_key=normalise_name(name)).exists()


def _sizes(rng: random.Random, industry: str, total: Decimal) -> dict:
    """Land (亩), building content, expected output/tax/jobs from the investment and the sector."""
    section = industry[:1]
    if section in ("C", "G", "D"):
        intensity = rng.uniform(280, 520)  # 万元/亩, 投资强度
    elif section in ("K", "F", "H"):
        intensity = rng.uniform(500, 1200)
    else:
        intensity = rng.uniform(600, 1500)
    land = (total / Decimal(intensity)).quantize(Decimal("0.01"))
    area = max(
        Decimal("0.3"), (land * Decimal(rng.uniform(0.6, 1.1)) / 15).quantize(Decimal("0.1"))
    )
    template = CONTENT.get(section, CONTENT["C"])
    output_ratio = {"C": (1.2, 2.5), "I": (0.6, 1.5), "G": (0.3, 0.8)}.get(section, (0.2, 0.6))
    output = (total * Decimal(rng.uniform(*output_ratio))).quantize(Decimal("1"))
    return {
        "land_area_mu": land,
        "content_scale": template.format(
            area=area, n=max(2, int(total / 400) if section != "D" else int(total / 450))
        ),
        "expected_output": output,
        "expected_tax": (output * Decimal(rng.uniform(0.03, 0.08))).quantize(Decimal("1")),
        "expected_jobs": max(20, int(total / Decimal(rng.uniform(60, 200)))),
    }

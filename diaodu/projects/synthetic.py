"""The plan of a synthetic deployment for `diaodu gen`: word lists and the pure Plan.

Deterministic and free of writes: diaodu/projects/gen.py stores it."""

from __future__ import annotations

import bisect
import math
import random
from decimal import Decimal
from itertools import accumulate

from diaodu import clock
from diaodu.engine import stages as S
from diaodu.engine.textnorm import normalise_name
from diaodu.projects import demo as D

# ---------------------------------------------------------------- word lists
PLACE_A = list("清安长永兴临宁平新东西南北江河山松柏桦榆昌丰泰和康德嘉富华龙辽吉通白双梅舒蛟磐桂")
PLACE_B = list("阳安平江川宁山原泉城源林丰兴州岭湖洲台定化春远口水甸")
SURNAMES = list(
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = list(
    "建国立新思远慧敏海涛明晓燕磊静斌志刚永军东成伟勇强军平华红丽娜秀英俊杰鹏飞宇浩然博文雪梅春"
)
BRAND_A = list("华鑫瑞恒盛德泰宏博众金银天中嘉永凯亿同航")
BRAND_B = list("通达源科信远驰诚拓邦创美润联晟辉川峰元康")
ZONE_SUFFIX = [
    ("经济开发区", "开发区"),
    ("高新技术产业开发区", "高新区"),
    ("经济技术开发区", "经开区"),
    ("工业园区", "工业园"),
    ("高新区", "高新区"),
]

# GB/T 4754 大类: code → (name, products, investor word, weight)
INDUSTRIES = {
    "C36": (
        "汽车制造业",
        ["新能源汽车零部件", "汽车轻量化部件", "汽车电子", "动力电池包", "汽车座椅", "商用车"],
        "汽车零部件",
        10,
    ),
    "C38": (
        "电气机械和器材制造业",
        ["锂离子电池", "储能设备", "新能源汽车电机电控", "智能电网设备", "光伏组件"],
        "新能源科技",
        8,
    ),
    "C39": (
        "计算机、通信和其他电子设备制造业",
        ["半导体封装测试", "智能传感器", "光电显示模组", "电子元器件", "5G通信模块"],
        "电子科技",
        7,
    ),
    "C35": (
        "专用设备制造业",
        ["智能农机装备", "医疗器械", "工程机械", "环保设备", "食品机械"],
        "智能装备",
        7,
    ),
    "C34": (
        "通用设备制造业",
        ["工业机器人", "精密减速器", "数控机床", "风机泵阀", "轴承"],
        "机械",
        6,
    ),
    "C33": ("金属制品业", ["精密铸件", "钢结构", "金属包装容器", "紧固件"], "金属制品", 4),
    "C27": (
        "医药制造业",
        ["生物制药", "中药配方颗粒", "疫苗", "原料药", "化学制剂", "细胞治疗产品"],
        "药业",
        6,
    ),
    "C26": (
        "化学原料和化学制品制造业",
        ["可降解材料", "电子化学品", "生物基材料", "精细化工产品"],
        "新材料",
        4,
    ),
    "C29": ("橡胶和塑料制品业", ["高分子材料", "塑料制品", "橡胶制品"], "新材料", 3),
    "C30": ("非金属矿物制品业", ["新型建材", "装配式建筑构件", "玻璃纤维", "陶瓷材料"], "建材", 3),
    "C13": (
        "农副食品加工业",
        ["玉米深加工", "肉牛屠宰及精深加工", "粮食仓储加工", "饲料"],
        "农业发展",
        5,
    ),
    "C14": ("食品制造业", ["预制菜", "乳制品", "休闲食品", "中央厨房"], "食品", 4),
    "D44": (
        "电力、热力生产和供应业",
        ["分布式光伏发电", "风电", "生物质热电联产", "储能电站"],
        "新能源",
        4,
    ),
    "G59": (
        "装卸搬运和仓储业",
        ["智慧冷链物流园", "电商快递分拨中心", "保税仓储", "智能仓储配送中心"],
        "供应链管理",
        6,
    ),
    "G54": ("道路运输业", ["公路货运枢纽", "城市配送中心", "甩挂运输站场"], "物流", 3),
    "I65": (
        "软件和信息技术服务业",
        ["软件和信息技术服务外包基地", "工业软件研发中心", "数字经济产业园"],
        "信息技术",
        4,
    ),
    "I64": ("互联网和相关服务", ["大数据中心", "工业互联网平台", "跨境电商平台"], "数据科技", 3),
    "M73": ("研究和试验发展", ["新材料中试基地", "研发中心", "检验检测中心"], "研究院", 2),
    "M75": ("科技推广和应用服务业", ["科技企业孵化器", "众创空间", "技术转移中心"], "科技服务", 2),
    "K70": ("房地产业", ["城市综合体", "人才公寓", "商业街区"], "置业", 3),
    "F51": ("批发业", ["建材家居博览中心", "农副产品交易市场", "汽车商贸城"], "商贸", 3),
    "H61": ("住宿业", ["星级酒店", "商务酒店", "会展中心配套酒店"], "酒店管理", 1),
    "L72": ("商务服务业", ["总部经济大厦", "人力资源服务产业园", "会展中心"], "企业管理", 2),
}
IND_CODES = list(INDUSTRIES)
IND_CUM = list(accumulate(INDUSTRIES[c][3] for c in IND_CODES))

# park themes: (name, short, preferred industries)
PARK_THEMES = [
    ("装备制造产业园", "装备园", ["C34", "C35", "C33", "C38"]),
    ("汽车零部件产业园", "汽配园", ["C36", "C38", "C33"]),
    ("现代物流产业园", "物流园", ["G59", "G54"]),
    ("生物医药产业园", "医药园", ["C27", "M73", "C35"]),
    ("电子信息产业园", "电子园", ["C39", "I65", "I64"]),
    ("新材料产业园", "新材料园", ["C26", "C29", "C30"]),
    ("食品加工产业园", "食品园", ["C13", "C14"]),
    ("新能源产业园", "新能源园", ["D44", "C38"]),
    ("数字经济产业园", "数字园", ["I65", "I64", "M75"]),
    ("商贸服务园", "商贸园", ["F51", "K70", "H61", "L72"]),
    ("科技创新园", "科创园", ["M73", "M75", "C39"]),
    ("精细化工园区", "化工园", ["C26", "C29"]),
]
DEPARTMENTS = [
    ("ZS", "招商局", "department"),
    ("ZR", "自然资源局", "department"),
    ("FG", "发改局", "department"),
    ("ZJ", "住建局", "department"),
    ("ZSB", "征收办", "department"),
    ("JF", "经济发展局", "department"),
    ("HB", "生态环境分局", "department"),
    ("DC", "督查室", "office"),
]
RESPONSIBLE_BY_STAGE = {
    "lead": "ZS",
    "negotiating": "ZS",
    "signed": "ZS",
    "landed": "ZR",
    "preparing": "FG",
    "under_construction": "ZJ",
    "completed": "ZJ",
    "operating": "JF",
    "at_capacity": "JF",
}
ROADS = [
    "长江路",
    "黄河路",
    "创业大街",
    "兴业路",
    "科技大街",
    "富民大街",
    "工业大路",
    "振兴路",
    "繁荣路",
    "和平大街",
    "人民大街",
    "临河街",
    "开发大路",
    "通达路",
    "汇金路",
    "园区一路",
    "园区二路",
    "纬三路",
    "经五路",
]

STAGE_WEIGHTS = [
    ("lead", 8),
    ("negotiating", 8),
    ("signed", 10),
    ("landed", 6),
    ("preparing", 14),
    ("under_construction", 26),
    ("completed", 8),
    ("operating", 12),
    ("at_capacity", 4),
    ("suspended", 3),
    ("dropped", 1),
]
STAGES = [s for s, _ in STAGE_WEIGHTS]
STAGE_CUM = list(accumulate(w for _, w in STAGE_WEIGHTS))

PATTERNS = [
    "年产{q}{product}项目",
    "{brand}{product}生产基地项目",
    "{product}产业园{phase}项目",
    "{brand}{product}智能制造项目",
    "{product}研发及产业化项目",
    "{brand}{product}扩能改造项目",
    "{brand}{product}项目{phase}",
]
SERVICE_PATTERNS = [
    "{brand}{product}项目",
    "{product}{phase}项目",
    "{place}{product}项目",
    "{brand}{product}建设项目",
]
PHASES = ["", "", "一期", "二期", "三期"]
QUANTITIES = ["{n}万吨", "{n}万台", "{n}万套", "{n}万件", "{n}亿支", "{n}吨"]

SOURCES = [
    "以商招商",
    "驻外招商小分队",
    "省市招商推介会",
    "商协会推介",
    "中介机构推介",
    "企业主动对接",
    "校友资源",
]
TOPICS = ["用地条件", "扶持政策", "厂房代建", "投资强度和税收承诺", "项目选址", "基金参股方式"]
PROCEDURES = [
    "项目备案",
    "用地预审与选址意见书",
    "环评批复",
    "能评批复",
    "土地摘牌",
    "建设用地规划许可证",
    "建设工程规划许可证",
    "施工图审查",
    "施工许可证",
]
BUILDINGS = [
    "1#生产厂房",
    "2#生产厂房",
    "综合办公楼",
    "成品仓库",
    "研发楼",
    "配套宿舍",
    "动力车间",
    "联合厂房",
]
WORKS = [
    "基础施工完成",
    "主体结构施工至{n}层",
    "钢结构吊装完成{p}%",
    "主体封顶",
    "正在进行二次结构砌筑",
    "正在进行外墙装饰",
    "设备基础施工中",
    "正在进行机电安装",
]
EARLY_ISSUES = [
    "项目用地尚有{n}户未完成征收，影响场地平整。",
    "用地指标需市级统筹，组卷报批进度较慢。",
    "企业融资未完全到位，建设资金存在缺口约{m}万元。",
    "环评批复需补充大气污染物总量指标来源。",
    "地块内有高压线需迁改，迁改费用分担尚未明确。",
    "规划条件与企业设计方案存在冲突，需规委会研究。",
    "企业要求园区代建标准化厂房，代建资金来源需研究。",
    "企业对扶持政策兑现方式有顾虑，需进一步沟通。",
]
BUILD_ISSUES = [
    "施工用电需新建专线，供电方案尚未批复。",
    "施工图审查意见涉及消防设计调整，需重新报审。",
    "企业融资未完全到位，建设资金存在缺口约{m}万元。",
    "部分进口设备到货延迟，影响安装调试进度。",
    "周边市政道路未打通，施工车辆通行困难。",
    "天然气管网未接入，需燃气公司配套建设。",
    "企业反映技术工人招聘困难，需协助组织专场招聘。",
    "项目红线内尚有{n}户未完成征收，影响施工。",
]
SUSPEND_REASONS = [
    "企业资金链紧张，经协商暂缓建设。",
    "受市场需求变化影响，企业调整投资计划，暂缓推进。",
    "用地指标暂未落实，项目暂缓。",
    "环评审批未通过，需调整工艺方案后再推进。",
]
DROP_REASONS = [
    "企业投资战略调整，终止在我区投资。",
    "项目选址不符合国土空间规划，无法落地。",
    "企业被其他地区以更优惠条件引走，项目终止。",
    "经评估项目能耗指标无法保障，终止引进。",
]


def _pick(rng: random.Random, items, cum):
    return items[bisect.bisect_right(cum, rng.random() * cum[-1])]


# ---------------------------------------------------------------- the plan (pure)
class Plan:
    """The deterministic plan of one generation: units, people, then a stream of projects."""

    def __init__(self, seed: int, projects: int, zones: int | None = None):
        self.seed, self.n = seed, projects
        self.zones = zones or max(1, min(200, round(projects / 1000)))
        self.rng = random.Random(seed)
        self.today = clock.today()
        self.root_code = f"GEN-S{seed}"
        self.units: list[dict] = []  # in creation order: parents before children
        self.people: list[dict] = []
        self._plan_tree()

    # units: dict(code, name, short_name, kind, parent, region_code, sort_order)
    def _unit(self, code, name, short, kind, parent, region="", order=0, **extra):
        u = {
            "code": code,
            "name": name[:100],
            "short_name": short[:40],
            "kind": kind,
            "parent": parent,
            "region_code": region,
            "sort_order": order,
            **extra,
        }
        self.units.append(u)
        return u

    def _place(self, used: set) -> str:
        rng = self.rng
        for _ in range(200):
            p = rng.choice(PLACE_A) + rng.choice(PLACE_B)
            if p not in used:
                used.add(p)
                return p
        p = rng.choice(PLACE_A) + rng.choice(PLACE_B) + rng.choice(PLACE_B)
        used.add(p)
        return p

    def _person(self, rng, unit_code, position, role, kind):
        name = (
            rng.choice(SURNAMES)
            + rng.choice(GIVEN)
            + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        )
        p = {
            "username": f"gen_s{self.seed}_{len(self.people) + 1:05d}",
            "name": name,
            "unit": unit_code,
            "position": position,
            "role": role,
            "kind": kind,
        }
        self.people.append(p)
        return p

    def _plan_tree(self):
        rng, seed = self.rng, self.seed
        used: set[str] = set()
        province = self._place(used)
        self._unit(
            self.root_code,
            f"{province}省（合成数据·种子{seed}）",
            f"{province}省",
            "province",
            None,
        )
        n_districts = max(1, math.ceil(self.zones / 1.5))
        n_cities = max(1, math.ceil(n_districts / 8))
        cities = [
            self._unit(
                f"{self.root_code}-C{c + 1:02d}",
                f"{(pl := self._place(used))}市",
                f"{pl}市",
                "city",
                self.root_code,
                order=c,
            )
            for c in range(n_cities)
        ]
        districts = []
        for d in range(n_districts):
            pl = self._place(used)
            kind_word = "区" if rng.random() < 0.7 else "县"
            region = f"9{seed % 100:02d}{(d + 1) % 1000:03d}"
            districts.append(
                self._unit(
                    f"{cities[d % n_cities]['code']}-D{d + 1:03d}",
                    f"{pl}{kind_word}",
                    f"{pl}{kind_word}",
                    "district",
                    cities[d % n_cities]["code"],
                    region,
                    d,
                )
            )
        self.parks: list[dict] = []
        self.zone_list: list[dict] = []
        for z in range(self.zones):
            district = districts[z % n_districts]
            pl = self._place(used)
            suffix, short = rng.choice(ZONE_SUFFIX)
            zcode = f"{self.root_code}-Z{z + 1:03d}"
            zone = self._unit(
                zcode,
                f"{pl}{suffix}",
                f"{pl}{short}",
                "zone",
                district["code"],
                order=z,
                district=district,
                lat=rng.uniform(39.5, 46.5),
                lon=rng.uniform(121.0, 130.5),
                weight=rng.lognormvariate(0, 0.6),
            )
            self.zone_list.append(zone)
            themes = rng.sample(PARK_THEMES, rng.randint(3, 6))
            zone["depts"] = {}
            for i, (dcode, dname, dkind) in enumerate(DEPARTMENTS):
                if dcode in ("ZS", "ZR", "FG", "ZJ", "DC") or rng.random() < 0.6:
                    zone["depts"][dcode] = self._unit(
                        f"{zcode}-{dcode}", dname, dname, dkind, zcode, order=100 + i
                    )
            zone["leaders"] = [self._person(rng, zcode, "管委会主任", "leader", "director")] + [
                self._person(rng, zcode, "管委会副主任", "leader", "deputy")
                for _ in range(rng.randint(1, 2))
            ]
            for p, (tname, tshort, inds) in enumerate(themes):
                park = self._unit(
                    f"{zcode}-P{p + 1}",
                    tname,
                    tshort,
                    "park",
                    zcode,
                    order=p,
                    zone=zone,
                    inds=inds,
                    weight=zone["weight"] * rng.uniform(0.4, 1.6),
                )
                park["secretaries"] = [
                    self._person(rng, park["code"], "项目秘书", "secretary", "secretary")
                    for _ in range(1 if rng.random() < 0.7 else 2)
                ]
                park["roads"] = rng.sample(ROADS, 3)
                self.parks.append(park)
        self.park_cum = list(accumulate(p["weight"] for p in self.parks))

    # ------------------------------------------------------------ projects
    def projects(self):
        """Yield one dict per project (fields, lead officials, stage moves, year plans)."""
        rng, today = self.rng, self.today
        serial = 0
        taken: set[tuple[str, str]] = (
            set()
        )  # (park, name key): a park's ledger names each project once
        for _ in range(self.n):
            park = _pick(rng, self.parks, self.park_cum)
            zone = park["zone"]
            if rng.random() < 0.75:
                ind = rng.choice(park["inds"])
            else:
                ind = _pick(rng, IND_CODES, IND_CUM)
            ind_name, products, inv_word, _w = INDUSTRIES[ind]
            industry = f"{ind} {ind_name}"
            product = rng.choice(products)
            brand = rng.choice(BRAND_A) + rng.choice(BRAND_B)
            phase = rng.choice(PHASES)
            if ind[0] == "C":
                q = rng.choice(QUANTITIES).format(
                    n=rng.choice([1, 2, 3, 5, 8, 10, 12, 15, 20, 30, 50, 100])
                )
                name = rng.choice(PATTERNS).format(q=q, product=product, brand=brand, phase=phase)
            else:
                name = rng.choice(SERVICE_PATTERNS).format(
                    product=product, brand=brand, phase=phase, place=zone["short_name"][:2]
                )
            base, k = name, 1
            while (park["code"], normalise_name(name)) in taken:
                k += 1
                name = f"{base}（{k}号地块）"
            taken.add((park["code"], normalise_name(name)))
            investor = f"{brand}{inv_word}{rng.choice(['有限公司', '有限公司', '股份有限公司', '集团有限公司'])}"
            if rng.random() < 0.2:
                investor = f"{zone['district']['name'][:2]}{investor}"
            stage = _pick(rng, STAGES, STAGE_CUM)
            resume, reason = None, ""
            if stage == "suspended":
                resume = rng.choice(
                    ["signed", "landed", "preparing", "preparing", "under_construction"]
                )
                reason = rng.choice(SUSPEND_REASONS)
            elif stage == "dropped":
                resume = rng.choice(["lead", "negotiating", "negotiating", "signed"])
                reason = rng.choice(DROP_REASONS)
            category = D.category_for(rng, stage, resume)
            path = D.main_path(stage, resume, skip_negotiating=rng.random() < 0.3)
            dates = D.timeline(rng, path, today, category)
            moves = dict(zip(path, dates))
            total = Decimal(
                int(min(3_000_000, max(300, rng.lognormvariate(math.log(15000), 1.15))))
            )
            if total >= 10000:
                total = (total / 100).quantize(Decimal("1")) * 100
            r = rng.random()
            if total >= 100000:
                level = "province" if r < 0.4 else ("city" if r < 0.85 else "district")
            elif total >= 30000:
                level = "city" if r < 0.4 else ("district" if r < 0.85 else "zone")
            else:
                level = "district" if r < 0.35 else ("zone" if r < 0.9 else "city")
            fields = {
                "name": name,
                "investor": investor,
                "industry_code": ind,
                "industry_text": ind_name,
                "level": level,
                "plan_category": category,
                "plan_year": today.year if category else None,
                "address": f"{park['name']}{park['roads'][0]}以{rng.choice('东西南北')}、"
                f"{park['roads'][1]}以{rng.choice('东西南北')}",
                "stage": stage,
                "stage_date": dates[-1],
                "resume_stage": resume or "",
                "version": len(path),
            }
            fields.update(D.planned_dates(rng, moves, today, category))
            fields.update(D.money_fields(rng, total, stage, category, moves, today))
            fields.update(D._sizes(rng, industry, total))
            for st, f in S.DATE_FIELD.items():
                if st in moves:
                    fields[f] = moves[st]
            fields["progress_text"] = self._progress(rng, stage, fields)
            pool = BUILD_ISSUES if S.rank(resume or stage) >= S.rank("preparing") else EARLY_ISSUES
            fields["issues_text"] = (
                rng.choice(pool).format(n=rng.randint(1, 12), m=rng.randint(5, 200) * 100)
                if stage not in ("at_capacity", "dropped") and rng.random() < 0.4
                else ""
            )
            if "signed" in moves and rng.random() < 0.55:
                serial += 1
                fields["national_code"] = D.national_code(
                    moves["signed"].year,
                    zone["district"]["region_code"],
                    ind,
                    rng.choice([1, 2, 3, 3, 3]),
                    serial % 1_000_000,
                )
            if rng.random() < 0.3:
                fields["latitude"] = Decimal(f"{zone['lat'] + rng.uniform(-0.03, 0.03):.6f}")
                fields["longitude"] = Decimal(f"{zone['lon'] + rng.uniform(-0.04, 0.04):.6f}")
            secretary = rng.choice(park["secretaries"]) if rng.random() < 0.95 else None
            leaders = [rng.choice(zone["leaders"][1:] or zone["leaders"])]
            if total >= 50000 or rng.random() < 0.15:
                if zone["leaders"][0] not in leaders:
                    leaders.insert(0, zone["leaders"][0])
            resp_code = RESPONSIBLE_BY_STAGE[resume or stage]
            if "征收" in fields["issues_text"]:
                resp_code = "ZSB"
            if resp_code not in zone["depts"]:
                resp_code = "FG"
            changes = [("", path[0], dates[0], "新建项目", "")]
            for prev, step, on in zip(path, path[1:], dates[1:]):
                changes.append(
                    (prev, step, on, D._NOTES.get(step, ""), reason if step in S.SIDE else "")
                )
            plans = []
            if category:
                plans.append((today.year, category, fields.get("annual_plan_investment")))
                if (
                    category in ("continuing", "completing")
                    and moves.get("under_construction")
                    and moves["under_construction"].year < today.year
                ):
                    prev_cat = (
                        "new_start"
                        if moves["under_construction"].year == today.year - 1
                        else "continuing"
                    )
                    plans.append(
                        (
                            today.year - 1,
                            prev_cat,
                            (total * Decimal(rng.uniform(0.15, 0.4))).quantize(Decimal("1")),
                        )
                    )
            yield {
                "unit": park["code"],
                "fields": fields,
                "secretary": secretary and secretary["username"],
                "leaders": [p["username"] for p in leaders],
                "responsible": zone["depts"][resp_code]["code"],
                "changes": changes,
                "plans": plans,
            }

    def _progress(self, rng, stage, f) -> str:
        if stage == "lead":
            return f"通过{rng.choice(SOURCES)}获取线索，" + rng.choice(
                ["已与企业初步接洽。", "企业已来区实地考察。", "正在收集企业资料研判项目可行性。"]
            )
        if stage == "negotiating":
            return f"已开展{rng.randint(1, 5)}轮洽谈，双方就{rng.choice(TOPICS)}进行磋商。"
        if stage == "signed":
            return (
                f"已签订{rng.choice(['投资框架协议', '正式投资协议', '投资合作协议'])}，"
                + rng.choice(
                    ["企业正在注册项目公司。", "正在编制可行性研究报告。", "规划设计单位已进场。"]
                )
            )
        if stage == "landed":
            return "项目公司已注册落地，" + rng.choice(
                ["正在办理项目备案。", "正在开展用地组卷报批。", "正在进行土地招拍挂准备。"]
            )
        if stage == "preparing":
            k = rng.randint(1, len(PROCEDURES) - 1)
            return f"已取得{PROCEDURES[k - 1]}，正在办理{PROCEDURES[k]}。"
        if stage == "under_construction":
            a, b = rng.sample(BUILDINGS, 2)
            w1, w2 = (
                w.format(n=rng.randint(2, 12), p=rng.randint(20, 95)) for w in rng.sample(WORKS, 2)
            )
            since = f.get("completed_since_start")
            return f"{a}{w1}，{b}{w2}。" + (f"累计完成投资{since}万元。" if since else "")
        if stage == "completed":
            return "主体工程已竣工，" + rng.choice(
                ["正在进行设备安装调试。", "已完成竣工验收备案。", "正在办理消防验收。"]
            )
        if stage == "operating":
            return f"项目已投产，产能利用率约{rng.randint(30, 90)}%。"
        if stage == "at_capacity":
            return f"项目已全面达产，本年实现产值{f.get('expected_output') or 0}万元。"
        if stage == "suspended":
            return "项目暂缓推进，园区持续跟踪企业情况。"
        return "项目已终止。"

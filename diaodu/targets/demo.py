"""The demo zone's targets: the indicator catalogue, this year's 目标责任状 of the five parks (the
speech's "开工项目19个、签约项目6个、在谈项目8个、征供地400公顷" shared out among the parks), monthly
entered values January–October, the peer regions of the city for the economic ranking, this
year's assessment scheme with its monthly rankings, and last year's results for 纵向比.

A few 新开工 projects are added to the ledger through the project services (created, then moved
along the stages with this year's dates) so that the derived counts fill from real stage
history, including one that started and was then suspended (not counted, by the rule in
derived.py). Idempotent: what exists is left alone. Deterministic apart from today's date.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from diaodu import clock
from diaodu.audit.context import acting_as
from diaodu.engine import pace
from diaodu.engine.textnorm import normalise_name
from diaodu.org.models import Unit, User
from diaodu.org.scope import SYSTEM
from diaodu.projects import services as project_services
from diaodu.projects.models import Project
from diaodu.targets import services
from diaodu.targets.defaults import seed_indicators
from diaodu.targets.models import (
    AssessmentScheme,
    EconomicValue,
    Indicator,
    MonthlyValue,
    PeerGroup,
    Region,
    Reminder,
    ScoreSet,
    TargetAgreement,
)

SEED = 20260301
PARKS = ["QHKFQ-WL", "QHKFQ-ZB", "QHKFQ-GX", "QHKFQ-SY", "QHKFQ-SM"]
SHARES = {
    "QHKFQ-WL": Decimal("0.26"),
    "QHKFQ-ZB": Decimal("0.24"),
    "QHKFQ-GX": Decimal("0.20"),
    "QHKFQ-SY": Decimal("0.16"),
    "QHKFQ-SM": Decimal("0.14"),
}
# the zone's totals (the speech): 新开工19、签约6、在谈8、征供地400公顷; 固投30亿元、一般公共预算收入3亿元
ZONE_TARGETS = {
    "new_starts": 19,
    "signings": 6,
    "negotiating": 8,
    "land_supply": 400,
    "fai": 30,
    "budget_revenue": 3,
}
WEIGHTS = {
    "new_starts": 20,
    "signings": 10,
    "negotiating": 10,
    "investment_done": 15,
    "fai": 20,
    "budget_revenue": 10,
    "land_supply": 15,
}
# northern construction season (施工季): slow in winter
SEASON = [2, 2, 6, 10, 12, 12, 12, 12, 12, 10, 6, 4]
SEASONAL = ("new_starts", "investment_done")
# how each park is doing (pace index the demo aims at), for the entered figures and investment
PACE = {
    "QHKFQ-WL": Decimal("1.03"),
    "QHKFQ-ZB": Decimal("0.96"),
    "QHKFQ-GX": Decimal("0.90"),
    "QHKFQ-SY": Decimal("0.72"),
    "QHKFQ-SM": Decimal("0.86"),
}
LAST_YEAR = {
    "QHKFQ-ZB": ("91.20", 1),
    "QHKFQ-WL": ("88.50", 2),
    "QHKFQ-GX": ("84.00", 3),
    "QHKFQ-SM": ("82.60", 4),
    "QHKFQ-SY": ("79.30", 5),
}

# extra 新开工 projects of this year: (park, name, industry, total 万元, start month, day, suspended later?)
STARTS = [
    ("QHKFQ-WL", "东北亚陆港物流园一期项目", "G59 装卸搬运和仓储业", 56000, 3, 28, False),
    ("QHKFQ-WL", "冷链食品加工配送中心项目", "C13 农副食品加工业", 18000, 5, 12, False),
    ("QHKFQ-WL", "智能快递分拣产业园项目", "G59 装卸搬运和仓储业", 24000, 7, 8, False),
    ("QHKFQ-WL", "城市共同配送中心项目", "G59 装卸搬运和仓储业", 9000, 9, 16, False),
    ("QHKFQ-WL", "汽车整车物流基地项目", "G59 装卸搬运和仓储业", 31000, 5, 20, True),
    ("QHKFQ-ZB", "高端数控机床产业化项目", "C34 通用设备制造业", 42000, 4, 18, False),
    ("QHKFQ-ZB", "新能源汽车电驱系统项目", "C36 汽车制造业", 65000, 6, 6, False),
    ("QHKFQ-ZB", "智能农机装备产业化项目", "C35 专用设备制造业", 38000, 8, 26, False),
    (
        "QHKFQ-GX",
        "集成电路封装测试基地项目",
        "C39 计算机、通信和其他电子设备制造业",
        72000,
        4,
        9,
        False,
    ),
    ("QHKFQ-GX", "工业互联网创新中心项目", "I65 软件和信息技术服务业", 15000, 6, 28, False),
    ("QHKFQ-SY", "中药配方颗粒生产基地项目", "C27 医药制造业", 28000, 7, 21, False),
    ("QHKFQ-SM", "城市会客厅商业综合体项目", "K70 房地产业", 46000, 3, 30, False),
    ("QHKFQ-SM", "跨境电商体验中心项目", "F52 零售业", 12000, 6, 15, False),
    ("QHKFQ-SM", "国际会展中心改造项目", "L72 商务服务业", 21000, 9, 3, False),
]
CENTRES = {
    "QHKFQ-WL": (43.865, 125.405),
    "QHKFQ-ZB": (43.822, 125.248),
    "QHKFQ-GX": (43.918, 125.302),
    "QHKFQ-SY": (43.902, 125.381),
    "QHKFQ-SM": (43.884, 125.331),
}
SECRETARIES = {
    "QHKFQ-WL": "mishu_wl",
    "QHKFQ-ZB": "mishu_zb",
    "QHKFQ-GX": "mishu_gx",
    "QHKFQ-SY": "mishu_sy",
    "QHKFQ-SM": "mishu_sm",
}

# peer regions of the city (比较地区); ours is linked to the zone. FAI growth places ours 6th.
PEERS = [
    ("CD-KFQ", "城东经济开发区"),
    ("BH-GXQ", "北湖高新技术产业开发区"),
    ("NG-GYY", "南关工业园区"),
    ("KG-KFQ", "空港经济开发区"),
    ("QC-KFQ", "汽车产业开发区"),
    ("QH-KFQ", "清河经济开发区"),
    ("XC-FWY", "西城现代服务业集聚区"),
    ("LH-HGY", "临河化工园区"),
    ("LY-WLY", "绿园物流园区"),
    ("SY-KFQ", "双阳经济开发区"),
]
GROWTH = {
    "fai": [12.5, 10.8, 9.6, 8.7, 7.9, 7.1, 6.2, 5.0, 3.4, -1.2],
    "industry_va": [9.8, 11.2, 6.1, 7.7, 8.4, 6.9, 4.2, 5.6, 3.3, 2.1],
    "budget_revenue": [5.2, 7.9, 3.1, 4.4, 6.6, 5.8, 2.2, -0.8, 1.9, 0.7],
    "fdi": [15.0, 22.4, 8.1, 12.2, 18.9, 10.5, 4.4, -6.0, 2.5, 6.8],
}
SCALE = {
    "fai": Decimal("30"),
    "industry_va": Decimal("18"),
    "budget_revenue": Decimal("3.2"),
    "fdi": Decimal("4200"),
}
PEER_SIZE = [
    Decimal(x) for x in ("1.6", "2.1", "0.9", "1.3", "1.8", "1.0", "0.7", "0.8", "0.6", "0.5")
]

TWO = Decimal("0.01")
FOUR = Decimal("0.0001")


def _split(total: int | Decimal, integer: bool) -> dict[str, Decimal]:
    """Share a zone total out among the parks (largest remainder for counts)."""
    raw = {p: Decimal(total) * SHARES[p] for p in PARKS}
    if not integer:
        return {p: v.quantize(TWO) for p, v in raw.items()}
    floors = {p: int(v) for p, v in raw.items()}
    rest = int(total) - sum(floors.values())
    for p in sorted(PARKS, key=lambda p: raw[p] - floors[p], reverse=True)[:rest]:
        floors[p] += 1
    return {p: Decimal(v) for p, v in floors.items()}


def _season_share(month: int) -> Decimal:
    return Decimal(sum(SEASON[:month])) / Decimal(sum(SEASON))


def build(stdout=None) -> dict:
    today = clock.today()
    year = today.year
    created = {
        "indicators": 0,
        "projects": 0,
        "agreements": 0,
        "monthly_values": 0,
        "regions": 0,
        "score_sets": 0,
    }
    units = {u.code: u for u in Unit.objects.filter(code__in=PARKS + ["QHKFQ"])}
    if len(units) < len(PARKS) + 1:
        raise RuntimeError("演示园区不存在，请先建立组织演示数据。")
    with acting_as(None, channel="cli"), transaction.atomic():
        created["indicators"] = seed_indicators()
        inds = {i.code: i for i in Indicator.objects.all()}
        created["projects"] = _projects(units, today)
        created["agreements"] = _agreements(units, inds, year, today)
        created["monthly_values"] = _monthly(units, inds, year, today)
        created["regions"] = _economy(units, inds, year, today)
        created["score_sets"] = _assessment(units, inds, year, today)
    return created


# ---------------------------------------------------------------- ledger
def _projects(units, today: date) -> int:
    people = {u.username: u for u in User.objects.filter(username__in=list(SECRETARIES.values()))}
    n = 0
    for index, (park, name, industry, total, month, day, suspended) in enumerate(STARTS):
        unit = units[park]
        if Project.objects.filter(unit=unit, name_key=normalise_name(name)).exists():
            continue
        rng = random.Random(f"{SEED}:{index}")
        start = min(date(today.year, month, day), today - timedelta(days=20))
        prep = min(start - timedelta(days=rng.randint(20, 60)), start)
        signed = prep - timedelta(days=rng.randint(30, 90))
        lat, lon = CENTRES[park]
        total_d = Decimal(total)
        annual = (total_d * Decimal(rng.uniform(0.3, 0.5))).quantize(Decimal("1"))
        share = Decimal(max(0, (today - start).days)) / Decimal(300)
        data = {
            "name": name,
            "industry": industry,
            "plan_category": "new_start",
            "plan_year": today.year,
            "level": "province" if index in (0, 6, 8) else "district",
            "total_investment": total_d,
            "annual_plan_investment": annual,
            "completed_this_year": min(
                annual, (annual * min(share, Decimal(1))).quantize(Decimal("1"))
            ),
            "planned_start_date": date(today.year, month, 1),
            "investor": f"{name[:4]}投资有限公司",
            "latitude": Decimal(f"{lat + rng.uniform(-0.012, 0.012):.6f}"),
            "longitude": Decimal(f"{lon + rng.uniform(-0.015, 0.015):.6f}"),
            "progress_text": "项目已开工建设，正在进行基础施工。",
        }
        p = project_services.create_project(
            SYSTEM,
            unit=unit,
            data=data,
            secretary=people.get(SECRETARIES[park]),
            stage="signed",
            stage_date=signed,
            note="签订投资协议",
        )
        p = project_services.transition(
            SYSTEM, p, "landed", signed + (prep - signed) / 2, note="企业注册落地"
        )
        p = project_services.transition(SYSTEM, p, "preparing", prep, note="开展前期手续办理")
        p = project_services.transition(SYSTEM, p, "under_construction", start, note="项目开工建设")
        if suspended:
            p = project_services.transition(
                SYSTEM,
                p,
                "suspended",
                min(start + timedelta(days=80), today),
                reason="企业资金链紧张，暂缓建设",
            )
        n += 1
    return n


# ---------------------------------------------------------------- agreements
def _investment_targets(units, year: int, today: date) -> dict[str, Decimal]:
    """完成投资 targets set so that each park's pace index is about PACE[park] today."""
    from django.db.models import Sum

    profile = pace.PaceProfile.custom(SEASON)
    share = pace.expected_share(today, year, profile) or Decimal(1)
    out = {}
    for code in PARKS:
        done = Project.objects.filter(unit__path__startswith=units[code].path).aggregate(
            s=Sum("completed_this_year")
        )["s"] or Decimal(0)
        target = done / (share * PACE[code]) if done else Decimal(50000)
        out[code] = max(target.quantize(Decimal("1000"), rounding=ROUND_HALF_UP), Decimal(1000))
    return out


def _agreements(units, inds, year: int, today: date) -> int:
    n = 0
    invest = _investment_targets(units, year, today)
    splits = {
        code: _split(total, code in ("new_starts", "signings", "negotiating"))
        for code, total in ZONE_TARGETS.items()
    }
    for i, park in enumerate(PARKS):
        unit = units[park]
        if TargetAgreement.objects.filter(unit=unit, year=year).exists():
            continue
        items = []
        for code in (
            "new_starts",
            "signings",
            "negotiating",
            "investment_done",
            "fai",
            "budget_revenue",
            "land_supply",
        ):
            target = invest[park] if code == "investment_done" else splits[code][park]
            item = {"indicator": inds[code], "target": target, "weight": WEIGHTS[code]}
            if code in SEASONAL:
                item.update(pace_kind="custom", pace_weights=SEASON)
            items.append(item)
        a = services.create_agreement(
            SYSTEM,
            unit=unit,
            year=year,
            items=items,
            title=f"{year}年度目标管理责任状",
            pace_kind="auto",
        )
        signed_on = min(date(year, 3, 10 + 2 * i), today)
        a = services.sign_agreement(SYSTEM, a, signed_on=signed_on, signatory=f"{unit.name}主任")
        n += 1
        if park == "QHKFQ-SM" and today >= date(year, 7, 20):
            new = services.amend_agreement(
                SYSTEM, a, reason="因国土空间规划调整，征供地目标由56公顷调整为50公顷"
            )
            changed = [
                {
                    "indicator": it.indicator,
                    "target": Decimal(50) if it.indicator.code == "land_supply" else it.target,
                    "weight": it.weight,
                    "pace_kind": it.pace_kind,
                    "pace_weights": it.pace_weights,
                }
                for it in new.items.select_related("indicator")
            ]
            services.update_agreement(SYSTEM, new, items=changed)
            services.sign_agreement(
                SYSTEM, new, signed_on=date(year, 7, 15), signatory=f"{unit.name}主任"
            )
    return n


# ---------------------------------------------------------------- monthly values
def _monthly(units, inds, year: int, today: date) -> int:
    last = min(10, today.month - 1) if today.year == year else 10
    n = 0
    for park in PARKS:
        unit = units[park]
        agreement = (
            TargetAgreement.objects.filter(unit=unit, year=year, status="signed")
            .order_by("-version")
            .first()
        )
        if agreement is None:
            continue
        targets = {i.indicator.code: i.target for i in agreement.items.select_related("indicator")}
        months = (
            last - 1 if park == "QHKFQ-SY" else last
        )  # 医药园 has not reported October yet (催报)
        entries = []
        for code in ("fai", "budget_revenue", "land_supply"):
            ind = inds[code]
            if MonthlyValue.objects.filter(unit=unit, indicator=ind, year=year).exists():
                continue
            for m in range(1, months + 1):
                if code == "land_supply":
                    share = Decimal(m // 2 * 2) / Decimal(12)  # land is supplied in batches
                elif code == "fai":
                    share = _season_share(m)
                else:
                    share = Decimal(m) / Decimal(12)
                value = (targets[code] * share * PACE[park]).quantize(TWO)
                entries.append(services.Entry(f"{m}月", unit, ind, year, m, value))
        if entries:
            services.save_monthly_entries(SYSTEM, entries, source="demo")
            n += len(entries)
    sy = units["QHKFQ-SY"]
    if last >= 1 and not Reminder.objects.filter(unit=sy, year=year, month=last).exists():
        try:
            services.remind(SYSTEM, unit=sy, year=year, month=last)
        except ValidationError:  # already complete (a rerun in another month): nothing to remind
            pass
    return n


# ---------------------------------------------------------------- economy
def _economy(units, inds, year: int, today: date) -> int:
    last = min(10, today.month - 1) if today.year == year else 10
    regions = []
    created = 0
    for order, (code, name) in enumerate(PEERS):
        region = Region.objects.filter(code=code).first()
        if region is None:
            region = services.save_region(
                SYSTEM,
                code=code,
                name=name,
                unit=units["QHKFQ"] if code == "QH-KFQ" else None,
                sort_order=order,
            )
            created += 1
        regions.append(region)
    group = PeerGroup.objects.filter(owner=units["QHKFQ"], name="全市开发区").first()
    if group is None:
        group = services.save_peer_group(
            SYSTEM, name="全市开发区", owner=units["QHKFQ"], regions=regions, scope_label="全市"
        )
    for ind_code, growths in GROWTH.items():
        ind = inds[ind_code]
        for r_index, region in enumerate(regions):
            if EconomicValue.objects.filter(region=region, indicator=ind, year=year).exists():
                continue
            rng = random.Random(f"{SEED}:{ind_code}:{region.code}")
            size = SCALE[ind_code] * PEER_SIZE[r_index]
            rows = []
            for m in range(1, last + 1):
                share = _season_share(m) if ind_code == "fai" else Decimal(m) / Decimal(12)
                g = Decimal(str(growths[r_index])) + (
                    Decimal(rng.randint(-3, 3)) / 10 if m < last else 0
                )
                rows.append(
                    services.EconomyRow(
                        f"{region.name}{m}月",
                        region,
                        ind,
                        year,
                        m,
                        (size * share).quantize(FOUR),
                        g.quantize(TWO),
                    )
                )
            services._save_economy(SYSTEM, rows)
    return created


# ---------------------------------------------------------------- assessment
def _assessment(units, inds, year: int, today: date) -> int:
    zone = units["QHKFQ"]
    n = 0
    if not ScoreSet.objects.filter(root=zone, year=year - 1).exists():
        services.record_historical(
            SYSTEM,
            root=zone,
            year=year - 1,
            rows=[(units[p], Decimal(t), r) for p, (t, r) in LAST_YEAR.items()],
        )
        n += 1
    scheme = AssessmentScheme.objects.filter(root=zone, year=year).first()
    if scheme is None:
        scheme = services.save_scheme(
            SYSTEM,
            root=zone,
            year=year,
            name=f"{year}年度园区目标责任考核办法",
            note="指标得分按完成率计算（设封顶或分档），固定资产投资按完成率名次计分；"
            "督办级超期问题每个扣0.5分，省重点项目每个加1分。",
        )
        rules = {
            "new_starts": {"rule_kind": "ratio_capped", "cap": "1.2"},
            "signings": {
                "rule_kind": "bands",
                "bands": [["1", "1"], ["0.8", "0.8"], ["0.6", "0.6"], ["0", "0.3"]],
            },
            "negotiating": {"rule_kind": "ratio_capped", "cap": "1.2"},
            "investment_done": {"rule_kind": "ratio_capped", "cap": "1.1"},
            "fai": {"rule_kind": "rank", "rank_points": ["20", "18", "16", "14", "12"]},
            "budget_revenue": {"rule_kind": "ratio_capped", "cap": "1.1"},
            "land_supply": {
                "rule_kind": "bands",
                "bands": [["1", "1"], ["0.9", "0.9"], ["0.8", "0.75"], ["0.6", "0.5"]],
            },
        }
        for order, (code, rule) in enumerate(rules.items()):
            services.set_criterion(
                SYSTEM, scheme, indicator=inds[code], weight=WEIGHTS[code], sort_order=order, **rule
            )
        services.set_adjustment(
            SYSTEM,
            scheme,
            code="overdue_duban",
            name="督办级超期问题",
            points_each="-0.5",
            cap="5",
            source="overdue_duban",
            sort_order=1,
        )
        services.set_adjustment(
            SYSTEM,
            scheme,
            code="province_key",
            name="省重点项目",
            points_each="1",
            cap="3",
            source="province_projects",
            sort_order=2,
        )
        notice = services.set_adjustment(
            SYSTEM,
            scheme,
            code="notice",
            name="被市级以上通报批评",
            points_each="-1",
            cap="3",
            source="manual",
            sort_order=3,
        )
        services.set_adjustment_count(
            SYSTEM, notice, unit=units["QHKFQ-SY"], count=1, note="市安委办2026年第3期通报"
        )
    last = min(10, today.month - 1) if today.year == year else 10
    for month in (last - 1, last):
        if (
            month >= 1
            and not ScoreSet.objects.filter(scheme=scheme, kind="monthly", month=month).exists()
        ):
            services.run_assessment(SYSTEM, scheme, kind="monthly", month=month)
            n += 1
    return n

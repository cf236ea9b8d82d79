"""Targets (目标责任状), indicators, monthly values, economic series of peer regions, and the
assessment (考核) with its stored score sets.

Amounts are Decimal. Derived indicator values are never stored: they are computed from the
ledger (see derived.py) whenever they are shown, scored or exported; a score set stores the
figures it used (with the projects behind them) so that every score stays traceable.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_noop

from diaodu.engine import stages as S
from diaodu.org.models import Unit
from diaodu.projects.models import Level, PlanCategory

STAGE_CHOICES = [(s, S.LABELS[s]) for s in S.MAIN_LINE]


class Measure(models.TextChoices):
    COUNT = "个", gettext_noop("个")
    WAN = "万元", gettext_noop("万元")
    YI = "亿元", gettext_noop("亿元")
    HECTARE = "公顷", gettext_noop("公顷")
    MU = "亩", gettext_noop("亩")
    PERCENT = "%", "%"
    WAN_USD = "万美元", gettext_noop("万美元")


ADDITIVE_MEASURES = ("个", "万元", "亿元", "公顷", "亩", "万美元")


class Direction(models.TextChoices):
    HIGHER = "higher", gettext_noop("越高越好")
    LOWER = "lower", gettext_noop("越低越好")


class Source(models.TextChoices):
    STAGE = "stage_count", gettext_noop("系统计算：年内到达某阶段的项目数")
    INVESTMENT = "investment", gettext_noop("系统计算：项目本年完成投资")
    PROBLEMS = "problems_on_time", gettext_noop("系统计算：问题按期办结（需督查模块）")
    TASKS = "tasks_on_time", gettext_noop("系统计算：重点任务按期办结（需重点工作督办模块）")
    ENTERED = "entered", gettext_noop("月度填报/导入")


DERIVED_SOURCES = (Source.STAGE, Source.INVESTMENT, Source.PROBLEMS, Source.TASKS)


class Aggregation(models.TextChoices):
    YTD = "ytd", gettext_noop("累计值（1月至本月累计，取最新月）")
    SUM = "sum", gettext_noop("当月值（逐月相加）")
    LATEST = "latest", gettext_noop("时点值（取最新月）")


class PaceKind(models.TextChoices):
    AUTO = "auto", gettext_noop("按指标报送方式（月报指标按月，台账逐日计数按天）")
    LINEAR = "linear_days", gettext_noop("按天均衡")
    MONTHLY = "monthly", gettext_noop("按月（整月计）")
    CUSTOM = "custom", gettext_noop("自定义月度权重")


# 序时进度 by the way a figure is reported: counts taken from the ledger day by day (a project
# enters a stage on a date) are paced by day; every figure reported monthly (the statistics
# office's 月报: entered indicators, and investment completed, which is a monthly statistic)
# by whole months, as every 统计局 report and every speech says (9/12 = 75% on 30 September).
DAY_BY_DAY_SOURCES = ("stage_count", "problems_on_time")


class Indicator(models.Model):
    """指标: one line of the catalogue."""

    code = models.CharField(gettext_noop("指标代码"), max_length=32, unique=True)
    name = models.CharField(gettext_noop("指标名称"), max_length=60)
    category = models.CharField(
        gettext_noop("类别"), max_length=20, blank=True
    )  # 项目建设 / 招商引资 / 经济运行 / 土地保障
    measure = models.CharField(gettext_noop("计量单位"), max_length=8, choices=Measure.choices)
    direction = models.CharField(
        gettext_noop("方向"), max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    source = models.CharField(gettext_noop("数据来源"), max_length=20, choices=Source.choices)
    aggregation = models.CharField(
        gettext_noop("填报口径"), max_length=8, choices=Aggregation.choices, default=Aggregation.YTD
    )
    stage = models.CharField(
        gettext_noop("项目阶段"), max_length=24, choices=STAGE_CHOICES, blank=True
    )
    plan_category = models.CharField(
        gettext_noop("年度类别"), max_length=16, choices=PlanCategory.choices, blank=True
    )
    level = models.CharField(
        gettext_noop("项目级别"), max_length=16, choices=Level.choices, blank=True
    )
    verb = models.CharField(
        gettext_noop("动作（用于提示语）"), max_length=12, blank=True
    )  # 新开工 / 签约 / 完成投资
    is_economic = models.BooleanField(gettext_noop("经济指标（参与区域排名）"), default=False)
    description = models.CharField(gettext_noop("说明"), max_length=300, blank=True)
    sort_order = models.IntegerField(gettext_noop("排序"), default=0)
    is_active = models.BooleanField(gettext_noop("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = verbose_name_plural = gettext_noop("指标")

    def __str__(self):
        return self.name

    @property
    def is_derived(self) -> bool:
        return self.source in DERIVED_SOURCES

    @property
    def default_pace_kind(self) -> str:
        """The profile an agreement "按指标报送方式" gives this indicator."""
        return PaceKind.LINEAR if self.source in DAY_BY_DAY_SOURCES else PaceKind.MONTHLY

    @property
    def higher_is_better(self) -> bool:
        return self.direction == Direction.HIGHER

    @property
    def is_count(self) -> bool:
        return self.measure == Measure.COUNT

    @property
    def additive(self) -> bool:
        return self.measure in ADDITIVE_MEASURES

    @property
    def rule_text(self) -> str:
        if self.source == Source.STAGE:
            extra = []
            if self.plan_category:
                extra.append(f"年度类别为“{PlanCategory(self.plan_category).label}”")
            if self.level:
                extra.append(f"级别为“{Level(self.level).label}”")
            cond = f"（{'，'.join(extra)}）" if extra else ""
            return f"年内首次进入“{S.label(self.stage)}”阶段且至今未退回、暂缓或终止的项目数{cond}"
        if self.source == Source.INVESTMENT:
            return "辖区全部项目“本年完成投资”之和（含暂缓、终止项目；取最近一期已报送未退回周报的本年累计，无本年周报的取台账）"
        if self.source == Source.PROBLEMS:
            return "年内按期办结的问题数（来自督查模块）"
        if self.source == Source.TASKS:
            return "年内按期办结的重点任务数：本单位及下级单位牵头、已办结且办结日期不晚于完成时限（来自重点工作督办模块）"
        return f"月度填报：{Aggregation(self.aggregation).label}"


class TargetAgreement(models.Model):
    """目标责任状 of one unit for one year. Amendments are new versions; the signed versions
    before the latest signed one are superseded."""

    class Status(models.TextChoices):
        DRAFT = "draft", gettext_noop("草拟")
        SIGNED = "signed", gettext_noop("已签订")
        SUPERSEDED = "superseded", gettext_noop("已被修订")

    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="target_agreements",
        verbose_name=gettext_noop("责任单位"),
    )
    year = models.PositiveSmallIntegerField(gettext_noop("年度"))
    version = models.PositiveSmallIntegerField(gettext_noop("版本"), default=1)
    title = models.CharField(gettext_noop("名称"), max_length=120, blank=True)
    status = models.CharField(
        gettext_noop("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    signed_on = models.DateField(gettext_noop("签订日期"), null=True, blank=True)
    signatory = models.CharField(gettext_noop("签订人"), max_length=60, blank=True)
    scan = models.FileField(gettext_noop("签字扫描件"), upload_to="targets/scans/%Y/", blank=True)
    scan_name = models.CharField(max_length=200, blank=True)
    amendment_reason = models.CharField(gettext_noop("修订原因"), max_length=300, blank=True)
    pace_kind = models.CharField(
        gettext_noop("序时进度口径"), max_length=12, choices=PaceKind.choices, default=PaceKind.AUTO
    )
    pace_weights = models.JSONField(
        gettext_noop("月度权重"), default=list, blank=True
    )  # 12 strings for custom
    note = models.CharField(gettext_noop("备注"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "unit__path", "-version"]
        unique_together = [("unit", "year", "version")]
        indexes = [
            models.Index(fields=["year", "unit", "status"], name="targets_agr_year_unit_idx")
        ]
        verbose_name = verbose_name_plural = gettext_noop("目标责任状")

    def __str__(self):
        return self.title or f"{self.unit.name}{self.year}年目标责任状"

    @property
    def display_title(self) -> str:
        title = self.title or gettext("%(year)s年目标责任状") % {"year": self.year}
        return gettext("%(title)s（第%(version)s版）") % {"title": title, "version": self.version}


class AgreementItem(models.Model):
    agreement = models.ForeignKey(TargetAgreement, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_noop("指标")
    )
    target = models.DecimalField(gettext_noop("年度目标"), max_digits=16, decimal_places=4)
    weight = models.DecimalField(gettext_noop("权重"), max_digits=6, decimal_places=2, default=0)
    pace_kind = models.CharField(
        gettext_noop("序时进度口径（留空按责任状）"),
        max_length=12,
        choices=PaceKind.choices,
        blank=True,
    )
    pace_weights = models.JSONField(gettext_noop("月度权重"), default=list, blank=True)
    note = models.CharField(gettext_noop("备注"), max_length=200, blank=True)
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "indicator__sort_order", "id"]
        unique_together = [("agreement", "indicator")]
        verbose_name = verbose_name_plural = gettext_noop("责任状指标")


class MonthlyValue(models.Model):
    """A figure of an entered indicator for one unit and month (累计值 for cumulative ones)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_noop("单位")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="monthly_values"
    )
    year = models.PositiveSmallIntegerField(gettext_noop("年度"))
    month = models.PositiveSmallIntegerField(gettext_noop("月份"))
    value = models.DecimalField(gettext_noop("数值"), max_digits=18, decimal_places=4)
    note = models.CharField(gettext_noop("备注"), max_length=200, blank=True)
    source = models.CharField(max_length=12, default="form")  # form / import / api / demo
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit__path", "indicator__sort_order", "year", "month"]
        unique_together = [("unit", "indicator", "year", "month")]
        indexes = [
            models.Index(fields=["year", "indicator", "unit"], name="targets_mv_year_ind_idx")
        ]
        verbose_name = verbose_name_plural = gettext_noop("月度指标值")


DEFAULT_DUE_DAY = 5  # values for a month are due on the 5th of the following month


class EntryDeadline(models.Model):
    """填报截止日 of a month, when it differs from the default (the 5th of the next month)."""

    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    due_on = models.DateField(gettext_noop("截止日期"))

    class Meta:
        unique_together = [("year", "month")]


def default_due(year: int, month: int) -> date:
    return date(year + (month == 12), month % 12 + 1, DEFAULT_DUE_DAY)


class Reminder(models.Model):
    """催报 sent to a unit for a month's missing values."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)
    missing = models.JSONField(default=list)

    class Meta:
        ordering = ["-sent_at"]


# ---------------------------------------------------------------- economy
class Region(models.Model):
    """A region whose economy is compared: one of ours (linked to a unit) or a peer outside the system."""

    code = models.CharField(gettext_noop("地区编码"), max_length=32, unique=True)
    name = models.CharField(gettext_noop("地区名称"), max_length=60)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_noop("对应本系统单位"),
    )
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = verbose_name_plural = gettext_noop("比较地区")

    def __str__(self):
        return self.name

    @property
    def is_ours(self) -> bool:
        return self.unit_id is not None


class PeerGroup(models.Model):
    """A set of regions ranked against each other (e.g. 全市开发区). Visible to the people who see
    its owner unit or work below it."""

    name = models.CharField(gettext_noop("比较组名称"), max_length=60)
    owner = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="+", verbose_name=gettext_noop("所属单位")
    )
    regions = models.ManyToManyField(
        Region, related_name="groups", verbose_name=gettext_noop("地区")
    )
    scope_label = models.CharField(
        gettext_noop("排名口径"), max_length=20, default="全市"
    )  # "在全市排名第6"

    class Meta:
        ordering = ["id"]


class EconomicValue(models.Model):
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    value = models.DecimalField(
        gettext_noop("累计值"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    growth = models.DecimalField(
        gettext_noop("同比增长（%）"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "month", "region__sort_order"]
        unique_together = [("region", "indicator", "year", "month")]


# ---------------------------------------------------------------- assessment
class RuleKind(models.TextChoices):
    RATIO_CAPPED = "ratio_capped", gettext_noop("完成率计分（封顶）")
    BANDS = "bands", gettext_noop("分档计分")
    RANK = "rank", gettext_noop("名次计分")


class AssessmentScheme(models.Model):
    """考核方案 of a year for the units under `root` that hold a target agreement."""

    class Status(models.TextChoices):
        DRAFT = "draft", gettext_noop("草拟")
        PUBLISHED = "published", gettext_noop("已发布")

    root = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_noop("考核范围")
    )
    year = models.PositiveSmallIntegerField(gettext_noop("年度"))
    name = models.CharField(gettext_noop("方案名称"), max_length=120)
    status = models.CharField(
        gettext_noop("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    note = models.TextField(gettext_noop("说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "id"]
        unique_together = [("root", "year")]
        verbose_name = verbose_name_plural = gettext_noop("考核方案")

    def __str__(self):
        return self.name


class SchemeCriterion(models.Model):
    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="criteria")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_noop("指标")
    )
    weight = models.DecimalField(gettext_noop("权重（分）"), max_digits=6, decimal_places=2)
    rule_kind = models.CharField(
        gettext_noop("计分方法"),
        max_length=16,
        choices=RuleKind.choices,
        default=RuleKind.RATIO_CAPPED,
    )
    cap = models.DecimalField(
        gettext_noop("封顶完成率"), max_digits=6, decimal_places=4, default="1.2"
    )
    bands = models.JSONField(
        gettext_noop("分档"), default=list, blank=True
    )  # [["1.0", "1.0"], ["0.9", "0.8"], ...]
    rank_points = models.JSONField(gettext_noop("名次得分"), default=list, blank=True)
    rank_floor = models.DecimalField(
        gettext_noop("末位得分"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    rank_by = models.CharField(
        gettext_noop("排名依据"),
        max_length=8,
        default="ratio",
        choices=[("ratio", "完成率"), ("actual", "完成值")],
    )
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        unique_together = [("scheme", "indicator")]


class AdjustmentSource(models.TextChoices):
    MANUAL = "manual", gettext_noop("手工录入")
    OVERDUE_DUBAN = "overdue_duban", gettext_noop("督办级超期问题数（督查模块）")
    PROVINCE_PROJECTS = "province_projects", gettext_noop("年度省重点项目数（项目台账）")


class SchemeAdjustment(models.Model):
    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.CASCADE, related_name="adjustments"
    )
    code = models.CharField(gettext_noop("代码"), max_length=32)
    name = models.CharField(gettext_noop("加减分项"), max_length=60)
    points_each = models.DecimalField(gettext_noop("每项分值"), max_digits=6, decimal_places=2)
    cap = models.DecimalField(
        gettext_noop("上限（绝对值）"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(
        gettext_noop("计数来源"),
        max_length=20,
        choices=AdjustmentSource.choices,
        default=AdjustmentSource.MANUAL,
    )
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        unique_together = [("scheme", "code")]


class AdjustmentEntry(models.Model):
    """Manual count of an adjustment item for a unit (or the count used when the automatic
    source is unavailable)."""

    adjustment = models.ForeignKey(
        SchemeAdjustment, on_delete=models.CASCADE, related_name="entries"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField(gettext_noop("次数"))
    note = models.CharField(gettext_noop("依据"), max_length=300, blank=True)

    class Meta:
        unique_together = [("adjustment", "unit")]


class ScoreSet(models.Model):
    """One computed (or, for years before the system, entered) set of scores and ranks."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", gettext_noop("月度排名")
        FINAL = "final", gettext_noop("年终考核")
        HISTORICAL = "historical", gettext_noop("历史成绩（录入）")

    root = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    scheme = models.ForeignKey(
        AssessmentScheme,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="score_sets",
    )
    as_of = models.DateField(gettext_noop("数据截至"))
    title = models.CharField(max_length=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-month", "-id"]
        indexes = [models.Index(fields=["root", "year", "kind"], name="targets_ss_root_year_idx")]

    def __str__(self):
        return self.title


class UnitScore(models.Model):
    score_set = models.ForeignKey(ScoreSet, on_delete=models.CASCADE, related_name="scores")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    base = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    adjustments = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=8, decimal_places=2)
    rank = models.PositiveIntegerField()
    tied = models.BooleanField(default=False)
    change_vs_last_year = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    rank_change = models.IntegerField(null=True, blank=True)
    lines = models.JSONField(
        default=list
    )  # every line with its inputs and the projects behind them

    class Meta:
        ordering = ["rank", "unit__path"]
        unique_together = [("score_set", "unit")]


class AssessmentManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind__in=Assessment.KINDS)


class Assessment(ScoreSet):
    """考核 (glossary `Assessment`): a unit's year-end assessment and its ranking — the score
    sets of kind 年终考核 (computed from an `AssessmentScheme`) or 历史成绩 (entered for years
    before the system). Each `UnitScore` in `scores` carries the rank among peers (横向比位次,
    `rank`) and the change against last year (纵向比变化, `change_vs_last_year`, `rank_change`).
    Monthly rankings are score sets too, but not assessments."""

    KINDS = (ScoreSet.Kind.FINAL, ScoreSet.Kind.HISTORICAL)

    objects = AssessmentManager()

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = gettext_noop("年终考核")

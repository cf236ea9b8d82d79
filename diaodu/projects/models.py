"""The project ledger (重点项目台账): projects, their yearly plan category, stage history,
saved ledger filters and import jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from diaodu.engine import stages as S
from diaodu.org.models import Unit

STAGE_CHOICES = [(s, S.LABELS[s]) for s in S.ALL]


class PlanCategory(models.TextChoices):
    NEW_START = "new_start", gettext_noop("新开工")
    CONTINUING = "continuing", gettext_noop("续建")
    COMPLETING = "completing", gettext_noop("竣工投产")
    RESERVE = "reserve", gettext_noop("前期储备")


class Level(models.TextChoices):
    PROVINCE = "province", gettext_noop("省重点")
    CITY = "city", gettext_noop("市重点")
    DISTRICT = "district", gettext_noop("区重点")
    ZONE = "zone", gettext_noop("园区重点")


def money(verbose: str):
    return models.DecimalField(verbose, max_digits=14, decimal_places=2, null=True, blank=True)


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        from diaodu.projects.queries import restrict

        return restrict(self, user)


class Project(models.Model):
    name = models.CharField(gettext_noop("项目名称"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    national_code = models.CharField(
        gettext_noop("项目代码"), max_length=24, null=True, blank=True, unique=True
    )
    investor = models.CharField(gettext_noop("建设单位"), max_length=200, blank=True)
    content_scale = models.TextField(gettext_noop("建设内容及规模"), blank=True)
    industry_code = models.CharField(
        gettext_noop("行业代码"), max_length=5, blank=True, db_index=True
    )
    industry_text = models.CharField(gettext_noop("行业"), max_length=100, blank=True)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=gettext_noop("所属园区"),
    )
    address = models.CharField(gettext_noop("建设地点"), max_length=200, blank=True)
    latitude = models.DecimalField(
        gettext_noop("纬度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        gettext_noop("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    land_area_mu = models.DecimalField(
        gettext_noop("用地面积（亩）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    total_investment = money("总投资（万元）")
    annual_plan_investment = money("年度计划投资（万元）")
    plan_year = models.PositiveSmallIntegerField(gettext_noop("计划年度"), null=True, blank=True)
    plan_category = models.CharField(
        gettext_noop("年度类别"),
        max_length=16,
        choices=PlanCategory.choices,
        blank=True,
        db_index=True,
    )
    level = models.CharField(
        gettext_noop("项目级别"), max_length=16, choices=Level.choices, blank=True, db_index=True
    )
    lead_officials = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="led_projects",
        verbose_name=gettext_noop("包保领导"),
    )
    lead_officials_text = models.CharField(
        gettext_noop("包保领导（未匹配人员）"), max_length=200, blank=True
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="secretary_projects",
        verbose_name=gettext_noop("项目秘书"),
    )
    secretary_text = models.CharField(
        gettext_noop("项目秘书（未匹配人员）"), max_length=50, blank=True
    )
    responsible_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsible_projects",
        verbose_name=gettext_noop("责任单位"),
    )
    responsible_unit_text = models.CharField(
        gettext_noop("责任单位（未匹配）"), max_length=100, blank=True
    )
    planned_signing_date = models.DateField(gettext_noop("计划签约"), null=True, blank=True)
    planned_start_date = models.DateField(gettext_noop("计划开工"), null=True, blank=True)
    planned_completion_date = models.DateField(gettext_noop("计划竣工"), null=True, blank=True)
    planned_production_date = models.DateField(gettext_noop("计划投产"), null=True, blank=True)
    actual_signing_date = models.DateField(gettext_noop("签约日期"), null=True, blank=True)
    actual_start_date = models.DateField(gettext_noop("开工日期"), null=True, blank=True)
    actual_completion_date = models.DateField(gettext_noop("竣工日期"), null=True, blank=True)
    actual_production_date = models.DateField(gettext_noop("投产日期"), null=True, blank=True)
    date_precision = models.JSONField(
        gettext_noop("日期精度"), default=dict, blank=True
    )  # {"planned_start_date": "month"}
    expected_output = money("预计年产值（万元）")
    expected_tax = money("预计年税收（万元）")
    expected_jobs = models.PositiveIntegerField(
        gettext_noop("带动就业（人）"), null=True, blank=True
    )
    completed_this_year = money("本年完成投资（万元）")
    completed_since_start = money("自开工累计完成投资（万元）")
    progress_text = models.TextField(gettext_noop("形象进度"), blank=True)
    issues_text = models.TextField(gettext_noop("存在问题"), blank=True)
    remarks = models.TextField(gettext_noop("备注"), blank=True)
    stage = models.CharField(
        gettext_noop("项目阶段"),
        max_length=24,
        choices=STAGE_CHOICES,
        default="lead",
        db_index=True,
    )
    stage_date = models.DateField(gettext_noop("阶段日期"), null=True, blank=True)
    resume_stage = models.CharField(max_length=24, blank=True)  # the stage left for 暂缓/终止
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = gettext_noop("项目")
        indexes = [
            models.Index(fields=["unit", "name_key"], name="proj_unit_namekey_idx"),
            models.Index(fields=["unit", "stage", "id"], name="proj_unit_stage_idx"),
            models.Index(fields=["-total_investment", "id"], name="proj_total_inv_idx"),
            models.Index(fields=["secretary", "id"], name="proj_secretary_idx"),
            models.Index(fields=["responsible_unit", "id"], name="proj_resp_unit_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def industry(self) -> str:
        """国民经济行业分类 (glossary `industry`, GB/T 4754-2017) as forms, imports and exports
        read and write it: the code and its name, "C3011 水泥制造". Stored in two columns so the
        ledger filters by code: `industry_code` (门类 letter + up to 4 digits) and `industry_text`.
        """
        return f"{self.industry_code} {self.industry_text}".strip()

    @property
    def lead_official(self):
        """包保领导 (glossary `lead_official`): the project's first responsible leader, or None.
        A project may have several (`lead_officials`, 多位包保领导); this is the first of them
        in the people list's order, and uses the prefetched list when there is one."""
        return next(iter(self.lead_officials.all()), None)

    @property
    def stage_label(self) -> str:
        return S.label(self.stage)

    @property
    def start_date_unknown(self) -> bool:
        """开工日期未知: the project has started (在建 or later, or paused there) but its 开工日期 is
        not recorded: it counts in no year's 新开工 until the date is entered."""
        stage = self.resume_stage if self.stage in S.SIDE else self.stage
        return self.actual_start_date is None and S.rank(stage) >= S.rank("under_construction")

    @property
    def total_investment_yi(self):
        return None if self.total_investment is None else self.total_investment / 10000


class ProjectYearPlan(models.Model):
    """The plan category and planned investment of a project for one year."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="year_plans")
    year = models.PositiveSmallIntegerField(gettext_noop("年度"))
    plan_category = models.CharField(
        gettext_noop("年度类别"), max_length=16, choices=PlanCategory.choices
    )
    annual_plan_investment = money("年度计划投资（万元）")

    class Meta:
        unique_together = [("project", "year")]
        ordering = ["-year"]


class StageChange(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=24, choices=STAGE_CHOICES, blank=True)
    to_stage = models.CharField(max_length=24, choices=STAGE_CHOICES)
    on = models.DateField(gettext_noop("日期"))
    # The event's own date is not known (a ledger row of a project already 在建 without its
    # 开工日期): ``on`` is then the day the move was recorded, and the move never counts as
    # reaching the stage in any year until the date is entered (it then replaces ``on``).
    date_unknown = models.BooleanField(gettext_noop("日期未知"), default=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_noop("操作人"),
    )
    person_name = models.CharField(max_length=50, blank=True)
    note = models.CharField(gettext_noop("说明"), max_length=500, blank=True)
    reason = models.CharField(gettext_noop("原因"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        indexes = [
            models.Index(fields=["project", "on", "id"], name="stagechange_proj_idx"),
            models.Index(fields=["to_stage", "on"], name="stagechange_stage_on_idx"),
        ]

    @property
    def to_label(self):
        return S.label(self.to_stage)

    @property
    def from_label(self):
        return S.label(self.from_stage) if self.from_stage else ""


class SavedFilter(models.Model):
    """A named ledger view of one person: the filter query string and the chosen columns."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(gettext_noop("名称"), max_length=60)
    query = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        unique_together = [("user", "name")]

    def __str__(self):
        return self.name


class ImportJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", gettext_noop("排队中")
        RUNNING = "running", gettext_noop("处理中")
        DONE = "done", gettext_noop("已完成")
        FAILED = "failed", gettext_noop("失败")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=200)
    file_path = models.CharField(max_length=400)
    dry_run = models.BooleanField(default=True)
    # like `import-ledger --skip-errors`: rows with errors are skipped, the others are written
    skip_errors = models.BooleanField(gettext_noop("跳过有错误的行"), default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    phase = models.CharField(max_length=40, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The lease of the process running the job (diaodu/projects/jobs.py): who claimed it, until
    # when it counts as alive without renewing, how often it was tried, and its queued task.
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-id"]

    @property
    def percent(self) -> int:
        return (
            int(self.done * 100 / self.total)
            if self.total
            else (100 if self.status == "done" else 0)
        )

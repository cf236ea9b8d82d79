"""The weekly supervision loop (每周督查调度): report cycles, progress reports with photos,
contact logs (对接留痕), reminders (催报), lights per period (亮灯), the problem list (问题清单)
with escalation (催办 → 督办 → 提级), dispatch meetings (调度会) with their agenda and action
items (议定事项)."""

from __future__ import annotations

import uuid
from datetime import time
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from diaodu.engine import periods as P
from diaodu.engine.escalation import DEFAULT as ESCALATION
from diaodu.engine.escalation import LEVEL_LABELS
from diaodu.engine.lights import effective_color
from diaodu.org.models import Unit
from diaodu.projects.models import Project
from diaodu.supervision.flows import RUNNING_STATES

USER = settings.AUTH_USER_MODEL


def money(verbose: str, **kw):
    return models.DecimalField(verbose, max_digits=14, decimal_places=2, **kw)


class Frequency(models.TextChoices):
    WEEKLY = "weekly", gettext_noop("每周")
    MONTHLY = "monthly", gettext_noop("每月")


class ReportCycle(models.Model):
    """How one zone (开发区) reports: weekly or monthly, the deadline, and the zone's rules
    (light thresholds, contact rule, photo checks, escalation steps)."""

    unit = models.OneToOneField(
        Unit,
        on_delete=models.PROTECT,
        related_name="report_cycle",
        verbose_name=gettext_noop("单位"),
    )
    frequency = models.CharField(
        gettext_noop("报送周期"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    deadline_weekday = models.PositiveSmallIntegerField(
        gettext_noop("截止星期"), default=3
    )  # 0 = 星期一
    deadline_day = models.PositiveSmallIntegerField(gettext_noop("截止日（月报）"), default=25)
    deadline_time = models.TimeField(gettext_noop("截止时间"), default=time(17, 0))
    remind_hours_before = models.PositiveSmallIntegerField(
        gettext_noop("提前提醒（小时）"), default=0
    )
    starts_on = models.DateField(gettext_noop("起报日期"))
    is_active = models.BooleanField(gettext_noop("启用"), default=True)
    light_rules = models.JSONField(gettext_noop("亮灯规则"), default=dict, blank=True)
    min_contacts_per_week = models.PositiveSmallIntegerField(
        gettext_noop("每周最少对接次数"), default=1
    )
    centre_latitude = models.DecimalField(
        gettext_noop("园区中心纬度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    centre_longitude = models.DecimalField(
        gettext_noop("园区中心经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    zone_radius_km = models.DecimalField(
        gettext_noop("园区半径（公里）"), max_digits=6, decimal_places=2, default=Decimal("10")
    )
    project_radius_km = models.DecimalField(
        gettext_noop("距项目最远（公里）"), max_digits=6, decimal_places=2, default=Decimal("5")
    )
    photo_max_days_before = models.PositiveSmallIntegerField(
        gettext_noop("照片最早（早于本期天数）"), default=7
    )
    # defaults: engine.escalation.DEFAULT (1 / 3 / 8 working days)
    urge_after_wd = models.PositiveSmallIntegerField(
        gettext_noop("超期几个工作日催办"), default=ESCALATION.thresholds[0]
    )
    supervise_after_wd = models.PositiveSmallIntegerField(
        gettext_noop("超期几个工作日督办"), default=ESCALATION.thresholds[1]
    )
    elevate_after_wd = models.PositiveSmallIntegerField(
        gettext_noop("超期几个工作日提级"), default=ESCALATION.thresholds[2]
    )
    auto_lights_period = models.CharField(max_length=10, blank=True, editable=False)
    auto_remind_period = models.CharField(max_length=10, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = gettext_noop("报送周期")

    def __str__(self):
        return f"{self.unit.name}{self.get_frequency_display()}报送"

    def period_of(self, d) -> P.Period:
        return P.of(d, self.frequency)

    def deadline_of(self, period: P.Period):
        """Aware deadline of a period in the current time zone."""
        from django.utils import timezone

        naive = period.deadline(
            weekday=self.deadline_weekday, day=self.deadline_day, at=self.deadline_time
        )
        return timezone.make_aware(naive)

    @property
    def deadline_text(self) -> str:
        if self.frequency == Frequency.WEEKLY:
            return f"每周{P.WEEKDAYS[self.deadline_weekday][2:]} {self.deadline_time:%H:%M}"
        return f"每月{self.deadline_day}日 {self.deadline_time:%H:%M}"


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", gettext_noop("已报送")
    RETURNED = "returned", gettext_noop("已退回")
    ACCEPTED = "accepted", gettext_noop("已审核")


class ProgressReport(models.Model):
    """周报 / 进度填报: one project, one period."""

    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="progress_reports",
        verbose_name=gettext_noop("项目"),
    )
    cycle = models.ForeignKey(ReportCycle, on_delete=models.PROTECT, related_name="reports")
    period = models.CharField(gettext_noop("期次"), max_length=10)
    period_start = models.DateField()
    period_end = models.DateField()
    year = models.PositiveSmallIntegerField()
    deadline = models.DateTimeField(gettext_noop("截止时间"))
    status = models.CharField(
        gettext_noop("状态"),
        max_length=10,
        choices=ReportStatus.choices,
        default=ReportStatus.SUBMITTED,
    )
    progress_text = models.TextField(gettext_noop("形象进度"))
    invested = money("本期完成投资（万元）")
    ytd = money("本年累计完成（万元）", default=Decimal("0"))
    since_start = money("开工以来累计完成（万元）", default=Decimal("0"))
    next_plan = models.TextField(gettext_noop("下期计划"), blank=True)
    filed_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_noop("填报人"),
    )
    filed_by_name = models.CharField(gettext_noop("填报人"), max_length=50, blank=True)
    submitted_at = models.DateTimeField(gettext_noop("报送时间"))
    resubmitted_at = models.DateTimeField(gettext_noop("重新报送时间"), null=True, blank=True)
    is_late = models.BooleanField(gettext_noop("逾期报送"), default=False)
    return_reason = models.CharField(gettext_noop("退回原因"), max_length=500, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    reviewed_by_name = models.CharField(max_length=50, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    flags = models.JSONField(
        gettext_noop("疑点"), default=list, blank=True
    )  # [{"code", "message"}]
    # 核减: a negative 本期完成投资 needs a note, and counts in no total until a reviewer (not the
    # person who filed it) has accepted it
    reduction_note = models.CharField(gettext_noop("核减说明"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    # The submitting client's key for this submission (a UUID made when the form was shown, or
    # the API's Idempotency-Key): a retry with the same key returns this report.
    client_key = models.CharField(gettext_noop("提交编号"), max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-period_start", "project_id"]
        verbose_name = verbose_name_plural = gettext_noop("周报")
        constraints = [
            models.UniqueConstraint(fields=["project", "period"], name="sup_report_project_period"),
            models.UniqueConstraint(
                fields=["client_key"],
                condition=~models.Q(client_key=""),
                name="sup_report_client_key",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "project"], name="sup_report_period_idx"),
            models.Index(fields=["project", "period_start"], name="sup_report_proj_start_idx"),
        ]

    def __str__(self):
        return f"{self.project.name} {self.period}"

    @property
    def period_obj(self) -> P.Period:
        return P.parse(self.period)

    @property
    def counts_as_filed(self) -> bool:
        """报送 or 审核通过: a returned (退回) report is not filed until it is filed again."""
        return self.status != ReportStatus.RETURNED

    @property
    def counts_in_totals(self) -> bool:
        """Whether the report's investment counts: filed, and a 核减 only once accepted."""
        if self.status == ReportStatus.RETURNED:
            return False
        return not (self.invested is not None and self.invested < 0) or (
            self.status == ReportStatus.ACCEPTED
        )


def in_totals() -> models.Q:
    """Reports whose investment counts (ProgressReport.counts_in_totals as a filter): filed and
    not returned; a 核减 (negative 本期完成投资) only once a reviewer accepted it."""
    return models.Q(status__in=(ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)) & (
        models.Q(invested__gte=0) | models.Q(status=ReportStatus.ACCEPTED)
    )


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", gettext_noop("待审核")
    ACCEPTED = "accepted", gettext_noop("已通过")
    REJECTED = "rejected", gettext_noop("未通过")


class ReportCorrection(models.Model):
    """更正: a change to a report after 审核通过, with its reason. The report keeps the latest
    accepted version (what every total uses); each correction keeps the values before and after,
    so every version stays readable."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="corrections")
    number = models.PositiveSmallIntegerField(gettext_noop("更正序号"))
    status = models.CharField(
        gettext_noop("状态"),
        max_length=10,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.PENDING,
    )
    reason = models.CharField(gettext_noop("更正原因"), max_length=500)
    before = models.JSONField(
        gettext_noop("更正前"), default=dict
    )  # {"invested", "progress_text", "next_plan"}
    after = models.JSONField(gettext_noop("更正后"), default=dict)
    filed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_by_name = models.CharField(gettext_noop("更正人"), max_length=50, blank=True)
    filed_at = models.DateTimeField(gettext_noop("提交时间"))
    reviewed_by_name = models.CharField(gettext_noop("审核人"), max_length=50, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(gettext_noop("审核意见"), max_length=500, blank=True)

    class Meta:
        ordering = ["report_id", "number"]
        verbose_name = verbose_name_plural = gettext_noop("周报更正")
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="sup_correction_number")
        ]


class ReportEvent(models.Model):
    """The history of a report (报送、退回、重新报送、审核), with what it said at the time."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16)  # submit, resubmit, return, accept, photo
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=50, blank=True)
    at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    LABELS = {
        "submit": "报送",
        "resubmit": "修改后重新报送",
        "return": "退回修改",
        "accept": "审核通过",
        "photo": "补充照片",
        "correct": "提交更正",
        "correct_accept": "更正审核通过",
        "correct_reject": "更正未通过",
    }

    @property
    def label(self):
        return self.LABELS.get(self.action, self.action)


def photo_path(instance, filename):
    return f"supervision/{instance.report.project_id}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1].lower()}"


class ReportPhoto(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(gettext_noop("照片"), upload_to=photo_path, max_length=300)
    thumb = models.FileField(upload_to=photo_path, max_length=300, blank=True)
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    taken_at = models.DateTimeField(gettext_noop("拍摄时间"), null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    distance_km = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    uploaded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class InvestmentBaseline(models.Model):
    """What the ledger said before the first report: the running sums start from here."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="investment_baseline"
    )
    since_start = money("累计完成（起报前）", default=Decimal("0"))
    this_year = money("本年完成（起报前）", default=Decimal("0"))
    year = models.PositiveSmallIntegerField()


class ContactMethod(models.TextChoices):
    VISIT = "visit", gettext_noop("实地走访")
    PHONE = "phone", gettext_noop("电话")
    MEETING = "meeting", gettext_noop("会议")
    WECHAT = "wechat", gettext_noop("微信")


class ContactLog(models.Model):
    """对接记录 (留痕): who met the enterprise, when, how, about what."""

    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="contact_logs",
        verbose_name=gettext_noop("项目"),
    )
    on = models.DateField(gettext_noop("对接日期"))
    people = models.CharField(gettext_noop("参加人员"), max_length=200)
    enterprise_contact = models.CharField(gettext_noop("企业联系人"), max_length=100)
    method = models.CharField(gettext_noop("对接方式"), max_length=16)
    content = models.TextField(gettext_noop("对接内容"))
    logged_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    logged_by_name = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = verbose_name_plural = gettext_noop("对接记录")
        indexes = [models.Index(fields=["project", "on"], name="sup_contact_proj_on_idx")]

    def __str__(self):
        return f"{self.project.name} {self.on:%Y-%m-%d}"


class Reminder(models.Model):
    """催报: one reminder about one missing report."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10)
    recipient = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient_name = models.CharField(max_length=50, blank=True)
    sent_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_by_name = models.CharField(max_length=50, blank=True)
    automatic = models.BooleanField(default=False)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["period", "project"], name="sup_reminder_period_idx")]


class LightColor(models.TextChoices):
    RED = "red", gettext_noop("红灯")
    YELLOW = "yellow", gettext_noop("黄灯")
    GREEN = "green", gettext_noop("绿灯")


class Light(models.Model):
    """亮灯: the light of one project in one period, with its reasons; an override by a leader
    keeps the computed light and adds a written reason."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="lights")
    cycle = models.ForeignKey(ReportCycle, on_delete=models.CASCADE, related_name="lights")
    period = models.CharField(gettext_noop("期次"), max_length=10)
    period_end = models.DateField()
    color = models.CharField(gettext_noop("计算灯色"), max_length=8, choices=LightColor.choices)
    reasons = models.JSONField(default=list, blank=True)  # [{"code", "color", "message"}]
    facts = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField()
    override_color = models.CharField(
        gettext_noop("调整后灯色"), max_length=8, choices=LightColor.choices, blank=True
    )
    override_reason = models.CharField(gettext_noop("调整理由"), max_length=500, blank=True)
    override_by_name = models.CharField(max_length=50, blank=True)
    overridden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_end", "project_id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "period"], name="sup_light_project_period")
        ]
        indexes = [models.Index(fields=["period", "color"], name="sup_light_period_idx")]

    def __str__(self):
        return f"{self.project_id} {self.period} {self.effective_color}"

    @property
    def effective_color(self) -> str:
        return effective_color(self.color, self.override_color)

    @property
    def effective_label(self) -> str:
        return LightColor(self.effective_color).label

    @property
    def reason_text(self) -> str:
        return "；".join(r["message"] for r in self.reasons) or "各项指标正常"


class ProblemStatus(models.TextChoices):
    RAISED = "raised", gettext_noop("提出")
    ASSIGNED = "assigned", gettext_noop("交办")
    IN_PROGRESS = "in_progress", gettext_noop("办理中")
    RESOLVED = "resolved", gettext_noop("办结")
    CLOSED = "closed", gettext_noop("销号")
    RETURNED = "returned", gettext_noop("退回")
    SENT_BACK = "sent_back", gettext_noop("退回交办")  # not theirs: 督查室 reassigns


OPEN_PROBLEM = ("raised", "assigned", "in_progress", "returned", "resolved", "sent_back")
RUNNING = RUNNING_STATES  # on the department's desk, with a deadline (supervision.flows)
LEVELS = dict(enumerate(LEVEL_LABELS))  # 0: "", 1: 催办, 2: 督办, 3: 提级 (engine.escalation)


class ProblemSource(models.TextChoices):
    REPORT = "report", gettext_noop("周报")
    CONTACT = "contact", gettext_noop("走访对接")
    MANUAL = "manual", gettext_noop("直接录入")
    MEETING = "meeting", gettext_noop("调度会")


class Problem(models.Model):
    """问题清单: a problem of a project, assigned to a department with a deadline in working days."""

    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=gettext_noop("项目"),
    )
    title = models.CharField(gettext_noop("问题"), max_length=200)
    description = models.TextField(gettext_noop("具体情况"), blank=True)
    type_code = models.CharField(gettext_noop("问题类型"), max_length=20)
    type_label = models.CharField(max_length=100, blank=True)
    source = models.CharField(
        gettext_noop("来源"),
        max_length=10,
        choices=ProblemSource.choices,
        default=ProblemSource.MANUAL,
    )
    report = models.ForeignKey(
        ProgressReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="problems"
    )
    contact = models.ForeignKey(
        ContactLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="problems"
    )
    suggested_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_noop("建议责任单位"),
    )
    responsible_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_problems",
        verbose_name=gettext_noop("责任单位"),
    )
    raised_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_by_name = models.CharField(gettext_noop("提出人"), max_length=50, blank=True)
    raised_at = models.DateTimeField(gettext_noop("提出时间"))
    status = models.CharField(
        gettext_noop("状态"),
        max_length=12,
        choices=ProblemStatus.choices,
        default=ProblemStatus.RAISED,
    )
    deadline_wd = models.PositiveSmallIntegerField(
        gettext_noop("办理时限（工作日）"), null=True, blank=True
    )
    assigned_on = models.DateField(gettext_noop("交办日期"), null=True, blank=True)
    due_date = models.DateField(gettext_noop("办结时限"), null=True, blank=True)
    answer = models.TextField(gettext_noop("办理结果"), blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.CharField(gettext_noop("退回原因"), max_length=500, blank=True)
    escalation_level = models.PositiveSmallIntegerField(gettext_noop("督办级别"), default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(gettext_noop("满意度"), null=True, blank=True)
    satisfaction_note = models.CharField(max_length=300, blank=True)
    # 申请延期: pending while extension_due is set; the 督查室 approves (due_date moves) or refuses
    extension_due = models.DateField("申请延期至", null=True, blank=True)
    extension_reason = models.CharField("延期理由", max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = gettext_noop("问题")
        indexes = [
            models.Index(fields=["status", "due_date"], name="sup_problem_status_due_idx"),
            models.Index(fields=["responsible_unit", "status"], name="sup_problem_unit_idx"),
            models.Index(fields=["project", "status"], name="sup_problem_proj_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def level_label(self) -> str:
        return LEVELS.get(self.escalation_level, "")

    @property
    def extension_state(self) -> str:
        """The state of its extension request on supervision.flows.EXTENSION."""
        return "pending" if self.extension_due else "none"

    def is_overdue(self, today) -> bool:
        return self.status in RUNNING and self.due_date is not None and today > self.due_date

    @property
    def resolved_late(self) -> bool:
        return bool(self.due_date and self.resolved_at and self.resolved_at.date() > self.due_date)


class ProblemEvent(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="events")
    # raise, assign, start, resolve, close, return, escalate, rate, send_back,
    # request_extension, approve_extension, refuse_extension
    action = models.CharField(max_length=24)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    level = models.PositiveSmallIntegerField(default=0)
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=50, blank=True)
    at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    LABELS = {
        "raise": gettext_noop("提出"),
        "assign": gettext_noop("交办"),
        "start": gettext_noop("签收办理"),
        "resolve": gettext_noop("办结"),
        "close": gettext_noop("销号"),
        "return": gettext_noop("退回"),
        "escalate": gettext_noop("升级"),
        "rate": gettext_noop("评价"),
        "send_back": gettext_noop("退回交办"),
        "request_extension": gettext_noop("申请延期"),
        "approve_extension": gettext_noop("批准延期"),
        "refuse_extension": gettext_noop("不予延期"),
    }

    @property
    def label(self):
        if self.action == "escalate":
            return LEVELS.get(self.level, "升级")
        return self.LABELS.get(self.action, self.action)


def problem_file_path(instance, filename):
    """A random name under the project and problem: the original name is kept in the row only."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"problems/{instance.problem.project_id}/{instance.problem_id}/{uuid.uuid4().hex}.{ext}"


class EvidenceKind(models.TextChoices):
    APPROVAL = "approval", "批复"
    PHOTO = "photo", "照片"
    SCAN = "scan", "扫描件"
    OTHER = "other", "其他"


class ProblemAttachment(models.Model):
    """办结佐证: a 批复, photo or scan the department attaches when it resolves a problem."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        ProblemEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    kind = models.CharField(
        "类别", max_length=10, choices=EvidenceKind.choices, default=EvidenceKind.APPROVAL
    )
    note = models.CharField("说明", max_length=300, blank=True)
    file = models.FileField("文件", upload_to=problem_file_path, max_length=300)
    original_name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_by_name = models.CharField(max_length=50, blank=True)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = verbose_name_plural = "问题办结附件"

    def __str__(self):
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", gettext_noop("筹备中")
    HELD = "held", gettext_noop("已召开")


class DispatchMeeting(models.Model):
    """调度会: one per unit and period."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_noop("单位")
    )
    period = models.CharField(gettext_noop("期次"), max_length=10)
    title = models.CharField(gettext_noop("会议名称"), max_length=200)
    held_on = models.DateField(gettext_noop("会议日期"))
    location = models.CharField(gettext_noop("地点"), max_length=100, blank=True)
    chair = models.CharField(gettext_noop("主持人"), max_length=50, blank=True)
    status = models.CharField(
        gettext_noop("状态"),
        max_length=10,
        choices=MeetingStatus.choices,
        default=MeetingStatus.PLANNED,
    )
    minutes = models.TextField(gettext_noop("会议纪要"), blank=True)
    created_by_name = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = verbose_name_plural = gettext_noop("调度会")
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="sup_meeting_unit_period")
        ]

    def __str__(self):
        return self.title


class AgendaKind(models.TextChoices):
    LIGHT = "light", gettext_noop("红灯项目")
    PROBLEM = "problem", gettext_noop("超期及督办问题")
    ACTION = "action", gettext_noop("上次会议未完成事项")
    CUSTOM = "custom", gettext_noop("其他议题")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(DispatchMeeting, on_delete=models.CASCADE, related_name="agenda")
    kind = models.CharField(max_length=10, choices=AgendaKind.choices)
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    problem = models.ForeignKey(
        Problem, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    action = models.ForeignKey(
        "ActionItem", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(gettext_noop("议题"), max_length=300)
    detail = models.TextField(gettext_noop("说明"), blank=True)
    sort_order = models.IntegerField(default=0)
    auto = models.BooleanField(default=True)
    removed = models.BooleanField(default=False)

    class Meta:
        ordering = ["sort_order", "id"]


class ActionStatus(models.TextChoices):
    OPEN = "open", gettext_noop("推进中")
    DONE = "done", gettext_noop("已完成")


class ActionItem(models.Model):
    """议定事项: a decision of a meeting, with an owner, a unit and a deadline, tracked until closed."""

    meeting = models.ForeignKey(DispatchMeeting, on_delete=models.PROTECT, related_name="actions")
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    problem = models.ForeignKey(
        Problem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content = models.TextField(gettext_noop("议定事项"))
    owner = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_noop("责任人"),
    )
    owner_name = models.CharField(gettext_noop("责任人"), max_length=50, blank=True)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_noop("责任单位"),
    )
    deadline = models.DateField(gettext_noop("完成时限"))
    status = models.CharField(
        gettext_noop("状态"), max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    result = models.TextField(gettext_noop("完成情况"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by_name = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = verbose_name_plural = gettext_noop("议定事项")
        indexes = [models.Index(fields=["status", "deadline"], name="sup_action_status_idx")]

    def __str__(self):
        return self.content[:60]

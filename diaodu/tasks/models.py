"""重点工作督办: source documents (来源文件), key tasks (重点任务) with their nodes (节点), progress
reports, the task history, 督办单 (SupervisionNotice) and the unit aliases a clerk taught the
extractor. No business rules here: the moves are in ``flows.py``, every write in ``services``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from diaodu.org.models import Unit

USER = settings.AUTH_USER_MODEL


class SourceKind(models.TextChoices):
    DOCUMENT = "document", gettext_noop("文件/讲话")
    MEETING = "meeting", gettext_noop("会议议定")
    INSTRUCTION = "instruction", gettext_noop("领导批示")
    AGREEMENT = "agreement", gettext_noop("目标责任状")


class TaskLevel(models.TextChoices):
    PROVINCE = "province", gettext_noop("省交办")
    CITY = "city", gettext_noop("市交办")
    DISTRICT = "district", gettext_noop("区交办")
    ZONE = "zone", gettext_noop("开发区")


class TaskStatus(models.TextChoices):
    PENDING = "pending", gettext_noop("待签收")
    IN_PROGRESS = "in_progress", gettext_noop("办理中")
    REQUESTED = "requested", gettext_noop("申请办结")
    DONE = "done", gettext_noop("已办结")
    RETURNED = "returned", gettext_noop("退回")
    SUSPENDED = "suspended", gettext_noop("挂起")


class Recurrence(models.TextChoices):
    NONE = "", gettext_noop("一次性")
    DAILY = "daily", gettext_noop("每天")
    WEEKLY = "weekly", gettext_noop("每周")
    BIWEEKLY = "biweekly", gettext_noop("每两周")
    MONTHLY = "monthly", gettext_noop("每月")
    QUARTERLY = "quarterly", gettext_noop("每季度")
    SEMIANNUAL = "semiannual", gettext_noop("每半年")
    YEARLY = "yearly", gettext_noop("每年")
    ONGOING = "ongoing", gettext_noop("持续推进")


class Cadence(models.TextChoices):
    WEEKLY = "weekly", gettext_noop("每周报送")
    MONTHLY = "monthly", gettext_noop("每月报送")
    NODE = "node", gettext_noop("按节点报送")


RUNNING = ("pending", "in_progress", "returned")
"""On the units' desks with a deadline: these are chased and escalate."""
OPEN = ("pending", "in_progress", "requested", "returned", "suspended")


class SourceDocument(models.Model):
    """来源文件: a speech, minutes or instruction as uploaded, its text, and the draft 任务分解表
    (rows as the extractor and then the clerk left them) until it is approved."""

    class State(models.TextChoices):
        DRAFT = "draft", gettext_noop("待审核")
        APPROVED = "approved", gettext_noop("已下达")

    zone = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_noop("所属单位")
    )
    title = models.CharField(gettext_noop("文件名称"), max_length=200)
    kind = models.CharField(
        gettext_noop("来源"), max_length=12, choices=SourceKind.choices, default=SourceKind.DOCUMENT
    )
    doc_date = models.DateField(gettext_noop("文件日期"))
    file = models.FileField(upload_to="tasks/sources/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    text = models.TextField(gettext_noop("文件文字"))
    rows = models.JSONField(gettext_noop("任务分解表草稿"), default=list)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-doc_date", "-id"]
        verbose_name = verbose_name_plural = gettext_noop("来源文件")

    def __str__(self):
        return self.title


class UnitAlias(models.Model):
    """A name a document uses for a unit ("征收办" for 房屋征收与补偿办公室, "聚丰公司"), mapped once by
    a clerk and used by every later extraction in the zone."""

    zone = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    alias = models.CharField(gettext_noop("别名"), max_length=60)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="task_aliases")

    class Meta:
        ordering = ["alias"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "alias"], name="tasks_alias_zone_uniq")
        ]

    def __str__(self):
        return self.alias


class Task(models.Model):
    """重点任务: one row of a 任务分解表, given to a lead unit with supporting units, a leader and a
    deadline; may be split into sub-tasks for other units (one level), whose progress rolls up."""

    zone = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_noop("所属单位")
    )
    source_kind = models.CharField(
        gettext_noop("来源"), max_length=12, choices=SourceKind.choices, default=SourceKind.DOCUMENT
    )
    document = models.ForeignKey(
        SourceDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=gettext_noop("来源文件"),
    )
    source_ref = models.CharField(gettext_noop("来源说明"), max_length=200, blank=True)
    span_start = models.PositiveIntegerField(null=True, blank=True)
    span_end = models.PositiveIntegerField(null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=gettext_noop("上级任务"),
    )
    number = models.CharField(gettext_noop("序号"), max_length=20, blank=True)
    title = models.CharField(gettext_noop("任务"), max_length=500)
    measures = models.TextField(gettext_noop("具体措施"), blank=True)
    lead_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="led_tasks",
        verbose_name=gettext_noop("牵头单位"),
    )
    support_units = models.ManyToManyField(
        Unit, blank=True, related_name="supported_tasks", verbose_name=gettext_noop("配合单位")
    )
    leader_name = models.CharField(gettext_noop("责任领导"), max_length=50, blank=True)
    leader = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_key_tasks"
    )
    person_name = models.CharField(gettext_noop("责任人"), max_length=50, blank=True)
    deadline = models.DateField(gettext_noop("完成时限"), null=True, blank=True)
    deadline_text = models.CharField(gettext_noop("时限原文"), max_length=60, blank=True)
    recurrence = models.CharField(
        gettext_noop("周期"), max_length=12, choices=Recurrence.choices, blank=True, default=""
    )
    cadence = models.CharField(
        gettext_noop("报送频次"), max_length=8, choices=Cadence.choices, default=Cadence.WEEKLY
    )
    level = models.CharField(
        gettext_noop("交办级别"), max_length=10, choices=TaskLevel.choices, default=TaskLevel.ZONE
    )
    target = models.CharField(gettext_noop("量化目标"), max_length=200, blank=True)
    status = models.CharField(
        gettext_noop("状态"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(gettext_noop("进度（%）"), default=0)
    last_report_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(gettext_noop("督办级别"), default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    extension_due = models.DateField(gettext_noop("申请延期至"), null=True, blank=True)
    extension_reason = models.CharField(gettext_noop("延期理由"), max_length=500, blank=True)
    return_reason = models.CharField(gettext_noop("退回原因"), max_length=500, blank=True)
    summary = models.TextField(gettext_noop("办结情况"), blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = gettext_noop("重点任务")
        indexes = [
            models.Index(fields=["status", "deadline"], name="tasks_task_status_dl_idx"),
            models.Index(fields=["lead_unit", "status"], name="tasks_task_lead_idx"),
            models.Index(fields=["zone", "status"], name="tasks_task_zone_idx"),
            models.Index(fields=["leader", "status"], name="tasks_task_leader_idx"),
            models.Index(fields=["document", "status"], name="tasks_task_doc_idx"),
        ]

    def __str__(self):
        return self.title


class Milestone(models.Model):
    """节点: a dated step of a task; units report against it, and a late node escalates its task."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(gettext_noop("节点"), max_length=200)
    due_date = models.DateField(gettext_noop("节点时限"))
    progress = models.PositiveSmallIntegerField(gettext_noop("进度（%）"), default=0)
    done_on = models.DateField(gettext_noop("完成日期"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["task", "due_date", "sort_order", "id"]
        verbose_name = verbose_name_plural = gettext_noop("节点")

    def __str__(self):
        return self.title


class TaskReport(models.Model):
    """进度报告: what the lead unit did, against the task or one of its nodes."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    text = models.TextField(gettext_noop("进展情况"))
    percent = models.PositiveSmallIntegerField(gettext_noop("完成比例（%）"), null=True, blank=True)
    attachment = models.FileField(upload_to="tasks/reports/%Y/%m/", blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=50, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = verbose_name_plural = gettext_noop("进度报告")


class TaskEvent(models.Model):
    """The history of a task: every move, report, escalation and notice, in order."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=24)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    level = models.PositiveSmallIntegerField(default=0)
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=50, blank=True)
    at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]


class SupervisionNotice(models.Model):
    """督办单: issued by the 督查室 to the lead unit of a late task, with a reply slip (回执)."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="notices")
    number = models.CharField(gettext_noop("编号"), max_length=30, unique=True)
    level = models.PositiveSmallIntegerField(gettext_noop("督办级别"), default=2)
    body = models.TextField(gettext_noop("督办事项"))
    reply_due = models.DateField(gettext_noop("回复时限"))
    issued_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_by_name = models.CharField(max_length=50, blank=True)
    issued_at = models.DateTimeField()
    reply = models.TextField(gettext_noop("回复"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = verbose_name_plural = gettext_noop("督办单")

    def __str__(self):
        return self.number

"""前期手续: the working-day calendar entered by administrators, versioned procedure templates
(`ProcedureTemplate` with its items `Procedure`), and per project the chain (`ProcedureChain`)
of `ProjectProcedure` items with their status, dates, 文号, attachments and the latest
schedule computed by engine/schedule.py (stored so that lists are fast)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from diaodu.engine import schedule as E
from diaodu.org.models import Unit
from diaodu.projects.models import Project


class HolidayYear(models.Model):
    """One year's holiday notice (国务院办公厅关于某年部分节假日安排的通知), entered by an
    administrator. Overrides what the chinesecalendar package knows for that year."""

    year = models.PositiveSmallIntegerField(gettext_noop("年份"), unique=True)
    holidays = models.JSONField(gettext_noop("放假日期"), default=list)  # ISO dates
    makeup_workdays = models.JSONField(gettext_noop("调休上班日期"), default=list)  # ISO dates
    source = models.CharField(gettext_noop("来源说明"), max_length=300)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_noop("录入人"),
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = verbose_name_plural = gettext_noop("节假日安排")

    def __str__(self):
        return f"{self.year}年节假日安排"


class Stage(models.TextChoices):
    """The four stages of 工程建设项目审批制度改革 (国办发〔2019〕11号)."""

    LAND_PLANNING = "land_planning", gettext_noop("立项用地规划许可")
    ENGINEERING = "engineering", gettext_noop("工程建设许可")
    CONSTRUCTION = "construction", gettext_noop("施工许可")
    ACCEPTANCE = "acceptance", gettext_noop("竣工验收")


# 竣工验收 happens after 开工: tracked, but not part of the backward schedule to the start date.
PRE_START_STAGES = (Stage.LAND_PLANNING, Stage.ENGINEERING, Stage.CONSTRUCTION)


class Status(models.TextChoices):
    NOT_STARTED = E.NOT_STARTED, "未启动"
    IN_PROGRESS = E.IN_PROGRESS, "办理中"
    DONE = E.DONE, "已办结"
    ACCEPTED_WITH_GAPS = E.ACCEPTED_WITH_GAPS, "容缺受理"
    NOT_APPLICABLE = E.NOT_APPLICABLE, "不适用"


OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.ACCEPTED_WITH_GAPS)


class DurationUnit(models.TextChoices):
    """工作日 for 行政许可 time limits (《行政许可法》第八十二条); 自然日 for statutory notice and
    publicity periods (招拍挂 公告/挂牌, 公示), which run over holidays."""

    WORKING_DAYS = E.WORKING_DAYS, "工作日"
    CALENDAR_DAYS = E.CALENDAR_DAYS, "自然日"


def duration_text(days, unit) -> str:
    """ "30 个自然日", "5 个工作日"."""
    return f"{days} 个{E.UNIT_LABELS.get(unit, '工作日')}"


class ProcedureTemplate(models.Model):
    """A procedure template, versioned: editing creates a new version (same `code`, version + 1)
    and the old one stops being current; chains keep the version they were made from."""

    code = models.CharField(gettext_noop("模板编码"), max_length=40)
    name = models.CharField(gettext_noop("模板名称"), max_length=100)
    description = models.TextField(gettext_noop("适用说明"), blank=True)
    version = models.PositiveIntegerField(gettext_noop("版本"), default=1)
    is_current = models.BooleanField(gettext_noop("现行版本"), default=True)
    sort_order = models.IntegerField(gettext_noop("排序"), default=0)
    change_note = models.CharField(gettext_noop("修订说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_noop("修订人"),
    )

    class Meta:
        ordering = ["sort_order", "code", "-version"]
        unique_together = [("code", "version")]
        verbose_name = verbose_name_plural = gettext_noop("前期手续模板")

    def __str__(self):
        return f"{self.name}（第{self.version}版）"


class Procedure(models.Model):
    """前期手续 (template item): one approval in a template."""

    template = models.ForeignKey(ProcedureTemplate, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(gettext_noop("编码"), max_length=20)
    name = models.CharField(gettext_noop("手续名称"), max_length=100)
    stage = models.CharField(gettext_noop("阶段"), max_length=20, choices=Stage.choices)
    duration_wd = models.PositiveIntegerField(gettext_noop("办理时限"))
    duration_unit = models.CharField(
        gettext_noop("时限单位"),
        max_length=20,
        choices=DurationUnit.choices,
        default=DurationUnit.WORKING_DAYS,
    )
    duration_source = models.CharField(gettext_noop("时限依据"), max_length=200, blank=True)
    predecessors = models.JSONField(
        gettext_noop("前置手续"), default=list
    )  # [{"code": "LX01", "lag_wd": 0}]
    responsible_text = models.CharField(
        gettext_noop("责任部门"), max_length=100, blank=True
    )  # matched by name per project
    documents = models.JSONField(gettext_noop("要件材料"), default=list)  # list of text
    sort_order = models.IntegerField(gettext_noop("排序"), default=0)

    class Meta:
        ordering = ["template", "sort_order", "id"]
        unique_together = [("template", "code")]
        verbose_name = verbose_name_plural = gettext_noop("前期手续（模板项）")

    def __str__(self):
        return self.name

    @property
    def duration_label(self) -> str:
        return duration_text(self.duration_wd, self.duration_unit)


class ProcedureChain(models.Model):
    """The chain of 前期手续 of one project, made from a template version, with the latest
    computed schedule of the project (so that lists need no engine run)."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="procedure_chain"
    )
    template = models.ForeignKey(
        ProcedureTemplate,
        on_delete=models.PROTECT,
        related_name="chains",
        verbose_name=gettext_noop("模板版本"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # -- computed (services.recompute_*)
    target_start = models.DateField(gettext_noop("计划开工"), null=True, blank=True)
    expected_start = models.DateField(gettext_noop("预计可开工"), null=True, blank=True)
    days_late_wd = models.IntegerField(
        gettext_noop("预计延误（工作日）"), null=True, blank=True, db_index=True
    )
    critical_path = models.JSONField(gettext_noop("关键路径"), default=list, blank=True)
    delay_cause = models.CharField(gettext_noop("延误原因手续"), max_length=100, blank=True)
    calendar_warnings = models.JSONField(gettext_noop("日历提示"), default=list, blank=True)
    overdue_count = models.PositiveIntegerField(default=0)
    at_risk_count = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(gettext_noop("计算时间"), null=True, blank=True)
    computed_for = models.DateField(null=True, blank=True)  # the "today" of the last computation
    compute_error = models.CharField(gettext_noop("计算错误"), max_length=300, blank=True)

    class Meta:
        ordering = ["-days_late_wd", "project_id"]
        verbose_name = verbose_name_plural = gettext_noop("前期手续链条")
        indexes = [models.Index(fields=["days_late_wd", "project"], name="proc_chain_late_idx")]

    def __str__(self):
        return f"{self.project}·前期手续"


class ProjectProcedure(models.Model):
    """One 前期手续 of one project: copied from the template item (or added), adjustable."""

    chain = models.ForeignKey(ProcedureChain, on_delete=models.CASCADE, related_name="items")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="procedures")
    procedure = models.ForeignKey(
        Procedure,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_noop("模板项"),
    )  # null: added to this project only
    code = models.CharField(gettext_noop("编码"), max_length=20)
    name = models.CharField(gettext_noop("手续名称"), max_length=100)
    stage = models.CharField(gettext_noop("阶段"), max_length=20, choices=Stage.choices)
    duration_wd = models.PositiveIntegerField(gettext_noop("办理时限"))
    duration_unit = models.CharField(
        gettext_noop("时限单位"),
        max_length=20,
        choices=DurationUnit.choices,
        default=DurationUnit.WORKING_DAYS,
    )
    duration_source = models.CharField(gettext_noop("时限依据"), max_length=200, blank=True)
    predecessors = models.JSONField(gettext_noop("前置手续"), default=list)
    responsible_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="procedures",
        verbose_name=gettext_noop("责任部门"),
    )
    responsible_text = models.CharField(
        gettext_noop("责任部门（未匹配）"), max_length=100, blank=True
    )
    documents = models.JSONField(gettext_noop("要件材料"), default=list, blank=True)
    sort_order = models.IntegerField(gettext_noop("排序"), default=0)
    status = models.CharField(
        gettext_noop("状态"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    actual_start = models.DateField(gettext_noop("实际开始"), null=True, blank=True)
    actual_finish = models.DateField(gettext_noop("实际办结"), null=True, blank=True)
    doc_number = models.CharField(gettext_noop("文号"), max_length=100, blank=True)
    note = models.CharField(gettext_noop("备注"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    # -- computed
    latest_start = models.DateField(gettext_noop("最迟开始"), null=True, blank=True)
    latest_finish = models.DateField(gettext_noop("最迟办结"), null=True, blank=True)
    earliest_start = models.DateField(gettext_noop("最早开始"), null=True, blank=True)
    earliest_finish = models.DateField(gettext_noop("预计办结"), null=True, blank=True)
    slack_wd = models.IntegerField(gettext_noop("机动时间（工作日）"), null=True, blank=True)
    critical = models.BooleanField(gettext_noop("关键手续"), default=False)
    overdue = models.BooleanField(gettext_noop("已超期"), default=False)
    at_risk = models.BooleanField(gettext_noop("临期"), default=False)

    class Meta:
        ordering = ["chain", "sort_order", "id"]
        unique_together = [("chain", "code")]
        verbose_name = verbose_name_plural = gettext_noop("项目前期手续")
        indexes = [
            # Not on the computed columns: their nightly rewrite stays a HOT update (no index churn).
            models.Index(fields=["responsible_unit", "status"], name="proc_item_unit_idx"),
            models.Index(fields=["project", "sort_order"], name="proc_item_project_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_added(self) -> bool:
        return self.procedure_id is None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def responsible_label(self) -> str:
        if self.responsible_unit_id:
            return self.responsible_unit.label
        return self.responsible_text

    @property
    def predecessor_text(self) -> str:
        return format_predecessors(self.predecessors)

    @property
    def duration_label(self) -> str:
        return duration_text(self.duration_wd, self.duration_unit)


def format_predecessors(preds) -> str:
    return "、".join(
        p["code"] + (f"+{p['lag_wd']}" if p.get("lag_wd") else "") for p in preds or []
    )


def attachment_path(instance, filename):
    """A random name under the project and item: the original name is kept in the row only."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"procedures/{instance.item.project_id}/{instance.item_id}/{uuid.uuid4().hex}.{ext}"


class ProcedureAttachment(models.Model):
    item = models.ForeignKey(ProjectProcedure, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(gettext_noop("文件"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(gettext_noop("文件名"), max_length=200)
    size = models.PositiveIntegerField(gettext_noop("大小（字节）"))
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = verbose_name_plural = gettext_noop("手续附件")

    def __str__(self):
        return self.original_name

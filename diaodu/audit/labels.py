"""Names people read in the audit log and in a record's 修改记录: the action catalogue, object
names from the models' verbose names, field names from the fields' verbose names.

The log stores stable keys (``project.update``, ``projects.project``, ``unit_id``); this module
turns them into Chinese (or English) at display time, so renaming a label never touches the
hash-chained entries. The models are looked up through the app registry, not imported: the audit
app sits under every other app."""

from __future__ import annotations

import re

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

_CJK = re.compile("[\u4e00-\u9fff]")

# Whole actions whose name is not "verb + object".
ACTIONS = {
    "task.create": _("新建重点任务"),
    "task.update": _("修改重点任务"),
    "task.alias": _("设置单位别名"),
    "task.document.upload": _("上传来源文件"),
    "task.document.draft": _("生成任务分解草稿"),
    "task.document.approve": _("审定任务分解表"),
    "task.document.import": _("导入任务分解表"),
    "task.escalate": _("重点任务升级督办"),
    "task.milestone": _("更新任务节点"),
    "task.notice": _("下发督办单"),
    "task.notice_reply": _("回复督办单"),
    "task.report": _("报送任务进展"),
    "task.rollup": _("汇总子任务进度"),
    "task.sign": _("签收重点任务"),
    "task.request_done": _("申请办结重点任务"),
    "task.approve_done": _("办结重点任务"),
    "task.return": _("退回重点任务"),
    "task.suspend": _("挂起重点任务"),
    "task.resume": _("恢复重点任务"),
    "task.request_extension": _("申请任务延期"),
    "task.approve_extension": _("批准任务延期"),
    "task.refuse_extension": _("不予任务延期"),
    "project.create": _("新建项目"),
    "project.update": _("修改项目"),
    "project.stage": _("变更项目阶段"),
    "project.stage_date": _("补录阶段日期"),
    "person.create": _("新建人员"),
    "person.update": _("修改人员信息"),
    "person.enable": _("启用/停用人员"),
    "person.locked": _("账号锁定"),
    "person.unlock": _("账号解锁"),
    "person.memberships": _("调整人员所属单位"),
    "person.roles": _("调整人员角色"),
    "person.password": _("修改密码"),
    "person.reset_password": _("重置密码"),
    "person.admin_recover": _("服务器端恢复管理员账号"),
    "unit.move": _("调整单位上级"),
    "unit.enable": _("启用/停用单位"),
    "report.submit": _("报送周报"),
    "report.resubmit": _("重新报送周报"),
    "report.return": _("退回周报"),
    "report.accept": _("审核通过周报"),
    "report.photos": _("上传周报照片"),
    "report.remind": _("催报"),
    "report.correct": _("更正周报"),
    "report.correct_accept": _("审核通过周报更正"),
    "ledger.import_retry": _("重试导入台账"),
    "contact.create": _("记录对接"),
    "lights.compute": _("计算亮灯"),
    "light.override": _("调整灯色"),
    "problem.raise": _("提出问题"),
    "problem.assign": _("交办问题"),
    "problem.start": _("开始办理问题"),
    "problem.resolve": _("办结问题"),
    "problem.close": _("问题销号"),
    "problem.return": _("退回问题"),
    "problem.escalate": _("升级督办"),
    "problem.rate": _("评价问题办理"),
    "problem.evidence": _("上传办结佐证"),
    "problem.send_back": _("退回交办"),
    "problem.extension_request": _("申请延期"),
    "problem.extension_approve": _("批准延期"),
    "problem.extension_refuse": _("不予延期"),
    "meeting.create": _("新建调度会"),
    "meeting.held": _("调度会已召开"),
    "meeting.agenda_add": _("添加议题"),
    "meeting.agenda_remove": _("移除议题"),
    "meeting.agenda_move": _("调整议题顺序"),
    "meeting.agenda_build": _("生成议程"),
    "action.create": _("新增议定事项"),
    "action.close": _("议定事项办结"),
    "cycle.create": _("新建报送周期"),
    "cycle.update": _("修改报送规则"),
    "ledger.import": _("导入台账"),
    "ledger.import_check": _("检查导入台账"),
    "ledger.import_confirm": _("确认导入台账"),
    "filter.save": _("保存筛选条件"),
    "filter.delete": _("删除筛选条件"),
    "procedures.chain_create": _("建立前期手续链条"),
    "procedures.chain_delete": _("删除前期手续链条"),
    "procedures.item_add": _("添加手续"),
    "procedures.item_update": _("修改手续"),
    "procedures.item_status": _("变更手续状态"),
    "procedures.item_remove": _("移除手续"),
    "procedures.attachment_add": _("上传手续附件"),
    "procedures.attachment_delete": _("删除手续附件"),
    "procedures.template_save": _("保存手续模板"),
    "procedures.recompute": _("重新计算排期"),
    "procedures.recompute_all": _("全部重新计算排期"),
    "procedures.target_start_changed": _("计划开工日期变更"),
    "calendar.save": _("保存节假日安排"),
    "agreement.sign": _("签订目标责任状"),
    "agreement.scan": _("上传责任状扫描件"),
    "agreement.supersede": _("目标责任状被新版本替代"),
    "agreement.amend": _("调整目标责任状"),
    "monthly.save": _("填报月度数据"),
    "monthly.import": _("导入月度数据"),
    "monthly.delete": _("删除月度数据"),
    "monthly.remind": _("催报月度数据"),
    "monthly.deadline": _("设置月度填报截止日"),
    "economy.save": _("填报经济指标"),
    "assessment.run": _("计算考核结果"),
    "assessment.historical": _("录入历年考核结果"),
    "scheme.criterion": _("修改考核细则"),
    "scheme.criterion_remove": _("删除考核细则"),
    "scheme.adjustment": _("考核加减分"),
    "peergroup.save": _("保存比较组"),
    "channel.test": _("测试通知渠道"),
    "delivery.retry": _("重发通知"),
    "message.read": _("阅读消息"),
    "message.read_all": _("全部标为已读"),
    "token.create": _("生成接口令牌"),
    "token.revoke": _("撤销接口令牌"),
    "dict.create": _("新建字典项"),
    "dict.update": _("修改字典项"),
    "test.ping": _("测试"),
    "notify.send": _("发送通知"),
    "scheme.adjustment_count": _("录入加减分次数"),
    "region.create": _("新增比较地区"),
    "region.update": _("修改比较地区"),
}

VERBS = {
    "create": _("新建"),
    "update": _("修改"),
    "delete": _("删除"),
    "save": _("保存"),
    "enable": _("启用/停用"),
    "import": _("导入"),
    "export": _("导出"),
}

# The first part of an action, when no model carries that name.
SUBJECTS = {
    "project": _("项目"),
    "person": _("人员"),
    "unit": _("单位"),
    "role": _("角色"),
    "report": _("周报"),
    "contact": _("对接记录"),
    "problem": _("问题"),
    "meeting": _("调度会"),
    "action": _("议定事项"),
    "cycle": _("报送周期"),
    "channel": _("通知渠道"),
    "agreement": _("目标责任状"),
    "indicator": _("指标"),
    "scheme": _("考核方案"),
    "region": _("对标地区"),
    "token": _("接口令牌"),
    "dict": _("字典项"),
    "filter": _("筛选条件"),
}

# Models whose verbose name is not written for people yet.
OBJECTS = {
    "tasks.unitalias": _("单位别名"),
    "tasks.taskevent": _("任务处理记录"),
    "tasks.supervisionnotice": _("督办单"),
    "audit.audithead": _("审计链头"),
    "projects.projectyearplan": _("项目年度计划"),
    "projects.stagechange": _("阶段变更"),
    "projects.savedfilter": _("筛选条件"),
    "projects.importjob": _("台账导入任务"),
    "supervision.reportevent": _("周报办理记录"),
    "supervision.reportphoto": _("周报照片"),
    "supervision.investmentbaseline": _("投资基数"),
    "supervision.reminder": _("催报记录"),
    "supervision.light": _("亮灯"),
    "supervision.problemevent": _("问题办理记录"),
    "supervision.agendaitem": _("议题"),
    "targets.entrydeadline": _("填报截止日"),
    "targets.reminder": _("月度催报记录"),
    "targets.peergroup": _("比较组"),
    "targets.economicvalue": _("经济指标值"),
    "targets.schemecriterion": _("考核细则"),
    "targets.schemeadjustment": _("加减分项"),
    "targets.adjustmententry": _("加减分"),
    "targets.scoreset": _("考核结果"),
    "targets.unitscore": _("单位得分"),
}

# Snapshot keys that are not model fields, or whose field has no readable name.
FIELDS = {
    "created_at": _("创建时间"),
    "updated_at": _("更新时间"),
    "version": _("版本号"),
    "user": _("人员"),
    "resume_stage": _("恢复后阶段"),
    "from_stage": _("原阶段"),
    "to_stage": _("新阶段"),
    "person_name": _("操作人"),
    "period_start": _("期次开始"),
    "period_end": _("期次结束"),
    "year": _("年度"),
    "month": _("月份"),
    "returned_at": _("退回时间"),
    "reviewed_by_name": _("审核人"),
    "reviewed_at": _("审核时间"),
    "resolved_at": _("办结时间"),
    "closed_at": _("销号时间"),
    "escalated_at": _("督办时间"),
    "satisfaction_note": _("评价说明"),
    "type_label": _("问题类型"),
    "raised_by": _("提出人"),
    "failed_logins": _("连续登录失败次数"),
    "locked_until": _("锁定至"),
    "password_changed_at": _("密码修改时间"),
    "sort_order": _("排序"),
    "meeting": _("调度会"),
    "problem": _("问题"),
    "action": _("操作"),
    "chain": _("链条"),
    "item": _("手续"),
    "content_type": _("文件类型"),
    "uploaded_by": _("上传人"),
    "uploaded_at": _("上传时间"),
    "original_name": _("文件名"),
    "title": _("标题"),
    "kind": _("类别"),
    "scheme": _("考核方案"),
    "indicator": _("指标"),
    "region": _("地区"),
    "score_set": _("考核结果"),
    "total": _("合计"),
    "rank": _("名次"),
    "units": _("单位数"),
    "totals": _("各单位得分"),
    "adjustment": _("加减分项"),
    "cap": _("上限"),
    "code": _("编码"),
    "source": _("来源"),
    "points_each": _("每次分值"),
    "name": _("名称"),
    "as_of": _("数据截至"),
    "deadline": _("截止时间"),
    "id": _("编号"),
    "unit": _("单位"),
    "roles": _("角色"),
    "memberships": _("所属单位"),
    "lead_officials": _("包保领导"),
    "permissions": _("权限"),
    "file": _("文件"),
    "size": _("大小"),
    "stored": _("存储位置"),
    "reason": _("原因"),
    "note": _("备注"),
    "stage": _("阶段"),
    "stage_date": _("阶段日期"),
    "items": _("条目"),
    "count": _("数量"),
    "rows": _("行数"),
    "period": _("期次"),
    "project": _("项目"),
    "status": _("状态"),
}


def _model(object_type: str):
    try:
        app_label, model_name = (object_type or "").split(".", 1)
        return apps.get_model(app_label, model_name)
    except (ValueError, LookupError):
        return None


def object_label(object_type: str) -> str:
    """``projects.project`` → 项目; unknown types are shown as they are."""
    model = _model(object_type)
    if model is not None and _CJK.search(str(model._meta.verbose_name)):
        return str(model._meta.verbose_name)
    return str(OBJECTS.get(object_type, object_type or ""))


def action_label(action: str) -> str:
    """``project.update`` → 修改项目; an action outside the catalogue reads verb + subject."""
    if action in ACTIONS:
        return str(ACTIONS[action])
    subject, _dot, verb = (action or "").partition(".")
    if verb in VERBS:
        name = SUBJECTS.get(subject)
        if name is None:
            model = next(
                (m for m in apps.get_models() if m._meta.model_name == subject.replace("_", "")),
                None,
            )
            name = model._meta.verbose_name if model is not None else subject
        return f"{VERBS[verb]}{name}"
    return action or ""


def field_label(object_type: str, key: str) -> str:
    """A snapshot key as the form names it: ``national_code`` → 项目代码, ``unit_id`` → 单位."""
    model = _model(object_type)
    for name in (key, key[:-3] if key.endswith("_id") else None):
        if not name:
            continue
        if model is not None:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
            label = str(getattr(field, "verbose_name", "") or "")
            if _CJK.search(label):
                return label
        if name in FIELDS:
            return str(FIELDS[name])
    return key


def changes(object_type: str, before: dict | None, after: dict | None) -> list[dict]:
    """Rows of a change: field name, value before, value after (keys in the order they came)."""
    before, after = before or {}, after or {}
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return [
        {
            "key": k,
            "label": field_label(object_type, k),
            "before": before.get(k),
            "after": after.get(k),
            "had_before": k in before,
        }
        for k in keys
    ]


def actor_label(name: str) -> str:
    """The platform itself (jobs, the command line) reads 系统."""
    return str(_("系统")) if name in ("", "system", None) else name

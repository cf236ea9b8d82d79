"""The permission keys a role may carry, grouped for the role editor and for 三员分立.

A key names one capability. Menus, views, API handlers and services check keys, never role
names. The three administrator groups are mutually exclusive, and none of them may be combined
with business keys (等保2.0 三员分立).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop


@dataclass(frozen=True)
class Perm:
    key: str
    label: str
    group: str  # business | sysadmin | secadmin | auditadmin


PERMISSIONS: tuple[Perm, ...] = (
    # business
    Perm("units.view", gettext_noop("查看单位"), "business"),
    Perm("people.view", gettext_noop("查看人员"), "business"),
    Perm("projects.view", gettext_noop("查看项目台账"), "business"),
    Perm("projects.change", gettext_noop("新建/编辑项目"), "business"),
    Perm("projects.stage", gettext_noop("推进项目阶段"), "business"),
    Perm("projects.import", gettext_noop("导入台账"), "business"),
    Perm("projects.export", gettext_noop("导出台账"), "business"),
    Perm("procedures.templates", gettext_noop("维护前期手续模板"), "business"),
    Perm("targets.view", gettext_noop("查看目标与考核"), "business"),
    Perm("targets.manage", gettext_noop("管理目标责任状与考核方案"), "business"),
    Perm("targets.enter", gettext_noop("填报月度指标"), "business"),
    Perm("cockpit.view", gettext_noop("查看领导驾驶舱"), "business"),
    Perm("assessment.export", gettext_noop("导出考核通报与报告"), "business"),
    Perm("reports.file", gettext_noop("填报周报与对接记录"), "business"),
    Perm("reports.review", gettext_noop("审核周报、催报"), "business"),
    Perm("problems.raise", gettext_noop("提出问题"), "business"),
    Perm("problems.assign", gettext_noop("交办、督办问题"), "business"),
    Perm("problems.handle", gettext_noop("办理交办问题"), "business"),
    Perm("lights.override", gettext_noop("调整亮灯"), "business"),
    Perm("meetings.manage", gettext_noop("管理调度会与议定事项"), "business"),
    Perm("bulletins.export", gettext_noop("导出督查通报"), "business"),
    Perm("supervision.rules", gettext_noop("配置报送周期与亮灯规则"), "business"),
    Perm("notify.channels", gettext_noop("管理通知渠道、查看发送记录"), "business"),
    Perm("tasks.view", gettext_noop("查看重点任务"), "business"),
    Perm("tasks.manage", gettext_noop("分解、交办、督办重点任务"), "business"),
    Perm("tasks.handle", gettext_noop("办理、报送重点任务"), "business"),
    # system administrator: users and configuration
    Perm("sys.units", gettext_noop("管理单位架构"), "sysadmin"),
    Perm("sys.people", gettext_noop("管理人员与账号"), "sysadmin"),
    Perm("sys.dicts", gettext_noop("管理数据字典"), "sysadmin"),
    Perm("sys.calendar", gettext_noop("维护节假日安排"), "sysadmin"),
    # security administrator: roles and policies
    Perm("sec.roles", gettext_noop("管理角色与权限"), "secadmin"),
    Perm("sec.grants", gettext_noop("为人员授予角色"), "secadmin"),
    Perm("sec.unlock", gettext_noop("解锁账号"), "secadmin"),
    # audit administrator: logs
    Perm("audit.view", gettext_noop("查阅审计日志"), "auditadmin"),
    Perm("audit.logins", gettext_noop("查阅登录日志"), "auditadmin"),
)

BY_KEY = {p.key: p for p in PERMISSIONS}
ADMIN_GROUPS = ("sysadmin", "secadmin", "auditadmin")
GROUP_LABELS = {
    "business": gettext_noop("业务"),
    "sysadmin": gettext_noop("系统管理员"),
    "secadmin": gettext_noop("安全管理员"),
    "auditadmin": gettext_noop("审计管理员"),
}


def unknown_keys(keys) -> list[str]:
    return sorted(k for k in keys if k not in BY_KEY)


def separation_violation(keys) -> str | None:
    """Return a Chinese message when a set of keys breaks 三员分立, else None."""
    groups = {BY_KEY[k].group for k in keys if k in BY_KEY}
    admin = [g for g in groups if g in ADMIN_GROUPS]
    if len(admin) > 1:
        names = "、".join(GROUP_LABELS[g] for g in sorted(admin))
        return f"三员分立：{names}的权限不能由同一角色或同一人员兼有。"
    if admin and "business" in groups:
        return f"三员分立：{GROUP_LABELS[admin[0]]}的权限不能与业务权限兼有。"
    return None

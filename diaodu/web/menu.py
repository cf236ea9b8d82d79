"""The left menu: each entry names the permission key that shows it."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Entry:
    section: str
    label: str
    url_name: str
    perm: str | None  # None: every signed-in person
    icon: str = "dot"


MENU: tuple[Entry, ...] = (
    Entry(_("工作台"), _("首页"), "web:home", None, "home"),
    Entry(_("工作台"), _("消息通知"), "notify:inbox", None, "bell"),
    Entry(_("项目"), _("项目台账"), "projects:list", "projects.view", "list"),
    Entry(_("项目"), _("项目漏斗"), "projects:funnel", "projects.view", "funnel"),
    Entry(_("项目"), _("台账导入"), "projects:import", "projects.import", "upload"),
    Entry(_("项目"), _("开工预警"), "procedures:late", "projects.view", "alert"),
    Entry(_("项目"), _("待我部门办理"), "procedures:waiting", "projects.view", "inbox"),
    Entry(_("项目"), _("前期手续模板"), "procedures:templates", "projects.view", "template"),
    Entry(_("督查调度"), _("本期概况"), "supervision:summary", "projects.view", "dashboard"),
    Entry(_("督查调度"), _("填报周报"), "supervision:my", "reports.file", "edit"),
    Entry(_("督查调度"), _("周报审核"), "supervision:reports", "projects.view", "list"),
    Entry(_("督查调度"), _("催报"), "supervision:missing", "reports.review", "bell"),
    Entry(_("督查调度"), _("对接留痕"), "supervision:contacts", "projects.view", "phone"),
    Entry(_("督查调度"), _("项目亮灯"), "supervision:lights", "projects.view", "bulb"),
    Entry(_("督查调度"), _("问题清单"), "supervision:problems", "projects.view", "alert"),
    Entry(_("督查调度"), _("问题统计"), "supervision:problem_stats", "projects.view", "chart"),
    Entry(_("督查调度"), _("调度会"), "supervision:meetings", "projects.view", "users"),
    Entry(_("督查调度"), _("议定事项"), "supervision:actions", "projects.view", "checklist"),
    Entry(_("督查调度"), _("报送与亮灯规则"), "supervision:rules", "supervision.rules", "settings"),
    Entry(_("目标考核"), _("领导驾驶舱"), "targets:cockpit", "cockpit.view", "dashboard"),
    Entry(_("目标考核"), _("目标进度"), "targets:progress", "targets.view", "target"),
    Entry(_("目标考核"), _("目标责任状"), "targets:agreements", "targets.view", "file"),
    Entry(_("目标考核"), _("月度填报"), "targets:monthly", "targets.enter", "edit"),
    Entry(_("目标考核"), _("考核排名"), "targets:assessment", "targets.view", "trophy"),
    Entry(_("目标考核"), _("经济指标"), "targets:economy", "targets.view", "chart"),
    Entry(_("目标考核"), _("指标库"), "targets:indicators", "targets.view", "book"),
    Entry(_("重点工作督办"), _("督办看板"), "tasks:board", "tasks.view", "dashboard"),
    Entry(_("重点工作督办"), _("重点任务"), "tasks:list", "tasks.view", "checklist"),
    Entry(_("重点工作督办"), _("待我办理"), "tasks:queue", "tasks.handle", "inbox"),
    Entry(_("重点工作督办"), _("来源文件"), "tasks:documents", "tasks.manage", "file"),
    Entry(_("重点工作督办"), _("导入任务分解表"), "tasks:import", "tasks.manage", "upload"),
    Entry(_("组织"), _("单位"), "org:units", "units.view", "tree"),
    Entry(_("组织"), _("人员"), "org:people", "people.view", "users"),
    Entry(_("通知"), _("通知渠道"), "notify:channels", "notify.channels", "broadcast"),
    Entry(_("通知"), _("发送记录"), "notify:log", "notify.channels", "send"),
    Entry(_("系统管理"), _("单位架构"), "org:units", "sys.units", "tree"),
    Entry(_("系统管理"), _("人员账号"), "org:people", "sys.people", "users"),
    Entry(_("系统管理"), _("数据字典"), "org:dicts", "sys.dicts", "book"),
    Entry(_("系统管理"), _("节假日安排"), "procedures:calendar", "sys.calendar", "calendar"),
    Entry(_("安全管理"), _("角色权限"), "org:roles", "sec.roles", "shield"),
    Entry(_("安全管理"), _("人员授权"), "org:people", "sec.grants", "key"),
    Entry(_("审计"), _("审计日志"), "audit:entries", "audit.view", "file"),
    Entry(_("审计"), _("登录日志"), "audit:logins", "audit.logins", "login"),
    Entry(_("个人"), _("个人信息"), "web:profile", None, "user"),
)


FOLD_ABOVE = 4  # a section with more entries than this is folded unless the page is in it


def menu_for(scope, path: str = "") -> list[dict]:
    sections: dict[str, list] = {}
    seen_urls = set()
    for entry in MENU:
        if entry.perm is not None and not scope.has(entry.perm):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:  # an app that is not installed in this deployment
            continue
        if url in seen_urls:
            continue
        seen_urls.add(url)
        sections.setdefault(str(entry.section), []).append(
            {"label": entry.label, "url": url, "icon": entry.icon, "key": entry.url_name}
        )
    out = []
    for i, (title, entries) in enumerate(sections.items()):
        here = any(
            path == e["url"] or (e["url"] != "/" and path.startswith(e["url"])) for e in entries
        )
        out.append(
            {
                "title": title,
                "entries": entries,
                "id": f"menu-section-{i}",
                "open": here or len(entries) <= FOLD_ABOVE,
            }
        )
    return out

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
    Entry(_("项目"), _("项目台账"), "projects:list", "projects.view", "list"),
    Entry(_("项目"), _("项目漏斗"), "projects:funnel", "projects.view", "funnel"),
    Entry(_("项目"), _("台账导入"), "projects:import", "projects.import", "upload"),
    Entry(_("组织"), _("单位"), "org:units", "units.view", "tree"),
    Entry(_("组织"), _("人员"), "org:people", "people.view", "users"),
    Entry(_("系统管理"), _("单位架构"), "org:units", "sys.units", "tree"),
    Entry(_("系统管理"), _("人员账号"), "org:people", "sys.people", "users"),
    Entry(_("系统管理"), _("数据字典"), "org:dicts", "sys.dicts", "book"),
    Entry(_("安全管理"), _("角色权限"), "org:roles", "sec.roles", "shield"),
    Entry(_("安全管理"), _("人员授权"), "org:people", "sec.grants", "key"),
    Entry(_("审计"), _("审计日志"), "audit:entries", "audit.view", "file"),
    Entry(_("审计"), _("登录日志"), "audit:logins", "audit.logins", "login"),
    Entry(_("个人"), _("个人信息"), "web:profile", None, "user"),
)


def menu_for(scope) -> list[dict]:
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
        sections.setdefault(str(entry.section), []).append({"label": entry.label, "url": url, "icon": entry.icon,
                                                            "key": entry.url_name})
    return [{"title": title, "entries": entries} for title, entries in sections.items()]

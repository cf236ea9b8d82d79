from django.utils.translation import gettext, gettext_noop

from diaodu.org.scope import scope_for
from diaodu.web.menu import menu_for

# The labels the scripts draw themselves (charts, maps); their translations reach the scripts
# through the shell's json_script "js-i18n" (window.diaodu.t in web/charts.js).
JS_STRINGS = (
    gettext_noop("图表组件未加载"),
    gettext_noop("序时进度"),
    gettext_noop("实际完成"),
    gettext_noop("年度目标"),
    gettext_noop("红灯"),
    gettext_noop("黄灯"),
    gettext_noop("绿灯"),
    gettext_noop("个"),
    gettext_noop("亿元"),
    gettext_noop("同比%"),
)


def js_words() -> dict[str, str]:
    return {s: gettext(s) for s in JS_STRINGS}


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    return {
        "menu": menu_for(scope, request.path),
        "scope": scope,
        "perms_set": scope.perms,
        "my_units": [m.unit for m in user.memberships.select_related("unit")],
        "js_i18n": js_words(),
    }

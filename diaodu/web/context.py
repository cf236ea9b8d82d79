from diaodu.org.scope import scope_for
from diaodu.web.menu import menu_for


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
    }

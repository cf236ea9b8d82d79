from django.urls import include, path
from django.views.i18n import set_language

from diaodu.api.api import api
from diaodu.ops.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("org/", include("diaodu.org.urls")),
    path("audit/", include("diaodu.audit.urls")),
    path("projects/", include("diaodu.projects.urls")),
    path("notify/", include("diaodu.notify.urls")),
    path("supervision/", include("diaodu.supervision.urls")),
    path("procedures/", include("diaodu.procedures.urls")),
    path("targets/", include("diaodu.targets.urls")),
    path("tasks/", include("diaodu.tasks.urls")),
    path("", include("diaodu.web.urls")),
]

# Chinese error pages with the reason and a way back (500 has its own template, 500.html).
handler400 = "diaodu.web.errors.bad_request"
handler403 = "diaodu.web.errors.permission_denied"
handler404 = "diaodu.web.errors.page_not_found"

from django.urls import path

from diaodu.targets import views

app_name = "targets"
urlpatterns = [
    path("", views.progress, name="progress"),
    path("cockpit/", views.cockpit, name="cockpit"),
    path("drill/", views.drill, name="drill"),
    path("indicators/", views.indicators, name="indicators"),
    path("indicators/new/", views.indicator_edit, name="indicator_new"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path("agreements/", views.agreements, name="agreements"),
    path("agreements/new/", views.agreement_new, name="agreement_new"),
    path("agreements/<int:pk>/", views.agreement, name="agreement"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/sign/", views.agreement_sign, name="agreement_sign"),
    path("agreements/<int:pk>/scan/", views.agreement_scan, name="agreement_scan"),
    path(
        "agreements/<int:pk>/scan/download/",
        views.agreement_scan_download,
        name="agreement_scan_download",
    ),
    path("agreements/<int:pk>/amend/", views.agreement_amend, name="agreement_amend"),
    path("monthly/", views.monthly, name="monthly"),
    path("monthly/template.xlsx", views.monthly_template, name="monthly_template"),
    path("monthly/import/", views.monthly_import, name="monthly_import"),
    path("monthly/missing/", views.monthly_missing, name="missing"),
    path("monthly/remind/", views.monthly_remind, name="remind"),
    path("economy/", views.economy, name="economy"),
    path("economy/template.xlsx", views.economy_template, name="economy_template"),
    path("economy/import/", views.economy_import, name="economy_import"),
    path("assessment/", views.assessment, name="assessment"),
    path("assessment/schemes/new/", views.scheme_new, name="scheme_new"),
    path("assessment/schemes/<int:pk>/", views.scheme, name="scheme"),
    path("assessment/results/<int:pk>/", views.score_set, name="score_set"),
    path(
        "assessment/results/<int:pk>/report.<str:fmt>",
        views.score_set_document,
        name="score_set_document",
    ),
]

from django.urls import path

from diaodu.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.ledger, name="list"),
    path("new/", views.create, name="create"),
    path("count/", views.ledger_count, name="count"),
    path("funnel/", views.funnel, name="funnel"),
    path("export.xlsx", views.export, name="export"),
    path("filters/", views.filter_save, name="filter_save"),
    path("filters/<int:pk>/delete/", views.filter_delete, name="filter_delete"),
    path("import/", views.import_start, name="import"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/status/", views.import_status, name="import_status"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<int:pk>/retry/", views.import_retry, name="import_retry"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/stage/", views.stage, name="stage"),
]

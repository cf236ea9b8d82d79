from django.urls import path

from diaodu.procedures import views

app_name = "procedures"
urlpatterns = [
    path("project/<int:project_id>/", views.chain, name="chain"),
    path("project/<int:project_id>/create/", views.chain_create, name="chain_create"),
    path("project/<int:project_id>/export/", views.chain_export, name="chain_export"),
    path("project/<int:project_id>/delete/", views.chain_delete, name="chain_delete"),
    path("project/<int:project_id>/add/", views.item_add, name="item_add"),
    path("items/<int:pk>/", views.item_edit, name="item"),
    path("items/<int:pk>/remove/", views.item_remove, name="item_remove"),
    path("items/<int:pk>/upload/", views.item_upload, name="item_upload"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("waiting/", views.waiting, name="waiting"),
    path("late/", views.late, name="late"),
    path("templates/", views.templates, name="templates"),
    path("templates/new/", views.template_edit, name="template_new"),
    path("templates/<int:pk>/", views.template_detail, name="template"),
    path("templates/<int:pk>/edit/", views.template_edit, name="template_edit"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<int:year>/", views.calendar_edit, name="calendar_edit"),
]

from django.urls import path

from diaodu.org import views

app_name = "org"
urlpatterns = [
    path("units/", views.units, name="units"),
    path("units/new/", views.unit_form, name="unit_new"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/edit/", views.unit_form, name="unit_edit"),
    path("units/<int:pk>/toggle/", views.unit_toggle, name="unit_toggle"),
    path("people/", views.people, name="people"),
    path("people/new/", views.person_form, name="person_new"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_form, name="person_edit"),
    path("people/<int:pk>/roles/", views.person_roles, name="person_roles"),
    path("people/<int:pk>/toggle/", views.person_toggle, name="person_toggle"),
    path("people/<int:pk>/unlock/", views.person_unlock, name="person_unlock"),
    path("people/<int:pk>/password/", views.person_reset_password, name="person_password"),
    path("roles/", views.roles, name="roles"),
    path("roles/new/", views.role_form, name="role_new"),
    path("roles/<int:pk>/", views.role_form, name="role_edit"),
    path("dicts/", views.dicts, name="dicts"),
    path("dicts/<str:type_code>/save/", views.dict_item_save, name="dict_save"),
]

from django.urls import path

from diaodu.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.entries, name="entries"),
    path("<int:pk>/", views.entry, name="entry"),
    path("logins/", views.logins, name="logins"),
]

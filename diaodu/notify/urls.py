from django.urls import path

from diaodu.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("badge/", views.badge, name="badge"),
    path("read-all/", views.read_all, name="read_all"),
    path("<int:pk>/read/", views.message_read, name="read"),
    path("<int:pk>/open/", views.message_open, name="open"),
    path("channels/", views.channels, name="channels"),
    path("channels/new/", views.channel_form, name="channel_new"),
    path("channels/<int:pk>/", views.channel_form, name="channel_edit"),
    path("channels/<int:pk>/toggle/", views.channel_toggle, name="channel_toggle"),
    path("channels/<int:pk>/delete/", views.channel_delete, name="channel_delete"),
    path("channels/<int:pk>/test/", views.channel_test, name="channel_test"),
    path("log/", views.log, name="log"),
    path("log/<int:pk>/retry/", views.delivery_retry, name="retry"),
]

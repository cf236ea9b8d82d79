from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "diaodu.web"
    label = "web"
    verbose_name = "界面"

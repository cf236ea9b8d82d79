from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "diaodu.api"
    label = "api"
    verbose_name = "API"

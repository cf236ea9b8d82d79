from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "diaodu.ops"
    label = "ops"
    verbose_name = "运行保障"

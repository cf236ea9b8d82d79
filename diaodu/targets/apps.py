from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "diaodu.targets"
    label = "targets"
    verbose_name = "目标考核"

from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "diaodu.targets"
    label = "targets"
    verbose_name = "目标考核"

    def ready(self):
        from diaodu.supervision.figures import register
        from diaodu.targets.figures import provide

        register(provide)

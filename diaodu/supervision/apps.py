from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "diaodu.supervision"
    label = "supervision"
    verbose_name = "督查调度"

    def ready(self):
        from diaodu.supervision import jobs

        jobs.register_periodic()

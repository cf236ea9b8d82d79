from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "diaodu.tasks"
    label = "tasks"
    verbose_name = "重点工作督办"

    def ready(self):
        from diaodu.tasks import jobs

        jobs.register_periodic()

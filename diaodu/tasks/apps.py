from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "diaodu.tasks"
    label = "tasks"
    verbose_name = "重点工作督办"

    def ready(self):
        from diaodu.tasks import jobs

        jobs.register_periodic()
        try:
            from diaodu.targets import derived
            from diaodu.targets.models import Source
        except ImportError:  # the targets app is not installed in this deployment
            return
        from diaodu.tasks.figures import done_on_time

        derived.register_provider(Source.TASKS, done_on_time)

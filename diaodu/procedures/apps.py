from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "diaodu.procedures"
    label = "procedures"
    verbose_name = "前期手续"

    def ready(self):
        from diaodu.procedures import signals  # noqa: F401  (a new 计划开工 recomputes the chain)

        # Nightly recompute of every stored schedule (the dates move with "today"), through the
        # periodic scheduler of diaodu.notify when it is installed (`diaodu scheduler`).
        try:
            from diaodu.notify.periodic import register
        except ImportError:
            return
        register(
            "procedures.recompute", "diaodu.procedures.tasks.recompute_schedules", daily="01:30"
        )

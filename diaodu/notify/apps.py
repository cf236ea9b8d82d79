from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "diaodu.notify"
    label = "notify"
    verbose_name = "消息通知"

    def ready(self):
        from diaodu.notify import periodic

        # Deliveries whose retry could not be deferred by the task backend (or whose worker died)
        periodic.register("notify.retry_due", "diaodu.notify.tasks.retry_due", every_minutes=5)

        from diaodu.ops import housekeeping

        # runs whose task was lost or whose worker died end as failed, with the reason
        housekeeping.register("notify.periodic_runs", "diaodu.notify.periodic.recover_runs")

from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "diaodu.projects"
    label = "projects"
    verbose_name = "项目台账"

    def ready(self):
        from diaodu.ops import housekeeping

        # import jobs whose worker died: retried, completed or failed visibly (jobs.py)
        housekeeping.register("projects.import_jobs", "diaodu.projects.jobs.recover")

from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "diaodu.org"
    label = "org"
    verbose_name = "组织与权限"

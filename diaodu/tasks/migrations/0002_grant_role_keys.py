"""Add the tasks permission keys (tasks.view, tasks.manage, tasks.handle) to the built-in roles of
existing databases. Idempotent."""
from django.db import migrations


def grant(apps, schema_editor):
    from diaodu.tasks.defaults import grant_role_keys

    grant_role_keys(apps)


class Migration(migrations.Migration):
    dependencies = [("tasks", "0001_initial"), ("org", "0002_seed")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

"""Add the supervision permission keys (reports.file, problems.assign …) to the built-in roles of
existing databases. Idempotent."""
from django.db import migrations


def grant(apps, schema_editor):
    from diaodu.supervision.defaults import grant_role_keys

    grant_role_keys(apps)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial"), ("org", "0002_seed")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

"""Add the new permission keys to the built-in roles of existing databases: sys.calendar to the
system administrator, procedures.templates to 督查室. Idempotent."""
from django.db import migrations


def grant(apps, schema_editor):
    from diaodu.procedures.defaults import grant_role_keys

    grant_role_keys(apps)


class Migration(migrations.Migration):
    dependencies = [("procedures", "0002_seed_templates"), ("org", "0002_seed")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

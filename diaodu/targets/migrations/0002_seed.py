"""The standard indicator catalogue, and the targets permission keys for the built-in roles of
existing databases (领导, 督查室, 园区管理人员). Idempotent."""
from django.db import migrations


def forward(apps, schema_editor):
    from diaodu.targets.defaults import grant_role_keys, seed_indicators

    seed_indicators(apps)
    grant_role_keys(apps)


class Migration(migrations.Migration):
    dependencies = [("targets", "0001_initial"), ("org", "0002_seed")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

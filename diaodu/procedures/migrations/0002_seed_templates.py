from django.db import migrations


def seed(apps, schema_editor):
    from diaodu.procedures.defaults import seed as do_seed

    do_seed(apps)


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

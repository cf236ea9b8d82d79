"""PostgreSQL: leave free space in the pages of the rows whose computed schedule columns are
rewritten every night, so that those updates stay HOT (no new index entries)."""
from django.db import migrations

TABLES = ("procedures_projectprocedure", "procedures_procedurechain")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = 80)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("procedures", "0003_grant_role_keys")]
    operations = [migrations.RunPython(forwards, backwards)]

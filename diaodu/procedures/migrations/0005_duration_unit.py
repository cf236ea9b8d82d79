from django.db import migrations, models


def forwards(apps, schema_editor):
    from diaodu.procedures.defaults import apply_calendar_days

    apply_calendar_days(apps)


class Migration(migrations.Migration):
    dependencies = [("procedures", "0004_pg_fillfactor")]

    operations = [
        migrations.AddField(
            model_name="procedure",
            name="duration_unit",
            field=models.CharField(
                choices=[("working_days", "工作日"), ("calendar_days", "自然日")],
                default="working_days",
                max_length=20,
                verbose_name="时限单位",
            ),
        ),
        migrations.AddField(
            model_name="projectprocedure",
            name="duration_unit",
            field=models.CharField(
                choices=[("working_days", "工作日"), ("calendar_days", "自然日")],
                default="working_days",
                max_length=20,
                verbose_name="时限单位",
            ),
        ),
        migrations.AlterField(
            model_name="procedure",
            name="duration_wd",
            field=models.PositiveIntegerField(verbose_name="办理时限"),
        ),
        migrations.AlterField(
            model_name="projectprocedure",
            name="duration_wd",
            field=models.PositiveIntegerField(verbose_name="办理时限"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]

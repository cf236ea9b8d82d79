"""Give the built-in 督查室 role the new `notify.channels` key (new databases get it from
diaodu.org.builtin; this adds it to databases seeded before the notify app existed)."""
from django.db import migrations

KEY = "notify.channels"


def forward(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for role in Role.objects.filter(code="supervisor", is_builtin=True):
        if KEY not in (role.permissions or []):
            role.permissions = [*(role.permissions or []), KEY]
            role.save(update_fields=["permissions"])


def backward(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for role in Role.objects.filter(code="supervisor", is_builtin=True):
        if KEY in (role.permissions or []):
            role.permissions = [k for k in role.permissions if k != KEY]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_initial"), ("org", "0002_seed")]
    operations = [migrations.RunPython(forward, backward)]

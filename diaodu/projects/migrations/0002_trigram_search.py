"""Text search over the ledger (name, 建设单位, 项目代码) uses `icontains`, which PostgreSQL runs as
UPPER(col) LIKE UPPER('%…%'): trigram indexes on those expressions make it an index scan at
100,000 projects. SQLite has no such index; its tables are small."""
from django.db import migrations

COLUMNS = ("name", "investor", "national_code")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cur.fetchone() is None:
            try:
                cur.execute("SAVEPOINT trgm")
                cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cur.execute("RELEASE SAVEPOINT trgm")
            except Exception:  # no privilege to create extensions: search still works, unindexed
                cur.execute("ROLLBACK TO SAVEPOINT trgm")
                return
    for col in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS proj_{col}_trgm ON projects_project USING gin (UPPER({col}) gin_trgm_ops)")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for col in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS proj_{col}_trgm")


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]

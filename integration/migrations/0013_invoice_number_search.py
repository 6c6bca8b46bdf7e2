"""PERF-8: searching a queue by invoice number uses an index. Django's admin search is
``UPPER(invoice_number::text) LIKE UPPER('%term%')``, which only a trigram index serves; pg_trgm ships
with PostgreSQL (trusted since 13). Other databases (SQLite in development) have no such index."""

from django.db import migrations

INDEXES = {
    "subinv_number_trgm": "integration_subcontractorinvoice",
    "ownerinv_number_trgm": "integration_ownerinvoice",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER(invoice_number::text)) gin_trgm_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("integration", "0012_desk_labels")]
    operations = [migrations.RunPython(forwards, backwards)]

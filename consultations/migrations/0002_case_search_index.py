"""On PostgreSQL, a trigram index makes the case list's text filter (LIKE '%…%') use an index.

SQLite has no such index type and scans; it is the embedded database for small centres.
The index needs the pg_trgm extension (trusted since PostgreSQL 13, so the database owner
may create it) and a UTF-8 character type (C.UTF-8 or ja_JP.UTF-8) to index Japanese.
"""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX case_search_text_trgm ON consultations_case "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS case_search_text_trgm")


class Migration(migrations.Migration):
    dependencies = [("consultations", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]

"""On PostgreSQL, trigram indexes let the directory's text search (LIKE '%…%' on the
partners' and the services' search columns) find its rows without reading both tables:
「弁護士」 took 10 ms a query over 10,000 partners and 16,000 services, twice a page (the
count and the rows). As consultations' 0002_case_search_index: SQLite scans, and the
index needs pg_trgm and a UTF-8 character type to index Japanese.
"""

from django.db import migrations


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX organisation_search_text_trgm ON network_organisation "
        "USING gin (search_text gin_trgm_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX service_search_text_trgm ON network_service "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS organisation_search_text_trgm")
        schema_editor.execute("DROP INDEX IF EXISTS service_search_text_trgm")


class Migration(migrations.Migration):
    dependencies = [("network", "0005_service_follow_up_days")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]

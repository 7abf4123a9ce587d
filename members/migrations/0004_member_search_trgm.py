"""On PostgreSQL, a trigram index on the members' search text: the intake's look-up of
members by reading and the member list's text filter (LIKE '%…%') read the index instead
of every member of the centre (52 ms at 100,000 members, under 1 ms with it).

SQLite has no such index type and scans, as for the cases (consultations 0002).
"""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX member_search_text_trgm ON members_member "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS member_search_text_trgm")


class Migration(migrations.Migration):
    dependencies = [("members", "0003_payment_paid_on_index")]

    operations = [migrations.RunPython(create_index, drop_index)]

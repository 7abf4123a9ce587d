"""The case search's bigrams for two-character words (consultations.search): the column,
filled for the cases there are, and its GIN index on PostgreSQL. Longer words keep the
trigram index of 0002.

The fill computes in Python what save() computes, in batches by id; on PostgreSQL it
sends each batch's updates in one pipeline. Elsewhere the column stays NULL.
"""

from django.db import migrations

import consultations.search

BATCH = 5000


def fill(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    Case = apps.get_model("consultations", "Case")
    last = 0
    with connection.cursor() as cursor:
        while True:
            batch = list(
                Case.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", "search_text")[:BATCH]
            )
            if not batch:
                break
            cursor.executemany(
                "UPDATE consultations_case SET search_bigrams = %s::tsvector WHERE id = %s",
                [(consultations.search.bigram_vector(text), pk) for pk, text in batch],
            )
            last = batch[-1][0]


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX case_search_bigrams ON consultations_case USING gin (search_bigrams)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS case_search_bigrams")


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0010_topic_links_period_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="search_bigrams",
            field=consultations.search.BigramField(source="search_text"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]

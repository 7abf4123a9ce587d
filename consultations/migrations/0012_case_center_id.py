"""The centre's case ids in an index of their own, for the list's capped counts of
filters that test each case (see Case.Meta.indexes)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0011_case_search_bigrams"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["center", "id"], name="case_center_id"),
        ),
    ]

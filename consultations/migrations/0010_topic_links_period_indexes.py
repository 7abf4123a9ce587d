"""The topics' copies of centre and time are required, and indexed by period.

Apart from 0009, whose update leaves PostgreSQL's deferred foreign-key checks pending,
which an ALTER TABLE in the same transaction may not follow.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0009_topic_links_by_period"),
    ]

    operations = [
        migrations.AlterField(
            model_name="consultationtopic",
            name="center",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.center",
            ),
        ),
        migrations.AlterField(
            model_name="consultationtopic",
            name="received_at",
            field=models.DateTimeField(editable=False),
        ),
        migrations.AddIndex(
            model_name="consultationtopic",
            index=models.Index(
                fields=["received_at", "topic", "is_main", "consultation"],
                name="consultation_topic_at",
            ),
        ),
        migrations.AddIndex(
            model_name="consultationtopic",
            index=models.Index(
                fields=["center", "received_at", "topic", "is_main", "consultation"],
                name="consultation_topic_center_at",
            ),
        ),
    ]

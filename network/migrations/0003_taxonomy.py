"""The two-level consultation taxonomy with its statistical mappings.

From shared/domain-ja.md §(b), frozen in network/data/taxonomy.json. Labels may be
edited later in the back office; codes stay.
"""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "taxonomy.json"


def load_taxonomy(apps, schema_editor):
    Category = apps.get_model("network", "Category")
    Topic = apps.get_model("network", "Topic")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    categories = {}
    for order, row in enumerate(data["categories"], start=1):
        categories[row["code"]] = Category.objects.create(sort_order=order * 10, **row)
    for order, row in enumerate(data["topics"], start=1):
        row = dict(row, category=categories[row["category"]])
        Topic.objects.create(sort_order=order * 10, **row)


def remove_taxonomy(apps, schema_editor):
    apps.get_model("network", "Topic").objects.all().delete()
    apps.get_model("network", "Category").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("network", "0002_areas")]

    operations = [migrations.RunPython(load_taxonomy, remove_taxonomy)]

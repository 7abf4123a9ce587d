"""What each role may do in the directory.

Everyone reads it; only the viewers (運営委員) never see the partners' contact people.
Coordinators may mark an entry verified; managers edit everything and exchange HSDS.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ = [
    "view_organisation",
    "view_service",
    "view_schedule",
    "view_topic",
    "view_category",
    "view_municipality",
    "view_prefecture",
]
MODELS = ["organisation", "service", "schedule", "contact", "topic", "category",
          "municipality", "prefecture"]
ROLES = {
    "相談員": [*READ, "view_contact"],
    "コーディネーター": [*READ, "view_contact", "verify_organisation"],
    "管理者": [
        *[f"{action}_{model}" for model in MODELS for action in ("add", "change", "delete", "view")],
        "verify_organisation",
        "exchange_hsds",
    ],
    "閲覧": READ,
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; these are needed now.
    app_config = apps.get_app_config("network")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="network", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="network"))


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0003_taxonomy"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

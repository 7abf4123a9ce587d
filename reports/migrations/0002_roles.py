"""Who sees the statistics.

Coordinators see their own centre's figures in full; managers every centre's. Viewers
(運営委員) see every centre's, but only as aggregates with counts under 3 hidden. The
self-assessment is kept by coordinators and managers.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "コーディネーター": [
        "view_statistics",
        "view_exact_counts",
        "export_statistics",
        "view_selfassessment",
        "add_selfassessment",
        "change_selfassessment",
    ],
    "管理者": [
        "view_statistics",
        "view_exact_counts",
        "view_region_statistics",
        "export_statistics",
        "view_selfassessment",
        "add_selfassessment",
        "change_selfassessment",
    ],
    "閲覧": [
        "view_statistics",
        "view_region_statistics",
        "export_statistics",
        "view_selfassessment",
    ],
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; these are needed now.
    app_config = apps.get_app_config("reports")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="reports", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="reports"))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("referrals", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

"""What each role may do with clients, cases, consultations and hand-over notes.

Counter staff and coordinators record and follow cases; only coordinators see every
restricted case of their centre and assign cases. Managers and viewers get nothing here
by their role alone: viewers see statistics only, and a manager who also works cases
holds the coordinator role as well.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WORK = [
    "add_client",
    "change_client",
    "view_client",
    "add_case",
    "change_case",
    "view_case",
    "add_consultation",
    "view_consultation",
    "add_caseevent",
    "view_caseevent",
    "add_handovernote",
    "view_handovernote",
]
ROLES = {
    "相談員": WORK,
    "コーディネーター": [*WORK, "view_restricted_case", "assign_case"],
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; these are needed now.
    app_config = apps.get_app_config("consultations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="consultations", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="consultations")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0002_case_search_index"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

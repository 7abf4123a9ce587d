"""The four staff roles as groups with their permissions.

Later apps grant their own permissions to these groups in their own data migrations.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "相談員": [],
    "コーディネーター": [
        ("accounts", "view_center"),
        ("accounts", "view_user"),
    ],
    "管理者": [
        ("accounts", "add_center"),
        ("accounts", "change_center"),
        ("accounts", "view_center"),
        ("accounts", "add_user"),
        ("accounts", "change_user"),
        ("accounts", "view_user"),
        ("accounts", "view_auditevent"),
        ("auth", "view_group"),
    ],
    "閲覧": [],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; these are needed now.
    for label in ("auth", "accounts"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *[
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
                for app_label, codename in codenames
            ]
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]

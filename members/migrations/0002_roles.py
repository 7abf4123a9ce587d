"""What each role may do with the member register.

Managers keep it whole (import, export, dues, managers-only types such as 生涯組合員);
coordinators register members, renew them and record payments; counter staff read it
(to see at the counter whether someone is a member); viewers see no member at all.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["membershiptype", "member", "fee", "payment", "benefit"]
ROLES = {
    "相談員": ["view_member", "view_fee", "view_benefit", "view_membershiptype"],
    "コーディネーター": [
        *[f"{action}_{model}" for model in ("member", "fee", "payment")
          for action in ("add", "change", "view")],
        "view_benefit",
        "view_membershiptype",
        "export_member",
    ],
    "管理者": [
        *[f"{action}_{model}" for model in MODELS for action in ("add", "change", "delete", "view")],
        "export_member",
        "import_member",
        "create_dues",
        "assign_admin_only_type",
    ],
    "閲覧": [],
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; these are needed now.
    app_config = apps.get_app_config("members")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="members", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="members"))


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

"""The privacy officer's rights go to managers (管理者) alone: answering a disclosure
request (開示請求) and stopping or resuming the use of a client's data (利用停止)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["disclose_client", "stop_use_client"]
ROLES = ["管理者"]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; these are needed now.
    app_config = apps.get_app_config("consultations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="consultations", codename__in=CODENAMES
    )
    for name in ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="consultations", codename__in=CODENAMES
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("consultations", "0013_client_use_stop_case_anonymised")]

    operations = [migrations.RunPython(grant, revoke)]

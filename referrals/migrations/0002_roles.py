"""What each role may do with referrals.

Coordinators find the partner, ask it, hand over and follow up. Counter staff see the
referrals of the cases they see and record what a returning client says of how it went
(the centre's rule 8), but do not start or move referrals themselves.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COUNTER = [
    "view_referral",
    "view_referralstep",
    "view_handoffsheet",
    "view_followup",
    "add_followup",
    "view_provisionrecord",
]
ROLES = {
    "相談員": COUNTER,
    "コーディネーター": [
        *COUNTER,
        "add_referral",
        "change_referral",
        "change_handoffsheet",
        "view_partnerlink",
        "add_partnerlink",
        "export_provisionrecord",
    ],
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; these are needed now.
    app_config = apps.get_app_config("referrals")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="referrals", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="referrals"))


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_initial"),
        ("consultations", "0007_consent_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

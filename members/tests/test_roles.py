"""What each role may do with the member register (granted by migration members 0002)."""

import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db


def member_permissions(group_name):
    group = Group.objects.get(name=group_name)
    return set(
        group.permissions.filter(content_type__app_label="members").values_list(
            "codename", flat=True
        )
    )


def test_counter_staff_only_read():
    assert member_permissions("相談員") == {
        "view_member",
        "view_fee",
        "view_benefit",
        "view_membershiptype",
    }


def test_coordinators_register_renew_record_payments_and_export():
    granted = member_permissions("コーディネーター")
    for model in ["member", "fee", "payment"]:
        assert {f"add_{model}", f"change_{model}", f"view_{model}"} <= granted
    assert {"view_benefit", "export_member"} <= granted
    assert not granted & {"import_member", "create_dues", "assign_admin_only_type"}
    assert not any(codename.startswith("delete_") for codename in granted)


def test_managers_keep_the_whole_register():
    granted = member_permissions("管理者")
    for model in ["membershiptype", "member", "fee", "payment", "benefit"]:
        assert {f"add_{model}", f"change_{model}", f"delete_{model}", f"view_{model}"} <= granted
    assert {"export_member", "import_member", "create_dues", "assign_admin_only_type"} <= granted


def test_viewers_see_no_member():
    assert member_permissions("閲覧") == set()

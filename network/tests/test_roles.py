"""What each role may do with the directory (granted by migration network 0004)."""

import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db

READ = {
    "view_organisation",
    "view_service",
    "view_schedule",
    "view_topic",
    "view_category",
    "view_municipality",
    "view_prefecture",
}


def network_permissions(group_name):
    group = Group.objects.get(name=group_name)
    return set(
        group.permissions.filter(content_type__app_label="network").values_list(
            "codename", flat=True
        )
    )


def test_counter_staff_read_the_directory_and_its_contacts():
    assert network_permissions("相談員") == READ | {"view_contact"}


def test_coordinators_may_also_mark_entries_verified():
    assert network_permissions("コーディネーター") == READ | {"view_contact", "verify_organisation"}


def test_viewers_never_see_contact_people():
    assert network_permissions("閲覧") == READ


def test_managers_keep_the_whole_directory_and_exchange_hsds():
    granted = network_permissions("管理者")
    for model in ["organisation", "service", "schedule", "contact", "topic", "municipality"]:
        assert {f"add_{model}", f"change_{model}", f"delete_{model}"} <= granted
    assert {"verify_organisation", "exchange_hsds"} <= granted

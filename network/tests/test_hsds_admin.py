"""The back office's HSDS download and upload."""

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.tests.factories import UserFactory
from network.hsds import forms
from network.models import Organisation

from .factories import ScheduleFactory, ServiceFactory

DATA = Path(__file__).parent / "data"
EXPORT_URL = reverse("admin:network_organisation_hsds_export")
IMPORT_URL = reverse("admin:network_organisation_hsds_import")

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def staff_without_permission(center):
    user = UserFactory(username="clerk", center=center, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_organisation"))
    return user


def upload(content, name="directory.json", **extra):
    return {"file": SimpleUploadedFile(name, content, "application/json"), **extra}


def test_manager_downloads_the_directory(client, manager):
    service = ServiceFactory(topics=["W1-01"])
    ScheduleFactory(service=service)
    client.force_login(manager)

    response = client.get(EXPORT_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    filename = f"lifesupport-hsds-{timezone.localdate():%Y-%m-%d}.json"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    page = json.loads(response.content)
    assert page["contents"][0]["id"] == str(service.organisation.hsds_id)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.user, event.detail) == (manager, {"count": 1})


def test_upload_form_is_shown(client, manager):
    client.force_login(manager)

    response = client.get(IMPORT_URL)

    assert response.status_code == 200
    assert b'type="file"' in response.content
    assert b'name="dry_run"' in response.content


def test_manager_uploads_a_file(client, manager):
    client.force_login(manager)

    response = client.post(IMPORT_URL, upload((DATA / "hsds_foreign_services.json").read_bytes()))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:network_organisation_changelist")
    assert Organisation.objects.count() == 2
    shown = [str(message) for message in response.wsgi_request._messages]
    assert shown[0].startswith("Partner organisations: 2 created")
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE)
    assert event.user == manager
    assert event.detail["created"] == {"organisation": 2, "service": 3, "schedule": 2, "contact": 2}


def test_dry_run_upload_saves_nothing(client, manager):
    client.force_login(manager)

    response = client.post(
        IMPORT_URL,
        upload((DATA / "hsds_foreign_services.json").read_bytes(), dry_run="on"),
        follow=True,
    )

    assert response.redirect_chain[-1][0] == IMPORT_URL
    assert b"Dry run, nothing was saved." in response.content
    assert not Organisation.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CREATE).exists()


def test_a_bad_upload_lists_every_error_and_changes_nothing(client, manager):
    page = json.loads((DATA / "hsds_foreign_services.json").read_text(encoding="utf-8"))
    page["contents"][0]["organization"]["phones"][0]["number"] = "0120"
    page["contents"][2]["schedules"][0]["byday"] = "6TU"
    client.force_login(manager)

    response = client.post(IMPORT_URL, upload(json.dumps(page).encode()))

    assert response.status_code == 200
    errors = response.context["report"].errors
    assert [problem.location for problem in errors] == [
        "contents[0].organization.phones[0].number",
        "contents[2].schedules[0].byday",
    ]
    assert b"contents[2].schedules[0].byday" in response.content
    assert not Organisation.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CREATE).exists()


def test_an_upload_that_is_not_json_is_refused(client, manager):
    client.force_login(manager)

    response = client.post(IMPORT_URL, upload(b"\x89PNG\r\n"))

    assert response.status_code == 200
    assert b"The file is not UTF-8 text." in response.content


def test_a_too_large_upload_is_refused(client, manager, monkeypatch):
    monkeypatch.setattr(forms, "MAX_UPLOAD_MB", 0)
    client.force_login(manager)

    response = client.post(IMPORT_URL, upload(b"[]"))

    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert b"manage.py import_hsds" in response.content


@pytest.mark.parametrize("url", [EXPORT_URL, IMPORT_URL])
def test_non_staff_are_sent_to_the_admin_login(client, coordinator, url):
    client.force_login(coordinator)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("url", [EXPORT_URL, IMPORT_URL])
def test_staff_without_the_permission_get_403(client, staff_without_permission, url):
    client.force_login(staff_without_permission)

    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_change_list_buttons_need_the_permission(client, manager, staff_without_permission):
    changelist = reverse("admin:network_organisation_changelist")
    client.force_login(manager)
    assert IMPORT_URL.encode() in client.get(changelist).content

    client.force_login(staff_without_permission)
    response = client.get(changelist)

    assert response.status_code == 200
    assert IMPORT_URL.encode() not in response.content
    assert EXPORT_URL.encode() not in response.content

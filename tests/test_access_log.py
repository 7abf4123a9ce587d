"""Row 35: every view, print and export of a person's data, and every refusal, is one
audit event saying who, when, from where, which records and what was done, never what
the records hold."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts.models import AuditEvent
from consultations.models import Case, Client
from consultations.tests.factories import CaseFactory, ConsultationFactory
from members.models import Member
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

ADDRESS = "192.0.2.15"


def events(action):
    return AuditEvent.objects.filter(action=action)


def since_login():
    return AuditEvent.objects.exclude(action=AuditEvent.Action.LOGIN)


@pytest.fixture
def case(center, counter_staff):
    case = CaseFactory(
        center=center,
        created_by=counter_staff,
        title="残業代の未払い",
        client__family_name="山田",
        client__given_name="花子",
    )
    ConsultationFactory(case=case, summary="夜勤明けに解雇を告げられた")
    return case


def test_row_35_a_worker_opening_a_case_writes_exactly_one_view_event(client, counter_staff, case):
    client.force_login(counter_staff)
    response = client.get(case.get_absolute_url(), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    [event] = since_login()
    assert (event.action, event.user, event.center, event.ip_address) == (
        AuditEvent.Action.VIEW,
        counter_staff,
        counter_staff.center,
        ADDRESS,
    )
    assert (event.content_type, event.object_id) == (
        ContentType.objects.get_for_model(Case),
        str(case.pk),
    )
    assert event.at.utcoffset().total_seconds() == 0
    assert event.detail == {"subjects": {"cases": [case.number], "clients": [case.client_id]}}
    # Ids and numbers only: nothing the case says.
    stored = json.dumps(event.detail, ensure_ascii=False) + event.username + event.object_id
    for content in ["山田", "花子", "残業代", "解雇"]:
        assert content not in stored


def test_row_35_the_edit_form_of_a_case_or_client_is_a_view_too(client, coordinator, case):
    client.force_login(coordinator)
    client.get(reverse("consultations:case-edit", args=[case.number]))
    client.get(reverse("consultations:client-edit", args=[case.client_id]))
    assert [
        (event.content_type.model_class(), event.detail.get("form"))
        for event in events(AuditEvent.Action.VIEW).order_by("pk")
    ] == [(Case, 1), (Client, 1)]


def test_row_35_choosing_a_client_at_the_intake_is_a_view(client, counter_staff, case):
    client.force_login(counter_staff)
    response = client.post(reverse("consultations:intake"), {"choose_client": case.client_id})
    assert response.status_code == 200
    [event] = events(AuditEvent.Action.VIEW)
    assert event.detail == {"subjects": {"clients": [case.client_id]}}
    # Typing on with the client chosen opens nothing new.
    client.post(reverse("consultations:intake"), {"client": case.client_id, "lookup": "1"})
    assert events(AuditEvent.Action.VIEW).count() == 1


def test_row_35_an_export_of_ten_members_is_one_event_listing_the_ten(client, coordinator, center):
    members = [MemberFactory(center=center) for _n in range(10)]
    MemberFactory()  # another centre's: not in the file, not in the event
    client.force_login(coordinator)
    response = client.get(reverse("members:member-export-csv"), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    [event] = since_login()
    assert (event.action, event.user, event.ip_address) == (
        AuditEvent.Action.EXPORT,
        coordinator,
        ADDRESS,
    )
    assert event.content_type == ContentType.objects.get_for_model(Member)
    assert sorted(event.detail["subjects"]["members"]) == sorted(m.number for m in members)
    assert event.detail["count"] == 10
    assert not any(member.name in json.dumps(event.detail) for member in members)


def test_row_35_a_refused_case_is_a_denial_event_and_no_view(
    client, counter_staff, coordinator, center
):
    # Row 15: counter staff, a restricted case assigned to someone else.
    restricted = CaseFactory(center=center, created_by=coordinator, restricted=True)
    client.force_login(counter_staff)
    response = client.get(restricted.get_absolute_url(), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 404
    [event] = since_login()
    assert (event.action, event.user, event.ip_address, event.detail) == (
        AuditEvent.Action.DENIED,
        counter_staff,
        ADDRESS,
        {"case": restricted.number},
    )

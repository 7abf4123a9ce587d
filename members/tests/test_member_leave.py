import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from members.models import Member
from members.tests.factories import MemberFactory


@pytest.fixture
def member(center, general):
    return MemberFactory(center=center, membership_type=general)


def url(member):
    return reverse("members:member-leave", args=[member.number])


def test_a_coordinator_records_leaving(client, coordinator, member):
    client.force_login(coordinator)
    assert client.get(url(member)).status_code == 200
    response = client.post(
        url(member), {"left_on": "2026-09-30", "leave_reason": "moved", "leave_note": "県外へ"}
    )
    assert response.status_code == 302
    member = Member.objects.with_status().get(pk=member.pk)
    assert (member.left_on.isoformat(), member.leave_reason) == ("2026-09-30", "moved")
    assert AuditEvent.objects.filter(action="change", object_id=str(member.pk)).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"left_on": "", "leave_reason": "moved"},
        {"left_on": "2026-09-30", "leave_reason": ""},
        {"left_on": "2019-01-01", "leave_reason": "moved"},  # before joining
        {"left_on": "2026-09-30", "leave_reason": "bored"},
    ],
)
def test_bad_input_is_refused(client, coordinator, member, data):
    client.force_login(coordinator)
    response = client.post(url(member), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    member.refresh_from_db()
    assert member.left_on is None


def test_leaving_twice_is_refused(client, coordinator, member):
    member.leave(on=member.joined_on, reason="request")
    client.force_login(coordinator)
    response = client.post(url(member), {"left_on": "2026-09-30", "leave_reason": "moved"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.leave_reason == "request"


def test_denials(client, counter_staff, coordinator_elsewhere, viewer, member):
    assert client.get(url(member)).status_code == 302
    client.force_login(viewer)
    assert client.get(url(member)).status_code == 403
    client.force_login(counter_staff)
    assert client.post(url(member), {}).status_code == 403
    client.force_login(coordinator_elsewhere)
    assert client.post(url(member), {}).status_code == 404

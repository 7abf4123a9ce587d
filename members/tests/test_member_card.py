import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from members.tests.factories import MemberFactory


@pytest.fixture
def member(center, friends):
    return MemberFactory(center=center, membership_type=friends, name="山田 花子")


def url(member):
    return reverse("members:member-card", args=[member.number])


def test_the_card_shows_who_and_which_number_and_is_audited(client, counter_staff, member):
    client.force_login(counter_staff)
    response = client.get(url(member))
    assert response.status_code == 200
    assert "山田 花子" in response.text
    assert "KNZ-00001" in response.text
    assert "友の会会員" in response.text
    assert "金沢ライフサポートセンター" in response.text
    assert "@media print" not in response.text  # the print rules come from members.css
    assert "members/members.css" in response.text
    assert AuditEvent.objects.filter(action="view", detail__card=True).count() == 1


def test_denials(client, viewer, coordinator_elsewhere, member):
    assert client.get(url(member)).status_code == 302
    client.force_login(viewer)
    assert client.get(url(member)).status_code == 403
    client.force_login(coordinator_elsewhere)
    assert client.get(url(member)).status_code == 404

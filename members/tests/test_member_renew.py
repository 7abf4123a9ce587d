import pytest
from django.urls import reverse
from django.utils import timezone

from members.fiscal import fiscal_year_of
from members.models import Fee
from members.tests.factories import FeeFactory, MemberFactory

YEAR = fiscal_year_of(timezone.localdate())


@pytest.fixture
def member(center, general):
    member = MemberFactory(center=center, membership_type=general)
    FeeFactory(member=member, fiscal_year=YEAR, paid=3000)
    return member


def url(member):
    return reverse("members:member-renew", args=[member.number])


def test_renewing_creates_next_years_fee_at_the_new_types_rate(
    client, coordinator, member, friends
):
    client.force_login(coordinator)
    response = client.get(url(member))
    assert [y for y, _label in response.context["form"].fields["fiscal_year"].choices] == [YEAR + 1]
    response = client.post(url(member), {"fiscal_year": YEAR + 1, "membership_type": friends.pk})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.membership_type == friends
    assert Fee.objects.get(member=member, fiscal_year=YEAR + 1).amount == 1000


def test_an_existing_year_is_not_offered_twice(client, coordinator, member, general):
    client.force_login(coordinator)
    response = client.post(url(member), {"fiscal_year": YEAR, "membership_type": general.pk})
    assert response.status_code == 200
    assert response.context["form"].has_error("fiscal_year")


def test_a_member_who_left_cannot_be_renewed(client, coordinator, member, general):
    member.leave(on=timezone.localdate(), reason="request")
    client.force_login(coordinator)
    response = client.post(url(member), {"fiscal_year": YEAR + 1, "membership_type": general.pk})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_coordinators_may_not_give_a_managers_only_type(client, coordinator, member, lifetime):
    client.force_login(coordinator)
    response = client.post(url(member), {"fiscal_year": YEAR + 1, "membership_type": lifetime.pk})
    assert response.context["form"].has_error("membership_type")


def test_denials(client, counter_staff, coordinator_elsewhere, member):
    assert client.get(url(member)).status_code == 302
    client.force_login(counter_staff)
    assert client.post(url(member)).status_code == 403
    client.force_login(coordinator_elsewhere)
    assert client.get(url(member)).status_code == 404

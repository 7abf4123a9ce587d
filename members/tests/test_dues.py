import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from members.fiscal import fiscal_year_of, fiscal_year_start
from members.models import Fee
from members.services import dues_create
from members.tests.factories import FeeFactory, MemberFactory

URL = reverse("members:dues")
YEAR = fiscal_year_of(timezone.localdate())


@pytest.fixture
def members(center, general, friends, lifetime):
    MemberFactory(center=center, membership_type=general)
    MemberFactory(center=center, membership_type=friends)
    MemberFactory(center=center, membership_type=lifetime)  # free for life: no fee
    MemberFactory(
        center=center, left_on=fiscal_year_start(YEAR + 1), leave_reason="request"
    )  # leaves on the first day of the year: no fee
    already = MemberFactory(center=center, membership_type=general)
    FeeFactory(member=already, fiscal_year=YEAR + 1, amount=2500)
    MemberFactory()  # another centre


def test_managers_create_next_years_dues_once(client, manager, members):
    client.force_login(manager)
    assert client.get(URL).status_code == 200
    response = client.post(URL, {"fiscal_year": YEAR + 1})
    assert response.status_code == 302
    fees = Fee.objects.filter(fiscal_year=YEAR + 1).order_by("member__sequence")
    assert [fee.amount for fee in fees] == [3000, 1000, 2500]
    client.post(URL, {"fiscal_year": YEAR + 1})
    assert Fee.objects.filter(fiscal_year=YEAR + 1).count() == 3
    events = AuditEvent.objects.filter(action="create", detail__dues_for=YEAR + 1)
    assert [event.detail["created"] for event in events.order_by("at", "pk")] == [2, 0]


def test_running_the_service_twice_creates_nothing_the_second_time(center, manager, members):
    assert dues_create(center=center, fiscal_year=YEAR + 1, by=manager) == 2
    assert dues_create(center=center, fiscal_year=YEAR + 1, by=manager) == 0


def test_a_year_not_offered_is_refused(client, manager, members):
    client.force_login(manager)
    response = client.post(URL, {"fiscal_year": YEAR + 5})
    assert response.status_code == 200
    assert response.context["form"].has_error("fiscal_year")
    assert not Fee.objects.filter(fiscal_year=YEAR + 5).exists()


def test_only_managers(client, coordinator, viewer):
    assert client.get(URL).status_code == 302
    for user in (coordinator, viewer):
        client.force_login(user)
        assert client.post(URL, {"fiscal_year": YEAR + 1}).status_code == 403

import pytest
from django.urls import reverse
from django.utils import timezone

from members.fiscal import fiscal_year_of
from members.tests.factories import FeeFactory, MemberFactory

URL = reverse("members:fee-arrears")
YEAR = fiscal_year_of(timezone.localdate())


@pytest.fixture
def fees(center, general):
    owing = MemberFactory(center=center, membership_type=general, name="未納 一郎")
    FeeFactory(member=owing, fiscal_year=YEAR - 1, paid=1000)
    FeeFactory(member=owing, fiscal_year=YEAR)
    FeeFactory(member=owing, fiscal_year=YEAR + 1)  # next year's: not due yet
    FeeFactory(member=MemberFactory(center=center, name="完納 花子"), paid=3000, fiscal_year=YEAR)
    gone = MemberFactory(center=center, left_on=timezone.localdate(), leave_reason="request")
    FeeFactory(member=gone, fiscal_year=YEAR)
    FeeFactory(member=MemberFactory(name="他拠点 次郎"), fiscal_year=YEAR)


def test_the_arrears_list_shows_unpaid_fees_of_members_still_in(client, counter_staff, fees):
    client.force_login(counter_staff)
    response = client.get(URL)
    assert response.status_code == 200
    assert [(f.member.name, f.fiscal_year) for f in response.context["page"]] == [
        ("未納 一郎", YEAR - 1),
        ("未納 一郎", YEAR),
    ]
    assert response.context["outstanding"] == 2000 + 3000


def test_query_budget(client, coordinator, center, general, django_assert_max_num_queries):
    for _ in range(20):
        FeeFactory(member=MemberFactory(center=center, membership_type=general), fiscal_year=YEAR)
    client.force_login(coordinator)
    # session, user with their centre, permissions (one query: accounts.backends), the
    # count, the page of fees with their members and types, the totals, the audit event (the
    # chain's head, the insert), the session save (3). ...and the second factor's device
    # (django-otp), on every signed-in request.
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert len(response.context["page"]) == 20


def test_denials(client, viewer):
    assert client.get(URL).status_code == 302
    client.force_login(viewer)
    assert client.get(URL).status_code == 403

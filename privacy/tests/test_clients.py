"""The privacy officer's page: finding the person who made a request, and the clients
whose data is stopped, for an officer who does no casework."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Role
from accounts.tests.factories import UserFactory
from consultations.tests.factories import CaseFactory, ClientFactory

pytestmark = pytest.mark.django_db

URL = reverse("privacy:clients")


@pytest.fixture
def officer(center):
    """A 管理者 only, as a union office's part-time admin: no casework permissions."""
    return UserFactory(username="officer", center=center, roles=[Role.MANAGER], is_staff=True)


def find(client, **values):
    return client.post(URL, values)


def test_the_officer_finds_a_client_by_reading_phone_or_number(client, officer, center):
    yamada = ClientFactory(
        center=center, family_name="山田", family_name_kana="ヤマダ", phone_mobile="09012345678"
    )
    ClientFactory(center=center, family_name="田中", family_name_kana="タナカ")
    client.force_login(officer)
    for values in ({"reading": "やまだ"}, {"phone": "090-1234"}, {"number": yamada.pk}):
        response = find(client, **values)
        assert response.status_code == 200
        assert [found.pk for found in response.context["found"]] == [yamada.pk], values
    assert "山田" in response.text
    assert reverse("privacy:disclosure", args=[yamada.pk]) in response.text
    event = AuditEvent.objects.filter(detail__kind="privacy_client_search").first()
    assert event.detail["found"] == [yamada.pk]


def test_restricted_cases_clients_are_found_too(client, officer, center):
    colleague = UserFactory(center=center, roles=[Role.COORDINATOR])
    hidden = CaseFactory(center=center, restricted=True, created_by=colleague).client
    client.force_login(officer)
    response = find(client, number=hidden.pk)
    assert [found.pk for found in response.context["found"]] == [hidden.pk]


def test_another_centres_client_is_not_found(client, officer, other_center):
    elsewhere = ClientFactory(center=other_center, family_name_kana="ヤマダ")
    client.force_login(officer)
    assert find(client, number=elsewhere.pk).context["found"] == []
    assert find(client, reading="ヤマダ").context["found"] == []


def test_a_search_needs_something_to_search_by(client, officer):
    client.force_login(officer)
    response = find(client, reading="", phone="")
    assert response.status_code == 200
    assert response.context["found"] is None
    assert response.context["form"].non_field_errors()


def test_the_stopped_clients_are_listed_and_the_stop_is_lifted_here(client, officer, center):
    stopped = ClientFactory(center=center)
    stopped.stop_use(by=officer, reason="本人から書面で申出")
    ClientFactory(center=center)
    client.force_login(officer)
    page = client.get(URL)
    assert [listed.pk for listed in page.context["stopped"]] == [stopped.pk]
    assert reverse("privacy:use-resume", args=[stopped.pk]) in page.text

    # An officer without casework goes back to this page, not to the client page.
    answer = client.post(reverse("privacy:use-resume", args=[stopped.pk]))
    assert answer.url == URL
    stopped.refresh_from_db()
    assert not stopped.use_is_stopped


def test_the_menu_leads_officers_here_and_nobody_else(client, officer, coordinator):
    client.force_login(officer)
    assert URL in client.get(reverse("password_change")).text
    client.force_login(coordinator)
    assert URL not in client.get(reverse("password_change")).text


@pytest.mark.parametrize("role", [Role.COUNTER, Role.COORDINATOR, Role.VIEWER])
def test_other_roles_are_refused(client, center, role):
    client.force_login(UserFactory(center=center, roles=[role]))
    assert client.get(URL).status_code == 403
    assert find(client, reading="ヤマダ").status_code == 403


def test_the_page_query_budget(client, officer, center, django_assert_max_num_queries):
    for _ in range(5):
        ClientFactory(center=center, family_name_kana="ヤマダ").stop_use(by=officer, reason="申出")
    client.force_login(officer)
    client.get(URL)  # the session's once-a-minute refresh
    # session, user with their centre, the second factor's device, permissions (one query:
    # accounts.backends), the matches, the audit event (its content type, the chain's head,
    # the insert), the stopped clients
    with django_assert_max_num_queries(9):
        response = find(client, reading="ヤマダ")
    assert len(response.context["found"]) == 5

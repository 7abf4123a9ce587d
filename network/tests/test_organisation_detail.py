import datetime

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from network.tests.factories import ContactFactory, ScheduleFactory, ServiceFactory


@pytest.fixture
def organisation():
    service = ServiceFactory(
        organisation__name="石川労働相談センター",
        organisation__staff_notes="所長の田中さんに直接つなぐと早い",
        organisation__verified_on=datetime.date(2024, 1, 10),
        name="弁護士による労働相談",
        topics=["W1-01"],
        areas=["17210"],
    )
    ScheduleFactory(service=service, byday="2TU")
    ContactFactory(organisation=service.organisation, service=service, name="山田 花子")
    ContactFactory(organisation=service.organisation, name="辞めた 人", is_active=False)
    return service.organisation


def url(organisation):
    return reverse("network:organisation-detail", args=[organisation.pk])


def test_staff_see_services_days_contacts_and_notes(client, counter_staff, organisation):
    client.force_login(counter_staff)
    response = client.get(url(organisation))
    assert response.status_code == 200
    assert "弁護士による労働相談" in response.text
    assert "山田 花子" in response.text
    assert "辞めた 人" not in response.text
    assert "所長の田中さん" in response.text
    [service] = response.context["organisation"].listed_services
    assert len(service.next_days) == 3


def test_viewers_see_nothing_of_the_contact_people(client, viewer, organisation):
    client.force_login(viewer)
    response = client.get(url(organisation))
    assert response.status_code == 200
    assert "弁護士による労働相談" in response.text
    assert "山田 花子" not in response.text
    assert "所長の田中さん" not in response.text


def test_only_coordinators_get_the_verify_button(client, counter_staff, coordinator, organisation):
    verify_url = reverse("network:organisation-verify", args=[organisation.pk])
    client.force_login(counter_staff)
    assert verify_url not in client.get(url(organisation)).text
    client.force_login(coordinator)
    assert verify_url in client.get(url(organisation)).text


def test_staff_without_a_role_are_refused(client, center, organisation):
    client.force_login(UserFactory(center=center))
    assert client.get(url(organisation)).status_code == 403


def test_unknown_partner_is_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("network:organisation-detail", args=[999999])).status_code == 404


def test_query_budget(client, counter_staff, organisation, django_assert_max_num_queries):
    for _ in range(5):
        ScheduleFactory(service=ServiceFactory(organisation=organisation, topics=["W1-02"]))
        ContactFactory(organisation=organisation)
    client.force_login(counter_staff)
    # session, user with their centre, permissions (one query: accounts.backends), the
    # partner with municipality and verifier, its services, their areas, topics and
    # schedules, its contacts with their services, the session save (3). ...and the second
    # factor's device (django-otp), on every signed-in request.
    with django_assert_max_num_queries(13):
        client.get(url(organisation))

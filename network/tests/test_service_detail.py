import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from network.tests.factories import ContactFactory, ScheduleFactory, ServiceFactory


@pytest.fixture
def service():
    service = ServiceFactory(
        name="多重債務相談",
        topics=["L3-01"],
        serves_all_areas=True,
        fee="paid",
        fee_note="30分 5,500円",
        languages="日本語、やさしい日本語",
    )
    ScheduleFactory(service=service, freq="WEEKLY", byday="WE", description="司法書士相談")
    ContactFactory(organisation=service.organisation, service=service, name="佐藤 次郎")
    return service


def url(service):
    return reverse("network:service-detail", args=[service.pk])


def test_the_page_shows_how_to_use_it_and_the_next_days(client, coordinator, service):
    client.force_login(coordinator)
    response = client.get(url(service))
    assert response.status_code == 200
    for text in ["多重債務相談", "30分 5,500円", "やさしい日本語", "司法書士相談", "佐藤 次郎"]:
        assert text in response.text
    [(_schedule, days)] = response.context["schedules"]
    assert len(days) == 6
    assert all(day.date.weekday() == 2 for day in days)


def test_viewers_do_not_see_contacts(client, viewer, service):
    client.force_login(viewer)
    response = client.get(url(service))
    assert response.status_code == 200
    assert "佐藤 次郎" not in response.text


def test_no_role_is_403_and_unknown_is_404(client, center, coordinator, service):
    client.force_login(UserFactory(center=center))
    assert client.get(url(service)).status_code == 403
    client.force_login(coordinator)
    assert client.get(reverse("network:service-detail", args=[999999])).status_code == 404


def test_query_budget(client, coordinator, service, django_assert_max_num_queries):
    for _ in range(4):
        ScheduleFactory(service=service)
        ContactFactory(organisation=service.organisation, service=service)
    client.force_login(coordinator)
    # session, user with their centre, permissions (one query: accounts.backends), the
    # service with its partner, topics, their fields, areas, schedules, contacts, the
    # session save (3). ...and the second factor's device (django-otp), on every signed-in
    # request.
    with django_assert_max_num_queries(13):
        client.get(url(service))

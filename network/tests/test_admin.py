import datetime

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import UserFactory
from network.models import Organisation, Topic
from network.tests.factories import ContactFactory, ScheduleFactory, ServiceFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "network_organisation",
    "network_service",
    "network_contact",
    "network_topic",
    "network_category",
    "network_municipality",
    "network_prefecture",
]


@pytest.mark.parametrize("model", CHANGELISTS)
def test_managers_keep_the_directory_in_the_back_office(client, manager, model):
    schedule = ScheduleFactory()
    ContactFactory(organisation=schedule.service.organisation, service=schedule.service)
    client.force_login(manager)
    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{model}_add")).status_code == 200


def test_the_partner_list_runs_a_fixed_number_of_queries(
    client, manager, django_assert_max_num_queries
):
    for _ in range(30):
        ServiceFactory()
    client.force_login(manager)
    with django_assert_max_num_queries(15):
        client.get(reverse("admin:network_organisation_changelist"))


def service_with_a_day(organisation, byday):
    """The back office's "add service" form with one specialist day on `byday`."""
    return {
        "organisation": organisation.pk,
        "name": "年金相談",
        "status": "active",
        "topics": [Topic.objects.get(code="L3-06").pk],
        "fee": "free",
        "schedules-TOTAL_FORMS": "1",
        "schedules-INITIAL_FORMS": "0",
        "schedules-0-freq": "MONTHLY",
        "schedules-0-interval": "1",
        "schedules-0-byday": byday,
        "schedules-0-opens_at": "10:00",
        "schedules-0-closes_at": "12:00",
        "schedules-0-closed_on_holidays": "on",
    }


def test_a_manager_adds_a_service_with_a_specialist_day(client, manager):
    organisation = ServiceFactory().organisation
    client.force_login(manager)
    response = client.post(
        reverse("admin:network_service_add"), service_with_a_day(organisation, "1TH")
    )
    assert response.status_code == 302, response.context["errors"]
    service = organisation.services.get(name="年金相談")
    assert service.schedules.get().byday == "1TH"


def test_a_schedule_that_cannot_happen_is_refused_in_the_back_office(client, manager):
    organisation = ServiceFactory().organisation
    client.force_login(manager)
    response = client.post(
        reverse("admin:network_service_add"), service_with_a_day(organisation, "6TH")
    )
    assert response.status_code == 200
    assert not organisation.services.filter(name="年金相談").exists()


def test_bad_postcode_phone_and_url_are_refused(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("admin:network_organisation_add"),
        {
            "name": "新しい団体",
            "kind": "npo",
            "tie": "referral",
            "postcode": "12-345",
            "phone": "12345",
            "website": "not a url",
            "is_active": "on",
            "services-TOTAL_FORMS": "0",
            "services-INITIAL_FORMS": "0",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"postcode", "phone", "website"} <= set(errors)
    assert not Organisation.objects.filter(name="新しい団体").exists()


def test_topic_codes_are_fixed_but_labels_editable(client, manager):
    client.force_login(manager)
    topic = Topic.objects.get(code="W1-05")
    response = client.get(reverse("admin:network_topic_change", args=[topic.pk]))
    assert "code" not in response.context["adminform"].form.fields
    assert "name" in response.context["adminform"].form.fields


def test_mark_verified_action(client, manager):
    organisation = ServiceFactory(organisation__verified_on=None).organisation
    client.force_login(manager)
    response = client.post(
        reverse("admin:network_organisation_changelist"),
        {"action": "mark_verified", "_selected_action": [organisation.pk]},
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.verified_on == datetime.date.today()
    assert organisation.verified_by == manager


def test_coordinators_without_the_back_office_cannot_edit(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("admin:network_organisation_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_back_office_staff_without_the_manager_role_cannot_edit_the_directory(client, center):
    clerk = UserFactory(center=center, roles=[Role.COUNTER], is_staff=True)
    client.force_login(clerk)
    assert client.get(reverse("admin:network_organisation_add")).status_code == 403

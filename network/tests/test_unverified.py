import datetime

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from network.tests.factories import OrganisationFactory

URL = reverse("network:unverified")
TODAY = datetime.date.today()


@pytest.fixture
def entries(coordinator):
    return {
        "never": OrganisationFactory(name="未確認の団体", verified_on=None),
        "old": OrganisationFactory(
            name="古い団体", verified_on=TODAY - datetime.timedelta(days=400)
        ),
        "recent": OrganisationFactory(
            name="最近の団体", verified_on=TODAY - datetime.timedelta(days=30)
        ),
        "inactive": OrganisationFactory(name="休止の団体", verified_on=None, is_active=False),
    }


def test_lists_entries_not_verified_for_12_months_oldest_first(client, coordinator, entries):
    client.force_login(coordinator)
    response = client.get(URL)
    # Never verified first, then the oldest.
    assert [o.name for o in response.context["page"]] == ["未確認の団体", "古い団体"]
    assert "最近の団体" not in response.text
    assert "休止の団体" not in response.text


def test_query_budget(client, coordinator, django_assert_max_num_queries):
    OrganisationFactory.create_batch(25, verified_on=None)
    client.force_login(coordinator)
    # session, user with their centre, permissions (one query: accounts.backends), count,
    # page with municipality and verifier, the session save (3). ...and the second factor's
    # device (django-otp), on every signed-in request.
    with django_assert_max_num_queries(9):
        response = client.get(URL)
    assert len(response.context["page"]) == 20


def test_a_coordinator_marks_an_entry_verified(client, coordinator, entries):
    client.force_login(coordinator)
    verify = reverse("network:organisation-verify", args=[entries["old"].pk])
    response = client.post(verify, {"next": URL})
    assert response.status_code == 302
    assert response.url == URL
    entries["old"].refresh_from_db()
    assert entries["old"].verified_on == TODAY
    assert entries["old"].verified_by == coordinator
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CHANGE, user=coordinator, object_id=str(entries["old"].pk)
    ).exists()
    assert entries["old"] not in client.get(URL).context["page"]


def test_verify_ignores_a_next_url_on_another_site(client, coordinator, entries):
    client.force_login(coordinator)
    verify = reverse("network:organisation-verify", args=[entries["old"].pk])
    response = client.post(verify, {"next": "https://evil.example/"})
    assert response.url == entries["old"].get_absolute_url()


@pytest.mark.parametrize("persona", ["counter_staff", "viewer"])
def test_counter_staff_and_viewers_may_not_verify(client, request, persona, entries):
    client.force_login(request.getfixturevalue(persona))
    verify = reverse("network:organisation-verify", args=[entries["old"].pk])
    assert client.post(verify).status_code == 403
    entries["old"].refresh_from_db()
    assert entries["old"].verified_by is None


def test_verify_is_post_only_and_404_for_unknown(client, coordinator, entries):
    client.force_login(coordinator)
    verify = reverse("network:organisation-verify", args=[entries["old"].pk])
    assert client.get(verify).status_code == 405
    assert client.post(reverse("network:organisation-verify", args=[999999])).status_code == 404

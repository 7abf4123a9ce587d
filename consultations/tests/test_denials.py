"""Another centre's case, a restricted case, a viewer, an anonymous user: each denied,
and each refused attempt by a signed-in user written to the audit trail."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent

pytestmark = pytest.mark.django_db


def denials():
    return AuditEvent.objects.filter(action=AuditEvent.Action.DENIED)


def test_another_centres_case_is_not_found_and_the_attempt_audited(
    client, coordinator, case_elsewhere
):
    client.force_login(coordinator)
    response = client.get(case_elsewhere.get_absolute_url())
    assert response.status_code == 404
    event = denials().get()
    assert (event.user, event.detail) == (coordinator, {"case": case_elsewhere.number})
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).exists()


def test_a_restricted_case_is_not_found_by_unassigned_staff(client, counter_staff, restricted_case):
    client.force_login(counter_staff)
    for url in [
        restricted_case.get_absolute_url(),
        reverse("consultations:case-edit", args=[restricted_case.number]),
        restricted_case.client.get_absolute_url(),
    ]:
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("consultations:case-close", args=[restricted_case.number]),
        {"reason": "resolved"},
    )
    assert response.status_code == 404
    assert denials().count() == 4
    restricted_case.refresh_from_db()
    assert restricted_case.is_open


def test_a_viewer_is_refused_every_consultation_page_and_audited(client, viewer, case):
    client.force_login(viewer)
    urls = [
        reverse("consultations:intake"),
        reverse("consultations:case-list"),
        case.get_absolute_url(),
        case.client.get_absolute_url(),
        reverse("consultations:handover-notes"),
    ]
    for url in urls:
        assert client.get(url).status_code == 403
    assert sorted(denials().values_list("detail__path", flat=True)) == sorted(urls)
    assert "山田" not in client.get(case.get_absolute_url()).content.decode()


def test_anonymous_users_are_sent_to_log_in_and_see_nothing(client, case):
    for url in [case.get_absolute_url(), case.client.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert not denials().exists()

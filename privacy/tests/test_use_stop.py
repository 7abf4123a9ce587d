"""利用停止 and 訂正 (security.md row 45): while the use of a client's data is stopped,
nothing about them goes to a partner or into an export; corrections keep history."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import AuditEvent, Role
from accounts.tests.factories import UserFactory
from consultations.models import Client
from consultations.tests.test_case_edit import form_data
from referrals.models import Channel, PartnerLink, ProvisionRecord, Referral
from referrals.services import ask_partner

pytestmark = pytest.mark.django_db

STOPPED = "利用停止"


@pytest.fixture
def officer(center):
    return UserFactory(
        username="officer", center=center, roles=[Role.MANAGER, Role.COORDINATOR], is_staff=True
    )


@pytest.fixture
def stopped(client_record, officer, case):
    client_record.stop_use(by=officer, reason="2026-11-20 電話で本人から申出")
    return client_record


def notices(response):
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_the_officer_stops_the_use_with_the_request(client, officer, client_record, case):
    client.force_login(officer)
    url = reverse("privacy:use-stop", args=[client_record.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "2026-11-20 電話で本人から申出"})
    assert response.status_code == 302
    client_record.refresh_from_db()
    assert client_record.use_is_stopped
    assert client_record.use_stopped_by == officer
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE)
    assert event.object_id == str(client_record.pk)
    assert event.detail["use_stopped"] is True
    # The request's wording stays on the client, not in the audit trail.
    assert "申出" not in str(event.detail)


def test_the_reason_is_required(client, officer, client_record, case):
    client.force_login(officer)
    response = client.post(reverse("privacy:use-stop", args=[client_record.pk]), {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors
    client_record.refresh_from_db()
    assert not client_record.use_is_stopped


def test_the_banner_shows_on_the_client_case_and_referral_pages(
    client, coordinator, stopped, case, referral
):
    client.force_login(coordinator)
    for page in (stopped.get_absolute_url(), case.get_absolute_url(), referral.get_absolute_url()):
        assert STOPPED in client.get(page).content.decode(), page


def test_row_45_stopped_client_cannot_be_referred(
    client, coordinator, stopped, case, labour_service, consent
):
    client.force_login(coordinator)
    url = reverse("referrals:referral-create", args=[case.number])
    response = client.post(url, {"service": labour_service.pk, "need": "残業代の請求"})
    assert response.status_code == 302
    assert STOPPED in notices(response)
    assert not Referral.objects.exists()


def test_row_45_the_partner_is_not_asked(client, coordinator, case, referral, officer):
    referral.case.client.stop_use(by=officer, reason="申出")
    client.force_login(coordinator)
    response = client.post(
        reverse("referrals:referral-ask", args=[referral.pk]), {"channel": "phone"}
    )
    assert STOPPED in notices(response)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DRAFT
    assert not ProvisionRecord.objects.exists()


def test_row_45_no_link_is_sent(client, coordinator, referral, officer, mailoutbox):
    referral.sheet.approve(by=coordinator)
    referral.case.client.stop_use(by=officer, reason="申出")
    client.force_login(coordinator)
    url = reverse("referrals:referral-send-link", args=[referral.pk])
    response = client.post(url, {"to": "kitamura@example.jp"})
    assert STOPPED in notices(response)
    assert not PartnerLink.objects.exists()
    assert mailoutbox == []


def test_row_45_the_client_is_not_handed_over(client, coordinator, referral, officer):
    ask_partner(referral, by=coordinator, channel=Channel.PHONE)
    referral.accept(by=coordinator, channel=Channel.PHONE)
    referral.case.client.stop_use(by=officer, reason="申出")
    client.force_login(coordinator)
    url = reverse("referrals:referral-referred", args=[referral.pk])
    response = client.post(url, {"follow_up_on": "2026-12-10"})
    assert STOPPED in notices(response)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED


def test_row_45_no_hand_off_sheet_is_printed(client, coordinator, referral, officer):
    referral.case.client.stop_use(by=officer, reason="申出")
    client.force_login(coordinator)
    response = client.get(reverse("referrals:sheet-print", args=[referral.pk]))
    assert response.status_code == 302
    assert STOPPED in notices(response)


def test_row_45_the_records_of_provision_are_not_exported(client, coordinator, referral, officer):
    ask_partner(referral, by=coordinator, channel=Channel.PHONE)
    client_record = referral.case.client
    client_record.stop_use(by=officer, reason="申出")
    client.force_login(coordinator)
    response = client.get(reverse("referrals:provision-export", args=[client_record.pk]))
    assert response.status_code == 302
    assert response.url == reverse("referrals:provision-list", args=[client_record.pk])
    assert STOPPED in notices(response)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DENIED, detail__reason="use_stopped"
    ).exists()


def test_row_45_the_disclosure_stays_allowed(client, officer, stopped):
    client.force_login(officer)
    response = client.post(
        reverse("privacy:disclosure", args=[stopped.pk]),
        {"passage_reason": "third_party", "format": "json"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


def test_row_45_stopping_ends_the_links_already_sent(
    client, officer, coordinator, client_record, referral
):
    referral.sheet.approve(by=coordinator)
    link, token = PartnerLink.issue(referral, to="kitamura@example.jp", by=coordinator)
    client.force_login(officer)
    client.post(reverse("privacy:use-stop", args=[client_record.pk]), {"reason": "申出"})
    link.refresh_from_db()
    assert link.revoked_at is not None
    client.logout()
    assert client.get(reverse("referrals:partner-answer", args=[token])).status_code == 404


def test_row_45_correction_keeps_history(client, coordinator, stopped):
    """A correction (訂正) stays possible while the use is stopped, and is on the audit
    trail with the names of the fields changed."""
    client.force_login(coordinator)
    url = reverse("consultations:client-edit", args=[stopped.pk])
    data = {**form_data(client.get(url)), "family_name": "山口"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert Client.objects.get(pk=stopped.pk).family_name == "山口"
    change = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE, object_id=str(stopped.pk))
    assert change.user == coordinator
    assert change.detail["fields"] == ["family_name"]


def test_lifting_the_stop_lets_the_referral_go(
    client, officer, coordinator, stopped, case, labour_service, consent
):
    client.force_login(officer)
    url = reverse("privacy:use-resume", args=[stopped.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    stopped.refresh_from_db()
    assert not stopped.use_is_stopped
    assert AuditEvent.objects.filter(detail__use_stopped=False).exists()
    client.force_login(coordinator)
    create = reverse("referrals:referral-create", args=[case.number])
    client.post(create, {"service": labour_service.pk, "need": "残業代の請求"})
    assert Referral.objects.exists()


def test_the_officer_sees_the_buttons(client, officer, client_record, case):
    client.force_login(officer)
    page = client.get(client_record.get_absolute_url()).content.decode()
    assert reverse("privacy:use-stop", args=[client_record.pk]) in page
    client_record.stop_use(by=officer, reason="申出")
    page = client.get(client_record.get_absolute_url()).content.decode()
    assert reverse("privacy:use-resume", args=[client_record.pk]) in page


@pytest.mark.parametrize("role_holder", ["counter_staff", "coordinator"])
def test_only_the_officer_stops_and_resumes(client, request, role_holder, client_record):
    client.force_login(request.getfixturevalue(role_holder))
    stop = reverse("privacy:use-stop", args=[client_record.pk])
    assert client.post(stop, {"reason": "x"}).status_code == 403
    assert client.post(reverse("privacy:use-resume", args=[client_record.pk])).status_code == 403
    client_record.refresh_from_db()
    assert not client_record.use_is_stopped


def test_another_centres_officer_gets_404(client, other_center, client_record):
    officer = UserFactory(center=other_center, roles=[Role.MANAGER])
    client.force_login(officer)
    stop = reverse("privacy:use-stop", args=[client_record.pk])
    assert client.post(stop, {"reason": "x"}).status_code == 404
    client_record.refresh_from_db()
    assert not client_record.use_is_stopped


def test_the_stop_page_query_budget(client, officer, client_record, django_assert_max_num_queries):
    client.force_login(officer)
    url = reverse("privacy:use-stop", args=[client_record.pk])
    client.get(url)  # the session's once-a-minute refresh, not counted below
    # session, user with their centre, permissions (one query: accounts.backends), the
    # client (joined) ...and the second factor's device (django-otp), on every signed-in
    # request.
    with django_assert_max_num_queries(5):
        assert client.get(url).status_code == 200

import smtplib

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from referrals.models import PartnerLink, ProvisionRecord, Referral
from referrals.tests.factories import referral_in

Status = Referral.Status
# Whatever identifies 山田花子 (the client of the `case` fixture), as it might be written.
IDENTIFIERS = ["山田", "花子", "ヤマダ", "ハナコ", "09012345678", "090-1234-5678"]


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPException("refused")


@pytest.fixture(autouse=True)
def coordinator_named(coordinator):
    """A coordinator whose name cannot be mistaken for the client's (the factory's
    random Japanese names could be 山田 or 花子)."""
    coordinator.name = "佐藤 一郎"
    coordinator.save(update_fields=["name"])


@pytest.fixture
def approved(referral, coordinator):
    referral.sheet.approve(by=coordinator)
    return referral


def url(referral):
    return reverse("referrals:referral-send-link", args=[referral.pk])


def notices(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_it_prefills_the_contact_address(client, coordinator, approved):
    client.force_login(coordinator)
    response = client.get(url(approved))
    assert response.status_code == 200
    assert response.context["form"].initial["to"] == "kitamura@example.jp"
    assert 'value="kitamura@example.jp"' in response.content.decode()


def test_it_prefills_the_service_address_without_a_contact(client, coordinator, approved):
    Referral.objects.filter(pk=approved.pk).update(contact=None)
    approved.service.email = "corner@example.jp"
    approved.service.save()
    client.force_login(coordinator)
    assert client.get(url(approved)).context["form"].initial["to"] == "corner@example.jp"


def test_it_prefills_the_organisation_address_last(client, coordinator, approved):
    Referral.objects.filter(pk=approved.pk).update(contact=None)
    approved.service.email = ""
    approved.service.save()
    client.force_login(coordinator)
    assert client.get(url(approved)).context["form"].initial["to"] == (
        "kanazawa-kantoku@example.jp"
    )


def test_it_sends_the_link_and_asks_the_partner(client, coordinator, approved, mailoutbox):
    client.force_login(coordinator)
    response = client.post(url(approved), {"to": "kitamura@example.jp"})
    assert response.status_code == 302
    assert response.url == approved.get_absolute_url()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["kitamura@example.jp"]
    assert f"{settings.SITE_URL}/r/" in mail.body
    approved.refresh_from_db()
    assert approved.status == Status.ASKED
    assert approved.steps.get().channel == "link"
    link = approved.links.get()
    assert link.sent_to == "kitamura@example.jp"
    assert link.sent_by == coordinator
    assert ProvisionRecord.objects.filter(referral=approved).count() == 1
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, object_id=str(link.pk), detail__referral=approved.pk
    ).exists()
    assert notices(response) == ["kitamura@example.jp に回答用リンクを送信しました。"]


def test_the_mail_names_the_centre_and_the_expiry_but_not_the_client(
    client, coordinator, approved, mailoutbox
):
    client.force_login(coordinator)
    client.post(url(approved), {"to": "kitamura@example.jp"})
    mail = mailoutbox[0]
    expires = timezone.localtime(approved.links.get().expires_at)
    assert f"{expires.year}年{expires.month}月{expires.day}日" in mail.body
    assert "金沢ライフサポートセンター" in mail.subject
    assert "金沢ライフサポートセンター" in mail.body
    assert "佐藤 一郎" in mail.body
    assert approved.center.phone in mail.body
    for text in [*IDENTIFIERS, "残業代", approved.case.number]:
        assert text not in mail.subject
        assert text not in mail.body


def test_an_anonymous_enquiry_needs_no_approval_and_writes_no_record(
    client, coordinator, anonymous_referral, mailoutbox
):
    sheet = anonymous_referral.sheet
    sheet.history = "山田花子さん 090-1234-5678"
    sheet.save()
    client.force_login(coordinator)
    response = client.post(url(anonymous_referral), {"to": "kanazawa-kantoku@example.jp"})
    assert response.status_code == 302
    anonymous_referral.refresh_from_db()
    assert anonymous_referral.status == Status.ASKED
    assert len(mailoutbox) == 1
    assert not ProvisionRecord.objects.exists()
    for text in IDENTIFIERS:
        assert text not in mailoutbox[0].subject
        assert text not in mailoutbox[0].body


def test_an_unapproved_sheet_is_refused(client, coordinator, referral, mailoutbox):
    client.force_login(coordinator)
    for response in (client.get(url(referral)), client.post(url(referral), {"to": "a@example.jp"})):
        assert response.status_code == 302
        assert response.url == referral.get_absolute_url()
        assert "ご本人の了承がまだ記録されていません" in notices(response)[0]
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT
    assert not mailoutbox
    assert not PartnerLink.objects.exists()
    assert not ProvisionRecord.objects.exists()


def test_a_withdrawn_consent_is_refused(client, coordinator, approved, consent, mailoutbox):
    consent.withdraw(by=coordinator)
    client.force_login(coordinator)
    response = client.post(url(approved), {"to": "kitamura@example.jp"})
    assert response.status_code == 302
    assert "同意を撤回している" in notices(response)[0]
    assert not mailoutbox
    assert not PartnerLink.objects.exists()


@pytest.mark.parametrize(
    "status", [Status.ACCEPTED, Status.DECLINED, Status.COMPLETED, Status.CANCELLED]
)
def test_it_refuses_a_link_in_other_statuses(client, coordinator, approved, status, mailoutbox):
    referral_in(status, approved)
    steps = approved.steps.count()
    client.force_login(coordinator)
    response = client.post(url(approved), {"to": "kitamura@example.jp"})
    assert response.status_code == 302
    assert "回答用リンクを送れるのは" in notices(response)[0]
    approved.refresh_from_db()
    assert approved.status == status
    assert approved.steps.count() == steps
    assert not mailoutbox
    assert not PartnerLink.objects.exists()


def test_a_resend_replaces_the_link_without_a_new_step(client, coordinator, approved, mailoutbox):
    referral_in(Status.ASKED, approved)
    client.force_login(coordinator)
    client.post(url(approved), {"to": "kitamura@example.jp"})
    client.post(url(approved), {"to": "kitamura@example.jp"})
    assert len(mailoutbox) == 2
    assert approved.steps.count() == 1
    assert [link.is_usable for link in approved.links.order_by("pk")] == [False, True]


@pytest.mark.parametrize("status", [Status.REFERRED, Status.FOLLOWING_UP])
def test_it_asks_for_the_outcome_once_referred(client, coordinator, approved, status, mailoutbox):
    referral_in(status, approved)
    client.force_login(coordinator)
    response = client.post(url(approved), {"to": "kitamura@example.jp"})
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.status == status
    assert len(mailoutbox) == 1
    assert "その後の経過" in mailoutbox[0].body


def test_a_bad_address_is_a_form_error(client, coordinator, approved, mailoutbox):
    client.force_login(coordinator)
    response = client.post(url(approved), {"to": "kitamura@"})
    assert response.status_code == 200
    assert response.context["form"].errors["to"]
    assert not mailoutbox


def test_a_mail_server_failure_records_nothing(client, coordinator, approved, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    client.force_login(coordinator)
    response = client.post(url(approved), {"to": "kitamura@example.jp"})
    assert response.status_code == 302
    assert "メールを送信できなかった" in notices(response)[0]
    approved.refresh_from_db()
    assert approved.status == Status.DRAFT
    assert not PartnerLink.objects.exists()
    assert not ProvisionRecord.objects.exists()


def test_counter_staff_may_not_send(client, counter_staff, approved):
    client.force_login(counter_staff)
    assert client.get(url(approved)).status_code == 403
    assert client.post(url(approved), {"to": "kitamura@example.jp"}).status_code == 403


def test_another_centre_gets_404(client, coordinator_elsewhere, approved, mailoutbox):
    client.force_login(coordinator_elsewhere)
    assert client.get(url(approved)).status_code == 404
    assert client.post(url(approved), {"to": "kitamura@example.jp"}).status_code == 404
    assert not mailoutbox
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.DENIED,
            user=coordinator_elsewhere,
            detail__referral=approved.pk,
        ).count()
        == 2
    )


def test_anonymous_users_are_sent_to_the_login(client, approved):
    response = client.get(url(approved))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_page_query_budget(client, coordinator, approved, django_assert_max_num_queries):
    client.force_login(coordinator)
    # session, user with their centre, permissions (one query: accounts.backends), the
    # referral joined to its sheet, partner and consent, the session saved (in a
    # savepoint) ...and the second factor's device (django-otp), on every signed-in request.
    with django_assert_max_num_queries(8):
        assert client.get(url(approved)).status_code == 200

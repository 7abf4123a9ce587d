"""Each referral step sent twice (a double click, a retry) is saved once."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.idempotency import FIELD
from accounts.models import AuditEvent, SaveReceipt
from referrals.models import FollowUp, ProvisionRecord, Referral, ReferralStep
from referrals.tests.factories import referral_in

pytestmark = pytest.mark.django_db


def sent_twice(client, url, data):
    data = {**data, FIELD: str(uuid.uuid4())}
    return client.post(url, data), client.post(url, data)


def assert_saved_once_and_audited(first, second, referral, action):
    """Both answers lead to the referral; one receipt, its object audited once."""
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == referral.get_absolute_url()
    receipt = SaveReceipt.objects.get()
    audits = AuditEvent.objects.filter(
        action=action, content_type=receipt.content_type, object_id=receipt.object_id
    )
    assert audits.count() == 1
    return receipt


def test_a_referral_drafted_twice_is_one_referral(
    client, coordinator, case, labour_service, labour_contact, consent
):
    client.force_login(coordinator)
    url = reverse("referrals:referral-create", args=[case.number])
    data = {"service": labour_service.pk, "contact": labour_contact.pk, "need": "残業代の請求"}
    first, second = sent_twice(client, url, data)
    referral = Referral.objects.get()
    assert_saved_once_and_audited(first, second, referral, AuditEvent.Action.CREATE)
    page = client.get(url, {"service": labour_service.pk}).content.decode()
    assert f'name="{FIELD}"' in page


def test_a_referral_without_a_key_is_drafted_as_before(
    client, coordinator, case, labour_service, labour_contact, consent
):
    client.force_login(coordinator)
    url = reverse("referrals:referral-create", args=[case.number])
    data = {"service": labour_service.pk, "contact": labour_contact.pk, "need": "残業代の請求"}
    client.post(url, data)
    client.post(url, data)
    assert Referral.objects.count() == 2


def test_asked_twice_is_one_step_and_one_record_of_provision(client, coordinator, referral):
    client.force_login(coordinator)
    url = reverse("referrals:referral-ask", args=[referral.pk])
    first, second = sent_twice(client, url, {"channel": "phone"})
    assert_saved_once_and_audited(first, second, referral, AuditEvent.Action.CHANGE)
    assert ReferralStep.objects.filter(referral=referral, status="asked").count() == 1
    assert ProvisionRecord.objects.filter(referral=referral).count() == 1


def test_an_answer_sent_twice_is_recorded_once(client, coordinator, referral):
    referral_in(Referral.Status.ASKED, referral)
    client.force_login(coordinator)
    url = reverse("referrals:referral-answer", args=[referral.pk])
    first, second = sent_twice(client, url, {"answer": "accept", "channel": "phone"})
    assert_saved_once_and_audited(first, second, referral, AuditEvent.Action.CHANGE)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED


def test_referred_sent_twice_is_recorded_once(client, coordinator, referral):
    referral_in(Referral.Status.ACCEPTED, referral)
    client.force_login(coordinator)
    url = reverse("referrals:referral-referred", args=[referral.pk])
    later = timezone.localdate() + datetime.timedelta(days=10)
    first, second = sent_twice(client, url, {"follow_up_on": later.isoformat()})
    assert_saved_once_and_audited(first, second, referral, AuditEvent.Action.CHANGE)
    assert ReferralStep.objects.filter(referral=referral, status="referred").count() == 1


def test_a_follow_up_sent_twice_is_one_follow_up(client, counter_staff, referral):
    referral_in(Referral.Status.REFERRED, referral)
    client.force_login(counter_staff)
    url = reverse("referrals:referral-follow-up", args=[referral.pk])
    today = timezone.localdate()
    data = {
        "done_on": today,
        "method": "phone",
        "spoke_with": "client",
        "note": "面談済み",
        "next_on": today + datetime.timedelta(days=7),
    }
    first, second = sent_twice(client, url, data)
    receipt = assert_saved_once_and_audited(first, second, referral, AuditEvent.Action.CREATE)
    assert receipt.object_id == str(FollowUp.objects.get().pk)


def test_a_follow_up_without_a_key_is_saved_as_before(client, counter_staff, referral):
    referral_in(Referral.Status.REFERRED, referral)
    client.force_login(counter_staff)
    url = reverse("referrals:referral-follow-up", args=[referral.pk])
    today = timezone.localdate()
    data = {"done_on": today, "method": "phone", "spoke_with": "client", "note": "x"}
    data["next_on"] = today + datetime.timedelta(days=7)
    client.post(url, data)
    client.post(url, data)
    assert FollowUp.objects.count() == 2


def test_a_cancel_sent_twice_is_recorded_once(client, coordinator, referral):
    client.force_login(coordinator)
    url = reverse("referrals:referral-cancel", args=[referral.pk])
    first, second = sent_twice(client, url, {"comment": "本人が取り下げ"})
    assert_saved_once_and_audited(first, second, referral, AuditEvent.Action.CHANGE)


@pytest.mark.parametrize(
    ("status", "forms"),
    [
        (Referral.Status.DRAFT, 2),  # ask, cancel
        (Referral.Status.ASKED, 2),  # answer, cancel
        (Referral.Status.ACCEPTED, 2),  # referred, cancel
        (Referral.Status.REFERRED, 2),  # follow-up, cancel
    ],
)
def test_every_step_form_carries_a_key(client, coordinator, referral, status, forms):
    referral_in(status, referral)
    client.force_login(coordinator)
    page = client.get(referral.get_absolute_url()).content.decode()
    assert page.count(f'name="{FIELD}"') == forms

"""The actions that write several records at once: each writes all of them or none."""

import re
import smtplib

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import translation

from consultations.models import Case, CaseEvent
from consultations.tests.factories import ConsultationFactory
from referrals.models import (
    Channel,
    HandoffSheet,
    PartnerLink,
    ProvisionRecord,
    Referral,
    ReferralStep,
)
from referrals.services import ask_partner, send_partner_link, start_referral
from referrals.tests.factories import referral_in

pytestmark = pytest.mark.django_db

S = Referral.Status
PARTNER_ADDRESS = "kitamura@example.jp"


@pytest.fixture(autouse=True)
def english():
    """Labels and mails compared in English (the ja catalogue follows later)."""
    with translation.override("en"):
        yield


class RefusingBackend(BaseEmailBackend):
    """A mail server that turns every message away."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({PARTNER_ADDRESS: (550, b"no such user")})


def nothing_written(referral):
    """What a refused action must leave: the referral where it was, and no trace."""
    return {
        "status": Referral.objects.get(pk=referral.pk).status,
        "steps": ReferralStep.objects.filter(referral=referral.pk).count(),
        "events": CaseEvent.objects.filter(case=referral.case_id).count(),
        "case": Case.objects.get(pk=referral.case_id).status,
        "links": PartnerLink.objects.filter(referral=referral.pk).count(),
        "records": ProvisionRecord.objects.count(),
    }


# ── start_referral ──────────────────────────────────────────────────────────────────


def test_a_referral_starts_as_a_draft_with_its_sheet(
    case, labour_service, labour_contact, consent, coordinator
):
    referral = start_referral(
        case=case,
        service=labour_service,
        contact=labour_contact,
        need="未払い残業代の申告をしたい",
        consent=consent,
        by=coordinator,
    )
    referral = Referral.objects.get(pk=referral.pk)
    assert referral.status == S.DRAFT
    assert (referral.center, referral.case, referral.organisation) == (
        case.center,
        case,
        labour_service.organisation,
    )
    assert (referral.contact, referral.consent, referral.is_anonymous) == (
        labour_contact,
        consent,
        False,
    )
    assert (referral.coordinator, referral.created_by) == (coordinator, coordinator)
    sheet = HandoffSheet.objects.get(referral=referral)
    assert sheet.need == "未払い残業代の申告をしたい"
    assert sheet.updated_by == coordinator
    # Drafting sends nothing anywhere: no step, no record, the case as it was.
    assert not referral.steps.exists()
    assert not ProvisionRecord.objects.exists()
    assert Case.objects.get(pk=case.pk).status == Case.Status.RECEIVED


def test_without_consent_it_is_an_anonymous_enquiry(case, labour_service, coordinator):
    ConsultationFactory(case=case, summary="山田花子さん（090-1234-5678）から、残業代の件。")
    referral = start_referral(
        case=case,
        service=labour_service,
        contact=None,
        need="匿名で受け入れの可否を聞きたい",
        consent=None,
        by=coordinator,
    )
    referral = Referral.objects.get(pk=referral.pk)
    assert referral.is_anonymous
    assert referral.consent is None
    assert "残業代の件" in referral.sheet.history
    assert "山田" not in referral.sheet.history
    assert "5678" not in referral.sheet.history
    assert referral.shared_details() == []


def test_a_referral_is_not_left_without_its_sheet(case, labour_service, coordinator, monkeypatch):
    def broken(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(HandoffSheet, "save", broken)
    with pytest.raises(RuntimeError):
        start_referral(
            case=case,
            service=labour_service,
            contact=None,
            need="相談",
            consent=None,
            by=coordinator,
        )
    assert not Referral.objects.exists()


# ── ask_partner ─────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("channel", [Channel.PHONE, Channel.FAX, Channel.IN_PERSON])
def test_asking_for_a_consented_referral_writes_a_record_of_provision(
    referral, coordinator, channel
):
    ask_partner(referral, by=coordinator, channel=channel, comment="北村さんに電話")

    stored = Referral.objects.get(pk=referral.pk)
    assert stored.status == S.ASKED
    step = stored.steps.get()
    assert (step.status, step.channel, step.by, step.comment) == (
        S.ASKED,
        channel,
        coordinator,
        "北村さんに電話",
    )
    record = ProvisionRecord.objects.get()
    assert (record.referral, record.client, record.channel, record.provided_by) == (
        stored,
        referral.case.client,
        channel,
        coordinator,
    )
    assert Case.objects.get(pk=referral.case_id).status == Case.Status.REFERRING


def test_asking_anonymously_writes_no_record_of_provision(anonymous_referral, coordinator):
    ask_partner(anonymous_referral, by=coordinator, channel=Channel.PHONE)
    assert Referral.objects.get(pk=anonymous_referral.pk).status == S.ASKED
    assert not ProvisionRecord.objects.exists()


def test_row_50_asking_is_all_or_nothing(referral, coordinator, monkeypatch):
    """security.md row 50: the record of provision fails, so the step goes too."""
    before = nothing_written(referral)

    def broken(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ProvisionRecord, "save", broken)
    with pytest.raises(RuntimeError):
        ask_partner(referral, by=coordinator, channel=Channel.PHONE)

    assert nothing_written(referral) == before
    assert not CaseEvent.objects.filter(case=referral.case_id, kind=CaseEvent.Kind.REFERRAL)


def test_asking_twice_is_refused(referral, coordinator):
    ask_partner(referral, by=coordinator, channel=Channel.PHONE)
    before = nothing_written(referral)
    with pytest.raises(ValidationError):
        ask_partner(referral, by=coordinator, channel=Channel.PHONE)
    assert nothing_written(referral) == before
    assert ProvisionRecord.objects.count() == 1


def test_row_40_asking_after_the_consent_was_withdrawn_is_refused(referral, coordinator):
    referral.consent.withdraw(by=coordinator, note="家族に知られたくない")
    before = nothing_written(referral)
    with pytest.raises(ValidationError):
        ask_partner(referral, by=coordinator, channel=Channel.PHONE)
    assert nothing_written(referral) == before


# ── send_partner_link ───────────────────────────────────────────────────────────────


def token_in(body):
    url = re.search(rf"{re.escape(settings.SITE_URL)}/r/([^/\s]+)/", body)
    assert url, body
    return url.group(1)


def identifying(text, client):
    """What in `text` would tell who the client is, or what the matter is."""
    digits = "".join(ch for ch in text if ch.isdigit())
    words = [
        client.family_name,
        client.given_name,
        client.family_name_kana,
        client.given_name_kana,
        "残業代",
    ]
    return [word for word in words if word in text] + [
        phone for phone in (client.phone_mobile, client.phone_home) if phone and phone in digits
    ]


def test_the_link_goes_by_mail_and_answers_for_the_referral(referral, coordinator, mailoutbox):
    link = send_partner_link(referral, to=PARTNER_ADDRESS, by=coordinator)

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [PARTNER_ADDRESS]
    assert PartnerLink.from_token(token_in(mail.body)) == link
    assert (link.sent_to, link.sent_by) == (PARTNER_ADDRESS, coordinator)
    stored = Referral.objects.get(pk=referral.pk)
    assert stored.status == S.ASKED
    step = stored.steps.get()
    assert (step.channel, step.by) == (Channel.LINK, coordinator)
    record = ProvisionRecord.objects.get()
    assert (record.referral, record.channel) == (stored, Channel.LINK)


@pytest.mark.parametrize("kind", ["referral", "anonymous_referral"])
def test_the_mail_names_neither_the_client_nor_the_matter(
    request, kind, client_record, coordinator, mailoutbox
):
    client_record.phone_home = "0762317700"
    client_record.save()
    referral = request.getfixturevalue(kind)
    send_partner_link(referral, to=PARTNER_ADDRESS, by=coordinator)

    mail = mailoutbox[0]
    assert identifying(mail.subject, client_record) == []
    assert identifying(mail.body, client_record) == []
    assert referral.center.name in mail.subject


def test_an_anonymous_link_writes_no_record_of_provision(
    anonymous_referral, coordinator, mailoutbox
):
    send_partner_link(anonymous_referral, to=PARTNER_ADDRESS, by=coordinator)
    assert len(mailoutbox) == 1
    assert Referral.objects.get(pk=anonymous_referral.pk).status == S.ASKED
    assert not ProvisionRecord.objects.exists()


def test_a_new_link_replaces_the_old_one_without_asking_again(referral, coordinator, mailoutbox):
    first = send_partner_link(referral, to=PARTNER_ADDRESS, by=coordinator)
    first_token = token_in(mailoutbox[0].body)
    second = send_partner_link(referral, to="soudan@example.jp", by=coordinator)

    assert PartnerLink.from_token(first_token) is None
    assert PartnerLink.from_token(token_in(mailoutbox[1].body)) == second != first
    assert mailoutbox[1].to == ["soudan@example.jp"]
    assert list(referral.steps.values_list("status", flat=True)) == [S.ASKED]
    # Each mail opens the sheet to the partner again: each has its record.
    assert ProvisionRecord.objects.count() == 2


def test_after_referral_the_link_asks_for_the_outcome(referral, coordinator, mailoutbox):
    referral_in(S.REFERRED, referral)
    send_partner_link(referral, to=PARTNER_ADDRESS, by=coordinator)
    assert Referral.objects.get(pk=referral.pk).status == S.REFERRED
    assert "how it went" in mailoutbox[0].body


def test_a_refused_mail_records_nothing(referral, coordinator, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    before = nothing_written(referral)

    with pytest.raises(smtplib.SMTPException):
        send_partner_link(referral, to=PARTNER_ADDRESS, by=coordinator)

    assert nothing_written(referral) == before
    assert not PartnerLink.objects.exists()


def test_a_refused_mail_leaves_the_earlier_link_working(
    referral, coordinator, mailoutbox, settings
):
    send_partner_link(referral, to=PARTNER_ADDRESS, by=coordinator)
    token = token_in(mailoutbox[0].body)
    before = nothing_written(referral)

    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with pytest.raises(smtplib.SMTPException):
        send_partner_link(referral, to="soudan@example.jp", by=coordinator)

    assert nothing_written(referral) == before
    assert PartnerLink.from_token(token) is not None

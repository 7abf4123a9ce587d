"""Retention (security.md rows 46 and 42): `manage.py purge_expired` anonymises closed
cases past their period with their history, deletes clients left with nothing, keeps
the records of provision three years whatever became of the case, and writes a
DeletionRecord for each purge."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from accounts.models import AuditEvent, SaveReceipt
from consultations.models import (
    Case,
    CaseEvent,
    Client,
    Consent,
    Consultation,
    ConsultationTopic,
    HandoverNote,
)
from consultations.tests.factories import (
    CaseFactory,
    ClientFactory,
    ConsentFactory,
    ConsultationFactory,
    HandoverNoteFactory,
)
from network.models import Topic
from referrals.models import (
    Channel,
    FollowUp,
    FollowUpReminder,
    HandoffSheet,
    PartnerLink,
    ProvisionRecord,
    Referral,
    ReferralStep,
)
from referrals.services import ask_partner
from referrals.tests.factories import FollowUpFactory, ReferralFactory

from ..models import DeletionRecord

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 4, 1, 10, 0, tzinfo=datetime.UTC)


def purge(*args):
    out = StringIO()
    with translation.override("en"):
        call_command("purge_expired", *args, stdout=out)
    return out.getvalue()


def later(**delta):
    return time_machine.travel(START + datetime.timedelta(**delta), tick=False)


@pytest.fixture
def history(center, counter_staff, coordinator, labour_service, labour_contact):
    """山田花子's case, handed to the labour office on 2026-04-01 and closed that day:
    a note, a step, a record of provision, a follow-up and a link."""
    with time_machine.travel(START, tick=False):
        client_record = ClientFactory(
            center=center,
            created_by=counter_staff,
            family_name="山田",
            given_name="花子",
            family_name_kana="ヤマダ",
            given_name_kana="ハナコ",
        )
        case = CaseFactory(
            center=center,
            client=client_record,
            created_by=counter_staff,
            title="山田さんの残業代",
            main_topic=Topic.objects.get(code="W2-01"),
        )
        ConsultationFactory(case=case, summary="山田さんから電話。", topics=["W2-01", "W1-01"])
        case.add_note("山田さんは上司の佐藤部長から退職を迫られた。", by=coordinator)
        consent = ConsentFactory(
            client=client_record, organisation=labour_service.organisation, recorded_by=coordinator
        )
        referral = ReferralFactory(
            case=case,
            service=labour_service,
            contact=labour_contact,
            consent=consent,
            coordinator=coordinator,
        )
        ask_partner(referral, by=coordinator, channel=Channel.PHONE)
        referral.accept(by=coordinator, channel=Channel.PHONE)
        referral.mark_referred(by=coordinator, with_whom="北村 正")
        FollowUpFactory(referral=referral, note="山田さんは初回面談を終えた。")
        PartnerLink.issue(referral, to="kitamura@example.jp", by=coordinator)
        case.close(reason=Case.ClosedReason.REFERRED, by=coordinator)
    return {"client": client_record, "case": case, "referral": referral}


def test_row_46_past_retention_nothing_of_the_client_is_left(history):
    client_record, case, referral = history["client"], history["case"], history["referral"]
    consultations = list(case.consultations.values_list("pk", flat=True))
    topics = ConsultationTopic.objects.filter(case=case).count()
    audit_rows = AuditEvent.objects.count()

    with later(days=5 * 366):
        purge("--commit")

    assert not Client.objects.filter(pk=client_record.pk).exists()
    assert not Consent.objects.filter(client=client_record.pk).exists()
    assert not Case.objects.filter(client=client_record.pk).exists()
    assert not Consultation.objects.filter(client=client_record.pk).exists()
    assert not CaseEvent.objects.filter(case=case).exists()
    assert not ReferralStep.objects.filter(referral=referral).exists()
    assert not HandoffSheet.objects.filter(referral=referral).exists()
    assert not PartnerLink.objects.filter(referral=referral).exists()
    # What the statistics count stays, saying nothing of whom or what.
    kept = Case.objects.get(pk=case.pk)
    assert kept.anonymised_at is not None
    assert kept.title == kept.main_topic.name
    assert kept.search_text == ""
    assert sorted(Consultation.objects.filter(case=case).values_list("pk", flat=True)) == sorted(
        consultations
    )
    assert set(Consultation.objects.filter(case=case).values_list("summary", flat=True)) == {""}
    assert ConsultationTopic.objects.filter(case=case).count() == topics
    kept_referral = Referral.objects.get(pk=referral.pk)
    assert (kept_referral.status, kept_referral.need, kept_referral.consent) == (
        Referral.Status.REFERRED,
        "",
        None,
    )
    assert kept_referral.contact is None
    assert set(FollowUp.objects.filter(referral=referral).values_list("note", flat=True)) == {""}
    # The name is nowhere in the case, consultation or referral tables.
    for model, fields in [
        (Case, ["title", "search_text"]),
        (Consultation, ["summary", "action_taken"]),
        (Referral, ["need", "appointment_with"]),
        (FollowUp, ["note"]),
    ]:
        for field in fields:
            assert not model.objects.filter(**{f"{field}__contains": "山田"}).exists()
    # The deletion records: which, under what rule, by whom; no content.
    case_record = DeletionRecord.objects.get(kind=DeletionRecord.Kind.CASE)
    assert case_record.action == DeletionRecord.Action.ANONYMISED
    assert case_record.identifiers == [case.number]
    assert case_record.count == 1
    assert case_record.center == case.center
    assert case_record.policy == "case: years=5"
    assert case_record.done_by == "manage.py purge_expired"
    client_record_row = DeletionRecord.objects.get(kind=DeletionRecord.Kind.CLIENT)
    assert client_record_row.identifiers == [client_record.pk]
    for record in DeletionRecord.objects.all():
        assert "山田" not in str(record.identifiers)
    # The audit trail is never purged.
    assert AuditEvent.objects.count() == audit_rows


def test_before_the_period_ends_nothing_is_purged(history):
    with later(days=5 * 365 - 2):
        purge("--commit")
    assert Client.objects.filter(pk=history["client"].pk).exists()
    assert CaseEvent.objects.filter(case=history["case"]).exists()
    assert not DeletionRecord.objects.filter(kind=DeletionRecord.Kind.CASE).exists()


def test_a_dry_run_counts_and_changes_nothing(history):
    with later(days=5 * 366):
        output = purge()
    assert "Dry run" in output
    assert "Closed cases (case: years=5): 1 would be purged" in output
    assert Case.objects.get(pk=history["case"].pk).anonymised_at is None
    assert not DeletionRecord.objects.exists()


def test_a_second_run_purges_nothing_more(history):
    with later(days=5 * 366):
        purge("--commit")
        records = DeletionRecord.objects.count()
        output = purge("--commit")
    assert DeletionRecord.objects.count() == records
    assert "Closed cases (case: years=5): 0 purged" in output


def test_open_cases_are_kept_and_counted_for_review(center, counter_staff):
    with time_machine.travel(START, tick=False):
        case = CaseFactory(center=center, created_by=counter_staff)
        ConsultationFactory(case=case)
    with later(days=6 * 366):
        output = purge("--commit")
    assert Case.objects.get(pk=case.pk).anonymised_at is None
    assert Client.objects.filter(pk=case.client_id).exists()
    assert "Open cases without contact: 1 to review, not purged" in output


def test_a_client_with_a_newer_case_is_kept(history, center, counter_staff):
    with later(days=4 * 365):
        newer = CaseFactory(center=center, client=history["client"], created_by=counter_staff)
    with later(days=5 * 366):
        purge("--commit")
    assert Client.objects.filter(pk=history["client"].pk).exists()
    assert Case.objects.get(pk=newer.pk).client == history["client"]
    assert Case.objects.get(pk=history["case"].pk).client is None


@override_settings(RETENTION_PERIODS={"case": {"months": 6}})
def test_row_42_the_record_of_provision_outlives_the_case_for_three_years(history):
    record = ProvisionRecord.objects.get()
    identification = record.client_identification
    assert record.keep_until == datetime.date(2029, 4, 1)

    with later(days=365):
        purge("--commit")
    assert not Client.objects.filter(pk=history["client"].pk).exists()
    assert Case.objects.get(pk=history["case"].pk).anonymised_at is not None
    kept = ProvisionRecord.objects.get(pk=record.pk)
    assert kept.client is None
    assert kept.client_identification == identification
    assert kept.recipient == record.recipient

    with time_machine.travel(datetime.datetime(2029, 4, 1, 12, 0, tzinfo=datetime.UTC)):
        purge("--commit")
    assert ProvisionRecord.objects.filter(pk=record.pk).exists()

    with time_machine.travel(datetime.datetime(2029, 4, 2, 12, 0, tzinfo=datetime.UTC)):
        output = purge("--commit")
    assert not ProvisionRecord.objects.filter(pk=record.pk).exists()
    deletion = DeletionRecord.objects.get(kind=DeletionRecord.Kind.PROVISION_RECORD)
    assert deletion.identifiers == [record.pk]
    assert "Records of provision (provision_record: keep_until): 1 purged" in output


def test_short_lived_records_go_after_their_periods(center, counter_staff, coordinator, referral):
    with time_machine.travel(START, tick=False):
        old_note = HandoverNoteFactory(center=center, author=counter_staff)
        old_link, _token = PartnerLink.issue(referral, to="kitamura@example.jp", by=coordinator)
        FollowUpReminder.objects.create(user=coordinator, sent_on=START.date(), item_count=1)
        SaveReceipt.objects.create(
            key="12345678-1234-5678-1234-567812345678",
            user=coordinator,
            content_type=ContentType.objects.get_for_model(HandoverNote),
            object_id=str(old_note.pk),
            location="/consultations/notes/",
        )
    with later(days=200):
        new_note = HandoverNoteFactory(center=center, author=counter_staff)
        output = purge("--commit")
    assert list(HandoverNote.objects.all()) == [new_note]
    assert not PartnerLink.objects.filter(pk=old_link.pk).exists()
    assert not FollowUpReminder.objects.exists()
    assert not SaveReceipt.objects.exists()
    kinds = set(DeletionRecord.objects.values_list("kind", flat=True))
    assert {"handover_note", "partner_link", "follow_up_reminder", "save_receipt"} <= kinds
    receipts = DeletionRecord.objects.get(kind="save_receipt")
    assert (receipts.count, receipts.identifiers, receipts.center) == (1, [], None)
    assert "Hand-over notes (handover_note: days=90): 1 purged" in output


def test_an_anonymous_closed_case_is_anonymised_too(center, counter_staff):
    with time_machine.travel(START, tick=False):
        case = CaseFactory(center=center, client=None, created_by=counter_staff)
        ConsultationFactory(case=case, summary="匿名の相談。勤務先は株式会社テスト。")
        case.close(reason=Case.ClosedReason.ADVICE_GIVEN, by=counter_staff)
    with later(days=5 * 366):
        purge("--commit")
    assert Consultation.objects.get(case=case).summary == ""
    assert Case.objects.get(pk=case.pk).anonymised_at is not None


def test_deletion_records_are_never_changed_or_deleted(history):
    with later(days=5 * 366):
        purge("--commit")
    record = DeletionRecord.objects.first()
    with pytest.raises(ValueError, match="never changed"):
        record.save()
    with pytest.raises(ValueError, match="never deleted"):
        record.delete()


def test_the_case_page_says_it_was_anonymised(client, history, coordinator):
    with later(days=5 * 366):
        purge("--commit")
        client.force_login(coordinator)
        response = client.get(history["case"].get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Anonymised on" in page or "匿名化" in page
    assert "山田" not in page

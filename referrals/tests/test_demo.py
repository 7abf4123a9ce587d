"""`seed_demo`, whose last step refers some 40 cases per centre to the demo partners."""

import io
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation

from accounts.models import Center
from consultations.models import (
    Case,
    CaseEvent,
    CaseNumberSequence,
    Client,
    Consent,
    Consultation,
    ConsultationTopic,
    HandoverNote,
)
from referrals.models import (
    Channel,
    FollowUp,
    PartnerLink,
    ProvisionRecord,
    Referral,
    ReferralStep,
)

pytestmark = pytest.mark.django_db

S = Referral.Status
CENTRES = ["KNZ", "KMT"]


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    """`seed_demo` once for the whole module (it takes seconds), rolled back afterwards;
    each test still runs in its own savepoint inside."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed()
        transaction.set_rollback(True)


def seed():
    output = io.StringIO()
    with translation.override("en"):
        call_command("seed_demo", stdout=output)
    return output.getvalue()


def at(code):
    return Referral.objects.filter(center__code=code)


def answered_by_link(referrals):
    """Referrals with a step the partner took through its link."""
    steps = ReferralStep.objects.filter(channel=Channel.LINK, by__isnull=True)
    return referrals.filter(pk__in=steps.values("referral"))


def fingerprint():
    """Everything the referral step generates, but the times of day."""
    referrals = Referral.objects.order_by("center__code", "case__number", "pk")
    rows = list(
        referrals.values_list(
            "center__code",
            "case__number",
            "service__name",
            "contact__name",
            "need",
            "is_anonymous",
            "status",
            "decline_reason",
            "outcome",
            "follow_up_on",
            "consent__method",
            "consent__kind",
        )
    )
    steps = ReferralStep.objects.order_by("referral__case__number", "pk")
    rows += [
        (
            step.referral.case.number,
            step.status,
            step.channel,
            step.by_id is None,
            step.comment,
            timezone.localdate(step.at),
        )
        for step in steps.select_related("referral__case")
    ]
    return rows


def test_the_command_reports_every_step(demo):
    referrals = Referral.objects.all()
    consultations = Consultation.objects.count()
    assert f"Consultations: {consultations} in {Case.objects.count()} cases" in demo
    assert f"Referrals: {referrals.count()} at both centres, in every state" in demo
    assert f"({ProvisionRecord.objects.count()} records of provision" in demo
    today = timezone.localdate()
    due = referrals.follow_up_due_on(today).count()
    overdue = referrals.follow_up_overdue_on(today).count()
    assert f"{due} follow-ups due today, {overdue} overdue." in demo


def test_about_forty_referrals_at_each_centre_in_every_state():
    for code in CENTRES:
        referrals = at(code)
        assert 35 <= referrals.count() <= 45, code
        statuses = Counter(referrals.values_list("status", flat=True))
        assert set(statuses) == set(S.values), code
        declined = referrals.filter(status=S.DECLINED)
        assert set(declined.values_list("decline_reason", flat=True)) == set(
            Referral.DeclineReason.values
        )
        completed = referrals.filter(status=S.COMPLETED)
        assert set(completed.values_list("outcome", flat=True)) == set(Referral.Outcome.values)


def test_every_completed_referral_has_its_outcome_and_every_declined_its_reason():
    assert not Referral.objects.filter(status=S.COMPLETED, outcome="").exists()
    assert not Referral.objects.filter(status=S.DECLINED, decline_reason="").exists()
    assert not Referral.objects.exclude(status=S.COMPLETED).exclude(outcome="").exists()


def test_follow_ups_fall_due_today_and_some_are_overdue():
    today = timezone.localdate()
    for code in CENTRES:
        assert at(code).follow_up_due_on(today).exists(), code
        assert at(code).follow_up_overdue_on(today).exists(), code
        assert at(code).follow_up_due_on(today).filter(status=S.REFERRED).exists(), code
    following = Referral.objects.following_up()
    assert not following.filter(follow_up_on=None).exists()
    assert not Referral.objects.exclude(pk__in=following).exclude(follow_up_on=None).exists()
    assert FollowUp.objects.filter(referral__status=S.FOLLOWING_UP).exists()
    assert FollowUp.objects.filter(next_on__lt=today, referral__status=S.FOLLOWING_UP).exists()


def test_partners_answer_through_their_link():
    for code in CENTRES:
        assert answered_by_link(at(code)).count() >= 3, code
        # Waiting for an answer through the link too.
        assert at(code).filter(status=S.ASKED, links__revoked_at=None).exists(), code
    declined = answered_by_link(Referral.objects.filter(status=S.DECLINED))
    assert declined.exists()
    reports = FollowUp.objects.filter(method=FollowUp.Method.LINK).select_related("referral")
    assert {report.referral.center.code for report in reports} == set(CENTRES)
    for report in reports:
        assert (report.by, report.spoke_with) == (None, FollowUp.Party.PARTNER)
        assert report.referral.status == S.COMPLETED
        last = report.referral.steps.last()
        assert (last.status, last.channel, last.by) == (S.COMPLETED, Channel.LINK, None)
    for link in PartnerLink.objects.exclude(last_used_at=None):
        assert link.sent_at < link.last_used_at < timezone.now()


def test_the_partners_page_printed_works(demo):
    token = re.search(r"/r/([^/\s]+)/", demo).group(1)
    link = PartnerLink.from_token(token)
    assert link is not None
    assert link.referral.status == S.ASKED


def test_records_of_provision_for_every_named_referral_asked_and_none_for_anonymous():
    asked = Referral.objects.exclude(asked_at=None)
    named = asked.filter(is_anonymous=False)
    assert named.count() > 40
    assert not named.filter(provision_records=None).exists()
    assert not ProvisionRecord.objects.filter(referral__is_anonymous=True).exists()
    assert not Referral.objects.filter(asked_at=None, provision_records__isnull=False).exists()
    for record in ProvisionRecord.objects.select_related("referral"):
        assert record.provided_at >= record.referral.asked_at
        assert record.keep_until.year == timezone.localdate(record.provided_at).year + 3
        assert record.consent_basis
        assert record.client_identification
        assert record.items


def test_consents_and_anonymous_enquiries():
    for code in CENTRES:
        assert at(code).filter(is_anonymous=True).count() >= 2, code
    consents = Consent.objects.all()
    assert set(consents.values_list("method", flat=True)) == set(Consent.Method.values)
    assert consents.filter(organisation=None).exclude(kind="").exists()
    assert consents.filter(withdrawn_at__isnull=False).exists()
    for referral in Referral.objects.filter(is_anonymous=False).select_related("consent"):
        covering = Consent.objects.filter(client=referral.case.client_id)
        assert referral.consent in covering.covering(referral.organisation) or (
            not referral.consent.is_in_force and referral.status == S.CANCELLED
        )
        assert referral.consent.given_on <= timezone.localdate(referral.created_at)


def test_sheets_are_drafted_and_approved_before_the_partner_is_asked():
    for referral in Referral.objects.select_related("sheet"):
        sheet = referral.sheet
        assert sheet.need == referral.need
        assert sheet.client_wishes
        if referral.asked_at:
            assert sheet.approved_at < referral.asked_at
        if referral.is_anonymous:
            assert not sheet.mentions_identifiers()


def test_steps_follow_the_verbs_in_time_and_in_the_past():
    now = timezone.now()
    for referral in Referral.objects.prefetch_related("steps"):
        status, moment = S.DRAFT, referral.created_at
        for step in referral.steps.all():
            assert step.old_status == status
            assert step.status in Referral.NEXT_STATUSES[status]
            assert moment <= step.at < now
            status, moment = step.status, step.at
        assert status == referral.status
        for stamp in ("asked_at", "answered_at", "referred_at", "closed_at"):
            value = getattr(referral, stamp)
            assert value is None or referral.created_at <= value < now


def test_referrals_come_after_the_contacts_that_led_to_them():
    cases = Case.objects.filter(referrals__isnull=False).distinct()
    cases = cases.annotate(last_contact=Max("consultations__received_at"))
    for case in cases.prefetch_related("referrals"):
        first = min(referral.created_at for referral in case.referrals.all())
        assert first > case.last_contact


def test_cases_follow_their_referrals():
    """The case statuses the referral verbs set chain as the case verbs allow."""
    allowed = {(old, new) for old, targets in Case.NEXT_STATUSES.items() for new in targets} | {
        (old, Case.Status.CLOSED) for old in Case.Status.values if old != Case.Status.CLOSED
    }
    allowed.add((Case.Status.CLOSED, Case.Status.IN_PROGRESS))
    cases = Case.objects.filter(referrals__isnull=False).distinct().prefetch_related("events")
    statuses = Counter()
    for case in cases:
        status = Case.Status.RECEIVED
        for event in case.events.all():
            assert event.at <= timezone.now()
            if event.kind == CaseEvent.Kind.STATUS:
                assert event.old_value == status
                assert (event.old_value, event.new_value) in allowed
                status = event.new_value
        assert status == case.status
        assert (case.status == Case.Status.CLOSED) == (case.closed_at is not None)
        statuses[case.status] += 1
    assert statuses[Case.Status.REFERRING]
    assert statuses[Case.Status.FOLLOW_UP]
    assert statuses[Case.Status.CLOSED]
    asked = Referral.objects.exclude(asked_at=None)
    assert not asked.filter(case__status=Case.Status.RECEIVED).exists()


def test_each_move_and_follow_up_is_a_line_in_the_case_timeline():
    for referral in Referral.objects.select_related("organisation"):
        lines = CaseEvent.objects.filter(
            case=referral.case_id,
            kind=CaseEvent.Kind.REFERRAL,
            old_value=str(referral.organisation),
        )
        # The first follow-up is also the step to フォロー中.
        moves_on = referral.steps.filter(status=S.FOLLOWING_UP).count()
        assert lines.count() == referral.steps.count() + referral.follow_ups.count() - moves_on


def test_the_records_pass_model_validation():
    for model in (Referral, Consent):
        for instance in model.objects.order_by("pk")[::3]:
            instance.full_clean()


def test_staff_refer_only_their_own_centres_cases():
    for referral in Referral.objects.select_related("case", "coordinator", "service"):
        assert referral.center_id == referral.case.center_id == referral.coordinator.center_id
        assert referral.organisation_id == referral.service.organisation_id
        assert referral.contact is None or referral.contact.organisation_id == (
            referral.organisation_id
        )
        assert not referral.case.restricted or referral.coordinator.has_perm(
            "consultations.view_restricted_case"
        )


def test_labour_debt_and_living_cases_go_to_the_partners_for_them():
    partners = Counter()
    for referral in Referral.objects.select_related("case__main_topic__category", "organisation"):
        partners[(referral.case.main_topic.category.code, referral.organisation.name)] += 1
    labour = {name for (field, name) in partners if field == "W1"}
    assert any("労働基準監督署" in name or "総合労働相談コーナー" in name for name in labour)
    debt_and_living = {name for (field, name) in partners if field in ("L2", "L3")}
    assert any("法テラス" in name or "司法書士" in name for name in debt_and_living)
    assert any("社会福祉協議会" in name or "自立相談支援" in name for name in debt_and_living)


def test_running_it_again_changes_nothing():
    before = fingerprint()
    output = seed()
    assert "already had consultations" in output
    assert "already had referrals" in output
    assert fingerprint() == before


def test_the_demo_is_the_same_every_time():
    before = fingerprint()
    # Everything from the consultations on (the staff, directory and register stay).
    # QuerySet.delete() skips ProvisionRecord.delete(), which keeps records three years.
    ProvisionRecord.objects.all().delete()
    Referral.objects.all().delete()
    for model in (Consent, CaseEvent, ConsultationTopic, Consultation, Case, Client):
        model.objects.all().delete()
    CaseNumberSequence.objects.all().delete()
    HandoverNote.objects.all().delete()
    assert not Center.objects.filter(clients__isnull=False).exists()

    output = seed()

    assert "Referrals: " in output
    assert fingerprint() == before

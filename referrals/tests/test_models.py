"""The referral's verbs and state machine, follow-up dates, consent, the hand-off sheet,
the record of provision and the partner's link."""

import datetime
import hashlib
import itertools

import pytest
from dateutil.relativedelta import relativedelta
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from consultations.models import Case, CaseEvent, Consent, Consultation, EmploymentStatus
from consultations.models import EmploymentType as ET
from consultations.tests.factories import (
    CaseFactory,
    ConsentFactory,
    ConsultationFactory,
)
from network.calendar_jp import add_business_days
from network.models import Organisation, Prefecture
from network.tests.factories import ContactFactory, OrganisationFactory, municipality
from referrals.models import (
    LINK_SALT,
    Channel,
    FollowUp,
    HandoffSheet,
    PartnerLink,
    ProvisionRecord,
    Referral,
    ReferralStep,
    desk_sections,
)
from referrals.tests.factories import ReferralFactory, referral_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Labels and messages compared in English (the ja catalogue follows later)."""
    with translation.override("en"):
        yield


S = Referral.Status

# The state machine as the issue draws it: 下書き → 打診中 → 受入可 / 辞退 → 紹介済 →
# フォロー中 → 完了, and 取消 from any open status. Written out here rather than read
# from the model, so that a change to NEXT_STATUSES has to change this test too.
EXPECTED_MOVES = {
    S.DRAFT: {S.ASKED, S.CANCELLED},
    S.ASKED: {S.ACCEPTED, S.DECLINED, S.CANCELLED},
    S.ACCEPTED: {S.REFERRED, S.CANCELLED},
    S.DECLINED: set(),
    S.REFERRED: {S.FOLLOWING_UP, S.COMPLETED, S.CANCELLED},
    S.FOLLOWING_UP: {S.COMPLETED, S.CANCELLED},
    S.COMPLETED: set(),
    S.CANCELLED: set(),
}
# Every pair of statuses a verb could try. Nothing moves back to 下書き (no verb does), and
# a follow-up on a referral under follow-up is an entry, not a move (tested on its own).
PAIRS = [
    (old, new)
    for old in S
    for new in S
    if new != S.DRAFT and (old, new) != (S.FOLLOWING_UP, S.FOLLOWING_UP)
]
ALLOWED = [(old, new) for old, new in PAIRS if new in EXPECTED_MOVES[old]]
REFUSED = [(old, new) for old, new in PAIRS if new not in EXPECTED_MOVES[old]]


def move(referral, status, *, by, comment="先方と電話で確認"):
    """Move `referral` to `status` with the verb for it; return the channel and reason the
    step should carry."""
    today = timezone.localdate()
    if status == S.ASKED:
        referral.ask(by=by, channel=Channel.FAX, comment=comment)
        return Channel.FAX, ""
    if status == S.ACCEPTED:
        referral.accept(by=by, channel=Channel.PHONE, comment=comment)
        return Channel.PHONE, ""
    if status == S.DECLINED:
        reason = Referral.DeclineReason.NOT_ELIGIBLE
        referral.decline(reason=reason, by=by, channel=Channel.EMAIL, comment=comment)
        return Channel.EMAIL, reason
    if status == S.REFERRED:
        referral.mark_referred(
            by=by,
            appointment_at=timezone.now() + datetime.timedelta(days=2),
            place="金沢駅西合同庁舎6階",
            with_whom="北村さん",
            comment=comment,
        )
        return "", ""
    if status == S.FOLLOWING_UP:
        referral.add_follow_up(
            by=by,
            done_on=today,
            method=FollowUp.Method.PHONE,
            spoke_with=FollowUp.Party.CLIENT,
            note=comment,
            next_on=today + datetime.timedelta(days=7),
        )
        return "", ""
    if status == S.COMPLETED:
        outcome = Referral.Outcome.SUPPORT_CONTINUES
        referral.complete(outcome=outcome, by=by, channel=Channel.PHONE, comment=comment)
        return Channel.PHONE, outcome
    assert status == S.CANCELLED
    referral.cancel(by=by, comment=comment)
    return "", ""


def snapshot(referral):
    """Everything a refused move must leave as it was."""
    case = Case.objects.get(pk=referral.case_id)
    return {
        "referral": Referral.objects.filter(pk=referral.pk).values().get(),
        "steps": ReferralStep.objects.filter(referral=referral.pk).count(),
        "events": CaseEvent.objects.filter(case=case).count(),
        "case": (case.status, case.version),
        "follow_ups": FollowUp.objects.filter(referral=referral.pk).count(),
        "links": list(PartnerLink.objects.filter(referral=referral.pk).values()),
        "records": ProvisionRecord.objects.count(),
    }


def referral_events(referral):
    return CaseEvent.objects.filter(case=referral.case_id, kind=CaseEvent.Kind.REFERRAL)


def fresh(referral):
    """Another copy of the referral, as another request would load it."""
    return Referral.objects.get(pk=referral.pk)


# ── The state machine ───────────────────────────────────────────────────────────────


def test_the_moves_are_the_ones_the_issue_draws():
    assert {old: set(new) for old, new in Referral.NEXT_STATUSES.items()} == EXPECTED_MOVES
    assert set(Referral.OPEN_STATUSES) == {old for old, new in EXPECTED_MOVES.items() if new}
    assert not any(S.DRAFT in targets for targets in Referral.NEXT_STATUSES.values())


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_an_allowed_move_writes_one_step_and_one_case_event(referral, coordinator, old, new):
    referral_in(old, referral)
    steps = referral.steps.count()
    events = referral_events(referral).count()

    channel, reason = move(referral, new, by=coordinator, comment="北村さんと話した")

    stored = fresh(referral)
    assert stored.status == referral.status == new
    assert referral.steps.count() == steps + 1
    step = referral.steps.last()
    assert (step.old_status, step.status) == (old, new)
    assert (step.by, step.channel, step.reason, step.comment) == (
        coordinator,
        channel,
        reason,
        "北村さんと話した",
    )
    assert referral_events(referral).count() == events + 1
    event = referral_events(referral).last()
    assert event.by == coordinator
    assert event.old_value == "金沢労働基準監督署"
    assert event.new_value == S(new).label
    assert event.text == "北村さんと話した"


@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_any_other_move_is_refused_and_changes_nothing(referral, coordinator, old, new):
    referral_in(old, referral)
    before = snapshot(referral)

    with pytest.raises(ValidationError):
        move(referral, new, by=coordinator)

    assert snapshot(referral) == before


def test_a_partners_answer_by_link_is_a_step_by_nobody(referral, coordinator):
    referral_in(S.ASKED, referral)
    referral.accept(by=None, channel=Channel.LINK, comment="5日の午後に面談できます")
    step = referral.steps.last()
    assert (step.by, step.channel, step.status) == (None, Channel.LINK, S.ACCEPTED)
    assert referral_events(referral).last().by is None


def test_a_follow_up_under_follow_up_is_an_entry_not_a_move(referral, coordinator):
    referral_in(S.FOLLOWING_UP, referral)
    steps = referral.steps.count()
    events = referral_events(referral).count()
    next_on = timezone.localdate() + datetime.timedelta(days=14)

    entry = referral.add_follow_up(
        by=coordinator,
        done_on=timezone.localdate(),
        method=FollowUp.Method.PHONE,
        spoke_with=FollowUp.Party.PARTNER,
        note="2回目の面談が済んだ",
        next_on=next_on,
    )

    stored = fresh(referral)
    assert stored.status == S.FOLLOWING_UP
    assert stored.follow_up_on == next_on
    assert referral.steps.count() == steps
    assert referral.follow_ups.count() == 2
    assert (entry.spoke_with, entry.note, entry.next_on) == (
        "partner",
        "2回目の面談が済んだ",
        next_on,
    )
    assert referral_events(referral).count() == events + 1
    assert referral_events(referral).last().new_value == "Follow-up"


def test_the_first_follow_up_moves_a_referred_referral_on(referral, coordinator):
    referral_in(S.REFERRED, referral)
    next_on = timezone.localdate() + datetime.timedelta(days=10)
    referral.add_follow_up(
        by=coordinator,
        done_on=timezone.localdate(),
        method=FollowUp.Method.VISIT,
        spoke_with=FollowUp.Party.CLIENT,
        note="初回面談に行けたとのこと",
        next_on=next_on,
    )
    stored = fresh(referral)
    assert (stored.status, stored.follow_up_on) == (S.FOLLOWING_UP, next_on)
    assert referral.follow_ups.get().method == FollowUp.Method.VISIT


def test_each_step_stamps_its_time(referral, coordinator):
    assert (referral.asked_at, referral.answered_at, referral.referred_at) == (None, None, None)
    referral_in(S.REFERRED, referral)
    stored = fresh(referral)
    assert stored.asked_at <= stored.answered_at <= stored.referred_at
    assert stored.closed_at is None
    referral.complete(outcome=Referral.Outcome.RESOLVED, by=coordinator)
    stored = fresh(referral)
    assert stored.closed_at >= stored.referred_at
    assert not stored.is_open


@pytest.mark.parametrize("reason", Referral.DeclineReason.values)
def test_a_partner_declines_with_each_reason(referral, reason):
    referral_in(S.ASKED, referral)
    referral.decline(reason=reason, channel=Channel.PHONE, comment="今月は予約がいっぱい")
    stored = fresh(referral)
    assert (stored.status, stored.decline_reason) == (S.DECLINED, reason)
    assert stored.answered_at == stored.closed_at is not None
    step = referral.steps.last()
    assert step.reason == reason
    assert step.reason_label == Referral.DeclineReason(reason).label
    assert not stored.was_accepted


@pytest.mark.parametrize("reason", ["", "busy", None])
def test_declining_needs_a_valid_reason(referral, coordinator, reason):
    referral_in(S.ASKED, referral)
    before = snapshot(referral)
    with pytest.raises(ValidationError):
        referral.decline(reason=reason, by=coordinator, channel=Channel.PHONE)
    assert snapshot(referral) == before


@pytest.mark.parametrize("outcome", Referral.Outcome.values)
def test_a_referral_completes_with_each_outcome(referral, coordinator, outcome):
    referral_in(S.FOLLOWING_UP, referral)
    referral.complete(outcome=outcome, by=coordinator)
    stored = fresh(referral)
    assert (stored.status, stored.outcome) == (S.COMPLETED, outcome)
    step = referral.steps.last()
    assert step.reason == outcome
    assert step.reason_label == Referral.Outcome(outcome).label
    assert stored.was_accepted


@pytest.mark.parametrize("outcome", ["", "fine", None])
def test_completing_needs_a_valid_outcome(referral, coordinator, outcome):
    referral_in(S.REFERRED, referral)
    before = snapshot(referral)
    with pytest.raises(ValidationError):
        referral.complete(outcome=outcome, by=coordinator)
    assert snapshot(referral) == before


def test_the_reason_label_is_empty_for_other_steps(referral):
    referral_in(S.ACCEPTED, referral)
    assert [step.reason_label for step in referral.steps.all()] == ["", ""]


# ── What the database itself refuses ───────────────────────────────────────────────


def test_a_declined_referral_has_a_reason_in_the_database(referral):
    referral_in(S.ASKED, referral)
    rows = Referral.objects.filter(pk=referral.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(status=S.DECLINED, decline_reason="")
    rows.update(status=S.DECLINED, decline_reason=Referral.DeclineReason.OTHER)
    assert fresh(referral).status == S.DECLINED


def test_a_completed_referral_has_an_outcome_in_the_database(referral):
    rows = Referral.objects.filter(pk=referral.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(status=S.COMPLETED, outcome="")
    rows.update(status=S.COMPLETED, outcome=Referral.Outcome.NO_CONTACT)
    assert fresh(referral).outcome == Referral.Outcome.NO_CONTACT


def test_a_referral_without_consent_is_anonymous_in_the_database(referral, anonymous_referral):
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=anonymous_referral.pk).update(is_anonymous=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(consent=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(
            center=referral.center,
            case=referral.case,
            service=referral.service,
            organisation=referral.organisation,
            need="相談したい",
            is_anonymous=False,
            consent=None,
            coordinator=referral.coordinator,
            created_by=referral.coordinator,
        )
    # A consented referral may still be sent as an anonymous enquiry.
    Referral.objects.filter(pk=referral.pk).update(is_anonymous=True)


@pytest.mark.parametrize(
    "values",
    [{"status": S.DECLINED}, {"status": S.COMPLETED}],
    ids=["declined without reason", "completed without outcome"],
)
def test_the_database_refuses_a_closed_referral_created_without_its_reason(referral, values):
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(
            center=referral.center,
            case=referral.case,
            service=referral.service,
            organisation=referral.organisation,
            need="相談したい",
            is_anonymous=True,
            coordinator=referral.coordinator,
            created_by=referral.coordinator,
            **values,
        )


def test_clean_wants_consent_or_an_anonymous_enquiry(referral, anonymous_referral):
    referral.full_clean()
    anonymous_referral.full_clean()
    anonymous_referral.is_anonymous = False
    with pytest.raises(ValidationError):
        anonymous_referral.full_clean()


def test_clean_wants_a_contact_of_the_same_partner(referral):
    referral.contact = ContactFactory()
    with pytest.raises(ValidationError) as error:
        referral.full_clean()
    assert "contact" in error.value.message_dict


# ── The case follows ────────────────────────────────────────────────────────────────


def case_status(referral):
    return Case.objects.get(pk=referral.case_id).status


def status_events(referral):
    return CaseEvent.objects.filter(case=referral.case_id, kind=CaseEvent.Kind.STATUS)


def test_asking_the_partner_moves_a_received_case_to_referring(referral, coordinator):
    assert case_status(referral) == Case.Status.RECEIVED
    referral.ask(by=coordinator, channel=Channel.PHONE)
    assert case_status(referral) == Case.Status.REFERRING
    event = status_events(referral).get()
    assert (event.old_value, event.new_value, event.by) == (
        Case.Status.RECEIVED,
        Case.Status.REFERRING,
        coordinator,
    )


@pytest.mark.parametrize("start", [Case.Status.IN_PROGRESS, Case.Status.FOLLOW_UP])
def test_asking_the_partner_moves_an_open_case_to_referring(referral, coordinator, start):
    if start == Case.Status.FOLLOW_UP:
        referral.case.change_status(Case.Status.IN_PROGRESS, by=coordinator)
    referral.case.change_status(start, by=coordinator)
    referral = fresh(referral)
    referral.ask(by=coordinator, channel=Channel.PHONE)
    assert case_status(referral) == Case.Status.REFERRING


def test_a_case_already_referring_gets_no_second_status_change(referral, coordinator):
    referral.ask(by=coordinator, channel=Channel.PHONE)
    second = ReferralFactory(case=referral.case, service=referral.service, coordinator=coordinator)
    second.ask(by=coordinator, channel=Channel.PHONE)
    assert status_events(referral).count() == 1


def test_referring_the_client_moves_the_case_to_follow_up(referral, coordinator):
    referral_in(S.REFERRED, referral)
    assert case_status(referral) == Case.Status.FOLLOW_UP
    assert list(status_events(referral).values_list("new_value", flat=True)) == [
        Case.Status.REFERRING,
        Case.Status.FOLLOW_UP,
    ]


@pytest.mark.parametrize("status", [S.ACCEPTED, S.DECLINED, S.CANCELLED])
def test_answers_and_cancelling_leave_the_case_status(referral, coordinator, status):
    referral_in(S.ASKED, referral)
    before = status_events(referral).count()
    move(referral, status, by=coordinator)
    assert case_status(referral) == Case.Status.REFERRING
    assert status_events(referral).count() == before


@pytest.mark.parametrize("status", [S.ASKED, S.REFERRED, S.FOLLOWING_UP, S.COMPLETED])
def test_a_closed_case_is_not_reopened_by_a_referral_step(referral, coordinator, status):
    referral.case.close(reason=Case.ClosedReason.REFERRED, by=coordinator)
    referral = fresh(referral)
    referral_in(status, referral)
    assert fresh(referral).status == status
    assert case_status(referral) == Case.Status.CLOSED
    assert list(status_events(referral).values_list("new_value", flat=True)) == [Case.Status.CLOSED]


# ── Two people at once ──────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("start", "first", "second"),
    [
        (S.DRAFT, S.ASKED, S.ASKED),
        (S.DRAFT, S.ASKED, S.CANCELLED),
        (S.ASKED, S.ACCEPTED, S.DECLINED),
        (S.ASKED, S.DECLINED, S.ACCEPTED),
        (S.ASKED, S.CANCELLED, S.ACCEPTED),
        (S.ACCEPTED, S.REFERRED, S.REFERRED),
        (S.REFERRED, S.COMPLETED, S.FOLLOWING_UP),
        (S.FOLLOWING_UP, S.CANCELLED, S.COMPLETED),
    ],
)
def test_a_stale_copy_cannot_move_and_changes_nothing(referral, coordinator, start, first, second):
    referral_in(start, referral)
    stale = fresh(referral)
    move(referral, first, by=coordinator)
    before = snapshot(referral)

    with pytest.raises(ValidationError, match="changed meanwhile"):
        move(stale, second, by=coordinator)

    assert snapshot(referral) == before


def test_a_stale_copy_cannot_add_a_follow_up_after_completion(referral, coordinator):
    referral_in(S.FOLLOWING_UP, referral)
    stale = fresh(referral)
    referral.complete(outcome=Referral.Outcome.RESOLVED, by=coordinator)
    before = snapshot(referral)

    with pytest.raises(ValidationError):
        move(stale, S.FOLLOWING_UP, by=coordinator)

    assert snapshot(referral) == before


def test_cancelling_revokes_the_referrals_links(referral, coordinator):
    referral_in(S.ASKED, referral)
    link, token = PartnerLink.issue(referral, to="kitamura@example.jp", by=coordinator)
    other, other_token = PartnerLink.issue(
        ReferralFactory(), to="soudan@example.jp", by=coordinator
    )
    assert PartnerLink.from_token(token) == link

    referral.cancel(by=coordinator, comment="本人が取り下げ")

    link.refresh_from_db()
    assert link.revoked_at == fresh(referral).closed_at
    assert PartnerLink.from_token(token) is None
    assert PartnerLink.from_token(other_token) == other


# ── Reads ───────────────────────────────────────────────────────────────────────────


def test_the_lists_of_the_desk(referral, coordinator):
    today = timezone.localdate()
    by_status = {status: referral_in(status, case=referral.case) for status in S}
    due = by_status[S.REFERRED]
    Referral.objects.filter(pk=due.pk).update(follow_up_on=today)
    overdue = by_status[S.FOLLOWING_UP]
    Referral.objects.filter(pk=overdue.pk).update(follow_up_on=today - datetime.timedelta(days=1))

    everything = Referral.objects.exclude(pk=referral.pk)
    assert set(everything.open()) == {by_status[s] for s in Referral.OPEN_STATUSES}
    sections = desk_sections(today)
    assert list(everything.filter(sections["waiting"][0])) == [by_status[S.ASKED]]
    assert list(everything.filter(sections["accepted"][0])) == [by_status[S.ACCEPTED]]
    assert set(everything.following_up()) == {due, overdue}
    assert list(everything.follow_up_due_on(today)) == [due]
    assert list(everything.follow_up_overdue_on(today)) == [overdue]
    assert fresh(overdue).is_overdue(today)
    assert not fresh(due).is_overdue(today)
    assert not by_status[S.DRAFT].is_overdue()


def test_staff_see_their_centres_referrals_and_restricted_ones_only_if_allowed(
    referral, coordinator, counter_staff, coordinator_elsewhere, restricted_case
):
    hidden = ReferralFactory(case=restricted_case, coordinator=coordinator)
    assert set(Referral.objects.visible_to(coordinator)) == {referral, hidden}
    assert set(Referral.objects.visible_to(counter_staff)) == {referral}
    assert not Referral.objects.visible_to(coordinator_elsewhere).exists()
    Case.objects.filter(pk=restricted_case.pk).update(assigned_to=counter_staff)
    assert set(Referral.objects.visible_to(counter_staff)) == {referral, hidden}


# ── Follow-up dates ─────────────────────────────────────────────────────────────────

FRIDAY = datetime.date(2026, 11, 20)  # and Monday 23 Nov is 勤労感謝の日


@pytest.fixture
def today_is(monkeypatch):
    """Fix the day `timezone.localdate()` gives the referral's verbs."""
    real = timezone.localdate

    def set_today(day):
        monkeypatch.setattr(
            "referrals.models.timezone.localdate",
            lambda value=None, timezone=None: day if value is None else real(value, timezone),
        )

    return set_today


def test_the_first_follow_up_is_five_business_days_after_referral(referral, coordinator, today_is):
    referral_in(S.ACCEPTED, referral)
    today_is(FRIDAY)
    referral.mark_referred(by=coordinator)
    assert fresh(referral).follow_up_on == datetime.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (None, datetime.date(2026, 11, 30)),
        (1, datetime.date(2026, 11, 24)),
        (10, datetime.date(2026, 12, 7)),
        (26, datetime.date(2027, 1, 4)),  # the year-end break is skipped too
    ],
)
def test_a_service_may_set_its_own_follow_up_days(referral, coordinator, today_is, days, expected):
    type(referral.service).objects.filter(pk=referral.service_id).update(follow_up_days=days)
    referral = fresh(referral)
    referral_in(S.ACCEPTED, referral)
    today_is(FRIDAY)
    referral.mark_referred(by=coordinator)
    assert fresh(referral).follow_up_on == expected == add_business_days(FRIDAY, days or 5)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2026, 4, 28), datetime.date(2026, 5, 11)),  # Golden Week
        (datetime.date(2026, 12, 24), datetime.date(2027, 1, 6)),  # year-end
        (datetime.date(2026, 11, 21), datetime.date(2026, 11, 30)),  # a Saturday
    ],
)
def test_referred_on_other_days(referral, coordinator, today_is, today, expected):
    referral_in(S.ACCEPTED, referral)
    today_is(today)
    referral.mark_referred(by=coordinator)
    assert fresh(referral).follow_up_on == expected


def test_the_appointment_is_kept(referral, coordinator):
    referral_in(S.ACCEPTED, referral)
    at = timezone.now() + datetime.timedelta(days=4)
    referral.mark_referred(by=coordinator, appointment_at=at, place="2階 相談室", with_whom="北村")
    stored = fresh(referral)
    assert (stored.appointment_at, stored.appointment_place, stored.appointment_with) == (
        at,
        "2階 相談室",
        "北村",
    )


@pytest.mark.parametrize("status", [S.COMPLETED, S.CANCELLED])
def test_closing_clears_the_follow_up_date(referral, coordinator, status):
    referral_in(S.FOLLOWING_UP, referral)
    assert fresh(referral).follow_up_on is not None
    move(referral, status, by=coordinator)
    assert fresh(referral).follow_up_on is None


# ── Consent ─────────────────────────────────────────────────────────────────────────


@pytest.fixture
def city_office(db):
    return OrganisationFactory(name="金沢市役所 福祉政策課", kind=Organisation.Kind.GOVERNMENT)


@pytest.fixture
def npo(db):
    return OrganisationFactory(name="NPO法人 フードバンクいしかわ", kind=Organisation.Kind.NPO)


def test_row_40_a_consent_covers_its_organisation_only(consent, labour_office, city_office, npo):
    consents = Consent.objects.all()
    assert list(consents.covering(labour_office)) == [consent]
    assert not consents.covering(city_office).exists()
    assert not consents.covering(npo).exists()


def test_a_consent_for_a_kind_covers_every_partner_of_that_kind(
    client_record, coordinator, labour_office, city_office, npo
):
    consent = ConsentFactory(
        client=client_record, kind=Organisation.Kind.GOVERNMENT, recorded_by=coordinator
    )
    consents = Consent.objects.all()
    assert list(consents.covering(labour_office)) == [consent]
    assert list(consents.covering(city_office)) == [consent]
    assert not consents.covering(npo).exists()
    assert consent.scope == "every partner of the kind Government office"


def test_row_40_a_withdrawn_consent_covers_nothing(consent, coordinator, labour_office):
    assert consent.is_in_force
    consent.withdraw(by=coordinator, note="家族に知られたくないので取り消したい")
    consent.refresh_from_db()
    assert not consent.is_in_force
    assert (consent.withdrawn_by, consent.withdrawal_note) == (
        coordinator,
        "家族に知られたくないので取り消したい",
    )
    assert consent.withdrawn_at is not None
    assert not Consent.objects.covering(labour_office).exists()
    assert not Consent.objects.in_force().exists()


def test_a_consent_is_withdrawn_once(consent, coordinator, manager):
    consent.withdraw(by=coordinator)
    withdrawn_at = consent.withdrawn_at
    with pytest.raises(ValidationError):
        consent.withdraw(by=manager)
    consent.refresh_from_db()
    assert (consent.withdrawn_at, consent.withdrawn_by) == (withdrawn_at, coordinator)


def test_clean_refuses_a_consent_without_scope(client_record, coordinator):
    consent = Consent(client=client_record, method=Consent.Method.ORAL, recorded_by=coordinator)
    with pytest.raises(ValidationError):
        consent.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        consent.save()


def test_clean_refuses_a_kind_that_is_not_the_partners(consent, labour_office):
    consent.kind = Organisation.Kind.NPO
    with pytest.raises(ValidationError) as error:
        consent.full_clean()
    assert "kind" in error.value.message_dict
    consent.kind = Organisation.Kind.GOVERNMENT
    consent.full_clean()


def test_clean_refuses_a_date_in_the_future(consent):
    consent.given_on = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        consent.full_clean()
    assert "given_on" in error.value.message_dict
    consent.given_on = timezone.localdate()
    consent.full_clean()


def test_items_and_basis(consent, coordinator):
    assert [str(item) for item in consent.items()] == [
        "name and reading",
        "phone and e-mail",
        "age",
        "work and employment",
    ]
    consent.method = Consent.Method.WRITTEN
    basis = str(consent.basis())
    assert "In writing" in basis
    assert consent.given_on.isoformat() in basis
    assert str(coordinator) in basis


# ── What the partner may see ────────────────────────────────────────────────────────


def item_values(client):
    """What each consent item lets the partner see of `client`, in the order shown (the
    labels beside them are the page's wording, not tested here)."""
    return {
        "shares_name": ["山田 花子", "ヤマダ ハナコ"],
        "shares_contact": ["090-1234-5678、076-231-7700", "平日18時以降", "hanako@example.jp"],
        "shares_address": [
            f"〒920-0853 {client.prefecture} {client.municipality} 本町2-15-1 ポルテ金沢6階"
        ],
        "shares_age": [f"{client.age_on(timezone.localdate())} years"],
        "shares_work": [
            str(ET.REGULAR.label),
            str(EmploymentStatus.EMPLOYED.label),
            client.get_industry_display(),
            client.get_company_size_display(),
        ],
        "shares_sensitive": [],  # 要配慮 details are never among the identifying ones
    }


SUBSETS = list(itertools.product([False, True], repeat=len(Consent.ITEM_FIELDS)))


@pytest.fixture
def full_client(client_record):
    """山田花子 with every detail filled in."""
    client = client_record
    client.phone_home = "0762317700"
    client.contact_hours = "平日18時以降"
    client.email = "hanako@example.jp"
    client.postcode = "920-0853"
    client.prefecture = Prefecture.objects.get(code="17")
    client.municipality = municipality("17201")
    client.town = "本町2-15-1"
    client.building = "ポルテ金沢6階"
    client.birth_date = datetime.date(1985, 4, 1)
    client.employment_type = ET.REGULAR
    client.employment_status = EmploymentStatus.EMPLOYED
    client.industry = "E"
    client.company_size = "30-99"
    client.save()
    return client


def share(referral, **items):
    Consent.objects.filter(pk=referral.consent_id).update(**items)
    return fresh(referral)


@pytest.mark.parametrize(
    "flags",
    SUBSETS,
    ids=["+".join(f[7:] for f, on in zip(Consent.ITEM_FIELDS, s, strict=True) if on) or "none"
         for s in SUBSETS],
)  # fmt: skip
def test_the_partner_sees_exactly_the_items_consented_to(full_client, referral, flags):
    referral = share(referral, **dict(zip(Consent.ITEM_FIELDS, flags, strict=True)))
    details = referral.shared_details()
    shown = item_values(full_client)
    expected = [
        value
        for field, on in zip(Consent.ITEM_FIELDS, flags, strict=True)
        if on
        for value in shown[field]
    ]
    assert [str(value) for _label, value in details] == expected
    labels = [str(label) for label, _value in details]
    assert all(labels)
    assert len(set(labels)) == len(labels)


def test_details_the_client_never_gave_are_left_out(referral):
    # 山田花子 gave her name and mobile only: no e-mail, hours, address or age.
    values = [str(value) for _label, value in referral.shared_details()]
    assert values[:3] == ["山田 花子", "ヤマダ ハナコ", "090-1234-5678"]
    assert all(values)


def test_work_the_client_never_spoke_of_is_left_out(referral):
    values = [str(value) for _label, value in referral.shared_details()]
    assert values == ["山田 花子", "ヤマダ ハナコ", "090-1234-5678"]


def test_an_anonymous_enquiry_shares_nothing(full_client, anonymous_referral, consent):
    assert anonymous_referral.shared_details() == []
    # Even with a consent on the row, an enquiry sent as anonymous shows nothing.
    Referral.objects.filter(pk=anonymous_referral.pk).update(consent=consent)
    assert fresh(anonymous_referral).shared_details() == []


def test_a_withdrawn_consent_shares_nothing(full_client, referral, coordinator):
    assert referral.shared_details()
    referral.consent.withdraw(by=coordinator)
    assert referral.shared_details() == []
    assert fresh(referral).shared_details() == []


# ── The hand-off sheet ──────────────────────────────────────────────────────────────


def days_ago(days, hour=10):
    day = timezone.localdate() - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def long_case(center, counter_staff, client_record):
    """Seven contacts over a month, the newest last; one without an action."""
    case = CaseFactory(center=center, client=client_record, created_by=counter_staff)
    for number, ago in enumerate([30, 25, 20, 15, 10, 5, 1], start=1):
        ConsultationFactory(
            case=case,
            received_at=days_ago(ago),
            summary=f"{number}回目の相談。",
            action_taken="" if number == 5 else f"{number}回目の助言。",
        )
    return case


def test_the_draft_carries_the_need_and_the_last_five_contacts(
    long_case, labour_service, consent, coordinator
):
    referral = ReferralFactory(
        case=long_case, service=labour_service, consent=consent, need="未払い残業代の申告"
    )
    sheet = referral.sheet
    assert sheet.need == "未払い残業代の申告"
    assert sheet.history.splitlines() == [
        f"{timezone.localdate(days_ago(ago)):%Y/%m/%d} {number}回目の相談。"
        for number, ago in [(3, 20), (4, 15), (5, 10), (6, 5), (7, 1)]
    ]
    assert sheet.already_tried.splitlines() == [
        "3回目の助言。",
        "4回目の助言。",
        "6回目の助言。",
        "7回目の助言。",
    ]
    assert sheet.client_wishes == ""
    assert sheet.updated_by == referral.created_by
    assert not sheet.is_approved


def test_the_draft_carries_the_safe_contact_flags(case, labour_service, consent, client_record):
    client_record.no_calls_home = True
    client_record.no_voicemail = True
    client_record.contact_hours = "平日18時以降"
    client_record.contact_note = "家族に知られたくない"
    client_record.save()
    referral = ReferralFactory(case=case, service=labour_service, consent=consent)
    assert referral.sheet.contact_notes.splitlines() == [
        "do not call the home phone",
        "do not leave voicemail",
        "平日18時以降",
        "家族に知られたくない",
    ]


def test_a_case_without_a_client_drafts_without_contact_notes(center, counter_staff):
    case = CaseFactory(center=center, client=None, created_by=counter_staff)
    ConsultationFactory(case=case, summary="匿名の電話相談。")
    referral = ReferralFactory(case=case)
    assert referral.sheet.contact_notes == ""
    assert "匿名の電話相談。" in referral.sheet.history
    assert referral.sheet.identifiers() == ([], [])


MENTIONS = (
    "山田花子さん（ヤマダ ハナコ）から電話。携帯 090-1234-5678、自宅 076-231-7700、"
    "メール hanako@example.jp。山田さんの夫の勤め先の件も。"
)


@pytest.fixture
def talkative_case(center, counter_staff, client_record):
    """Summaries that name 山田花子 and give her numbers however staff typed them."""
    client_record.phone_home = "0762317700"
    client_record.email = "hanako@example.jp"
    client_record.contact_note = "山田の実家（090 1234 5678）には連絡しない"
    client_record.save()
    case = CaseFactory(center=center, client=client_record, created_by=counter_staff)
    ConsultationFactory(
        case=case, received_at=days_ago(3), summary=MENTIONS, action_taken="09012345678に折り返す"
    )
    ConsultationFactory(
        case=case,
        received_at=days_ago(1),
        summary="ハナコさん本人から。076 231 7700は日中不在。",
        action_taken="花子さんに労基署の場所を伝えた（0762317700）。",
    )
    return case


def sheet_text(sheet):
    return "\n".join(getattr(sheet, field) for field in HandoffSheet.TEXT_FIELDS)


def digits(text):
    return "".join(ch for ch in text if ch.isdigit())


def test_an_anonymous_draft_names_nobody(talkative_case, labour_service, client_record):
    referral = ReferralFactory(case=talkative_case, service=labour_service)
    sheet = HandoffSheet.objects.get(referral=referral)
    text = sheet_text(sheet)
    for word in ["山田", "花子", "ヤマダ", "ハナコ", "hanako@example.jp", "hanako"]:
        assert word not in text
    for field in HandoffSheet.TEXT_FIELDS:
        for phone in ["09012345678", "0762317700"]:
            assert phone not in digits(getattr(sheet, field))
    assert not sheet.mentions_identifiers()
    # What is left still tells the story.
    assert "勤め先の件" in sheet.history
    assert "労基署の場所を伝えた" in sheet.already_tried


def test_a_named_draft_keeps_the_names(talkative_case, labour_service, consent):
    referral = ReferralFactory(case=talkative_case, service=labour_service, consent=consent)
    assert "山田花子さん" in referral.sheet.history
    assert referral.sheet.mentions_identifiers()


@pytest.mark.parametrize(
    "mention",
    [
        pytest.param("山田花子さん", id="kanji"),
        pytest.param("ヤマダ ハナコさん", id="katakana"),
        pytest.param("090-1234-5678", id="dashes"),
        pytest.param("090 1234 5678", id="spaces"),
        pytest.param("090ー1234ー5678", id="long vowel marks"),
        pytest.param("やまださん", id="hiragana"),
        pytest.param("ﾔﾏﾀﾞさん", id="half-width kana"),
        pytest.param("０９０－１２３４－５６７８", id="full-width digits"),
        pytest.param("(090)1234-5678", id="brackets"),
        pytest.param("090.1234.5678", id="dots"),
    ],
)
def test_an_anonymous_draft_names_nobody_however_it_was_typed(
    case, labour_service, client_record, mention
):
    ConsultationFactory(case=case, received_at=days_ago(1), summary=f"{mention}から電話。")
    referral = ReferralFactory(case=case, service=labour_service)
    assert not referral.sheet.mentions_identifiers()


@pytest.mark.parametrize(
    "text",
    [
        "山田さんから",
        "ヤマダさんから",
        "やまださんから",
        "ﾔﾏﾀﾞさんから",
        "はなこさん",
        "ＨＡＮＡＫＯ＠ＥＸＡＭＰＬＥ．ＪＰ",
        "090-1234-5678",
        "０９０ １２３４ ５６７８",
        "(090)1234-5678",
        "09012345678",
    ],
)
def test_mentions_of_the_client_are_found_however_typed(referral, client_record, text):
    client_record.email = "hanako@example.jp"
    client_record.save()
    sheet = HandoffSheet.objects.get(referral=referral)
    sheet.client_wishes = text
    assert sheet.mentions_identifiers()


def test_a_sheet_about_the_matter_alone_mentions_nobody(referral):
    sheet = HandoffSheet.objects.get(referral=referral)
    for field in HandoffSheet.TEXT_FIELDS:
        setattr(sheet, field, "")
    sheet.need = "残業代の未払いについて申告の仕方を知りたい。月60時間、2024年4月から。"
    assert not sheet.mentions_identifiers()


def test_approving_the_sheet(referral, coordinator):
    sheet = referral.sheet
    assert not sheet.is_approved
    sheet.approve(by=coordinator)
    sheet = HandoffSheet.objects.get(pk=sheet.pk)
    assert sheet.is_approved
    assert sheet.approved_by == coordinator
    assert timezone.now() - sheet.approved_at < datetime.timedelta(minutes=1)


# ── The record of provision ─────────────────────────────────────────────────────────


@pytest.fixture
def record(referral, coordinator, client_record):
    client_record.birth_date = datetime.date(1985, 4, 1)
    client_record.save()
    referral_in(S.ASKED, referral)
    return ProvisionRecord.write(fresh(referral), by=coordinator, channel=Channel.PHONE)


def test_the_record_says_who_got_what_about_whom_and_on_what_consent(
    record, referral, coordinator, client_record, consent
):
    record = ProvisionRecord.objects.get(pk=record.pk)
    for field in ProvisionRecord._meta.concrete_fields:
        assert getattr(record, field.attname) not in ("", None), field.name
    assert (record.center, record.client, record.referral) == (
        referral.center,
        client_record,
        referral,
    )
    assert record.recipient == f"金沢労働基準監督署 総合労働相談コーナー（{referral.contact}）"
    assert "北村 正" in record.recipient
    assert record.client_identification == "山田 花子（ヤマダ ハナコ） 1985/04/01生"
    assert (record.channel, record.provided_by) == (Channel.PHONE, coordinator)
    assert record.keep_until == timezone.localdate() + relativedelta(years=3)
    assert timezone.now() - record.provided_at < datetime.timedelta(minutes=1)


def test_the_record_lists_the_consented_items_and_the_basis(referral, coordinator, consent):
    Consent.objects.filter(pk=consent.pk).update(
        shares_address=True, shares_work=False, method=Consent.Method.WRITTEN
    )
    record = ProvisionRecord.write(fresh(referral), by=coordinator, channel=Channel.LINK)
    assert record.items == (
        "Consultation summary、name and reading、phone and e-mail、address、age"
    )
    assert record.consent_basis == (
        f"Consent of the client (In writing, {consent.given_on.isoformat()}, "
        f"recorded by {consent.recorded_by})"
    )


def test_a_record_never_changes(record):
    record.recipient = "書き換え"
    with pytest.raises(ValidationError):
        record.save()
    assert ProvisionRecord.objects.get(pk=record.pk).recipient.startswith("金沢労働基準監督署")


def test_a_record_is_kept_until_its_date(record):
    with pytest.raises(ValidationError):
        record.delete()
    ProvisionRecord.objects.filter(pk=record.pk).update(keep_until=timezone.localdate())
    with pytest.raises(ValidationError):
        ProvisionRecord.objects.get(pk=record.pk).delete()
    assert ProvisionRecord.objects.filter(pk=record.pk).exists()

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    ProvisionRecord.objects.filter(pk=record.pk).update(keep_until=yesterday)
    assert list(ProvisionRecord.objects.expired()) == [record]
    ProvisionRecord.objects.get(pk=record.pk).delete()
    assert not ProvisionRecord.objects.filter(pk=record.pk).exists()


def test_a_record_outlives_the_referral_and_the_client(record, referral, client_record):
    referral.delete()
    record.refresh_from_db()
    assert record.referral is None
    # A client can go only once their cases and consultations have gone (PROTECT).
    Consultation.objects.filter(client=client_record).delete()
    Case.objects.filter(client=client_record).delete()
    client_record.delete()

    record.refresh_from_db()
    assert record.client is None
    assert record.client_identification == "山田 花子（ヤマダ ハナコ） 1985/04/01生"
    assert record.recipient.startswith("金沢労働基準監督署")


def test_records_are_seen_at_their_own_centre(record, coordinator, coordinator_elsewhere):
    assert list(ProvisionRecord.objects.visible_to(coordinator)) == [record]
    assert not ProvisionRecord.objects.visible_to(coordinator_elsewhere).exists()


# ── The partner's link ──────────────────────────────────────────────────────────────


@pytest.fixture
def issued(referral, coordinator):
    referral_in(S.ASKED, referral)
    return PartnerLink.issue(referral, to="kitamura@example.jp", by=coordinator)


def nonce_of(token):
    return signing.loads(token, salt=LINK_SALT)["nonce"]


def test_the_token_finds_its_link(issued, referral, coordinator):
    link, token = issued
    found = PartnerLink.from_token(token)
    assert found == link
    assert found.referral == referral
    assert (found.sent_to, found.sent_by) == ("kitamura@example.jp", coordinator)
    assert found.is_usable
    assert found.expires_at - found.sent_at == datetime.timedelta(days=30)


def test_any_changed_character_breaks_the_token(issued):
    _link, token = issued
    for position, char in enumerate(token):
        changed = token[:position] + ("B" if char == "A" else "A") + token[position + 1 :]
        assert PartnerLink.from_token(changed) is None, position
    assert PartnerLink.from_token(token[:-1]) is None
    assert PartnerLink.from_token(token + "A") is None


@pytest.mark.parametrize(
    "token",
    ["", "x", "abc:def:ghi", "../../admin", "A" * 120, "eyJsaW5rIjoxfQ:1tYx:abc", "\x00"],
)
def test_a_made_up_token_finds_nothing(issued, token):
    assert PartnerLink.from_token(token) is None


def test_a_token_signed_with_another_salt_finds_nothing(issued):
    link, token = issued
    payload = {"link": link.pk, "nonce": nonce_of(token)}
    assert PartnerLink.from_token(signing.dumps(payload, salt="another")) is None
    assert PartnerLink.from_token(signing.dumps(payload)) is None
    assert PartnerLink.from_token(signing.dumps(payload, salt=LINK_SALT)) == link


@pytest.mark.parametrize(
    "payload",
    [
        {"link": "{pk}", "nonce": "guessed"},
        {"link": "{other}", "nonce": "{nonce}"},
        {"link": "one", "nonce": "{nonce}"},
        {"nonce": "{nonce}"},
        {"link": "{pk}"},
        ["{pk}", "{nonce}"],
        "{pk}",
    ],
)
def test_a_signed_token_needs_the_right_link_and_nonce(issued, coordinator, payload):
    link, token = issued
    other, _other_token = PartnerLink.issue(ReferralFactory(), to="a@example.jp", by=coordinator)
    values = {"pk": link.pk, "other": other.pk, "nonce": nonce_of(token)}

    def fill(item):
        if isinstance(item, dict):
            return {key: fill(value) for key, value in item.items()}
        if isinstance(item, list):
            return [fill(value) for value in item]
        return item.format(**values)

    forged = signing.dumps(fill(payload), salt=LINK_SALT, compress=True)
    assert PartnerLink.from_token(forged) is None


def test_an_expired_link_finds_nothing(issued):
    link, token = issued
    PartnerLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert PartnerLink.from_token(token) is None


def test_a_token_older_than_the_link_validity_finds_nothing(referral, coordinator, monkeypatch):
    """Even if the row's expiry were moved on, the signature's own age limit holds."""
    import time

    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - 31 * 24 * 3600)
    link, token = PartnerLink.issue(referral, to="kitamura@example.jp", by=coordinator)
    monkeypatch.undo()
    assert link.is_usable
    assert PartnerLink.from_token(token) is None


def test_a_new_link_revokes_the_earlier_one(issued, referral, coordinator):
    first, first_token = issued
    second, second_token = PartnerLink.issue(referral, to="kitamura@example.jp", by=coordinator)
    assert PartnerLink.from_token(first_token) is None
    assert PartnerLink.from_token(second_token) == second
    first.refresh_from_db()
    assert first.revoked_at == second.sent_at
    assert not first.is_usable


def test_only_the_nonces_hash_is_stored(issued):
    link, token = issued
    nonce = nonce_of(token)
    assert len(nonce) >= 43  # 32 random bytes
    row = PartnerLink.objects.filter(pk=link.pk).values().get()
    stored = " ".join(str(value) for value in row.values())
    assert nonce not in stored
    assert token not in stored
    assert row["nonce_hash"] == hashlib.sha256(nonce.encode()).hexdigest()


def test_using_a_link_is_stamped(issued):
    link, _token = issued
    assert link.last_used_at is None
    link.mark_used()
    assert PartnerLink.objects.get(pk=link.pk).last_used_at == link.last_used_at is not None


def test_two_links_never_share_a_token(referral, coordinator):
    referral_in(S.ASKED, referral)
    tokens = {PartnerLink.issue(referral, to="k@example.jp", by=coordinator)[1] for _ in range(5)}
    assert len(tokens) == 5
    assert PartnerLink.objects.filter(referral=referral, revoked_at=None).count() == 1

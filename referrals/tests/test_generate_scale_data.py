"""generate_scale_data: the counts scale, the rows keep the models' invariants, and a
seed gives the same data by COPY and by bulk_create."""

import io
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone

from accounts.models import Center
from accounts.search import search_key
from consultations.models import (
    Case,
    CaseEvent,
    CaseNumberSequence,
    Client,
    Consent,
    Consultation,
    ConsultationTopic,
)
from consultations.tests.factories import ClientFactory
from members.models import Fee, Member, MemberNumberCounter, Payment
from network.models import Contact, Organisation, Service
from referrals.models import FollowUp, HandoffSheet, ProvisionRecord, Referral, ReferralStep
from referrals.scale import Scale

S = Referral.Status
N = 300


def generate(**options):
    out = io.StringIO()
    call_command("generate_scale_data", consultations=N, seed="test", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def generated(db):
    return generate()


def test_counts_at_a_million():
    scale = Scale(consultations=1_000_000)
    assert (scale.clients, scale.cases, scale.referrals) == (200_000, 300_000, 100_000)
    assert (scale.organisations, scale.members, scale.centres) == (10_000, 100_000, 10)


def test_counts_scale_with_the_consultations(generated):
    assert Consultation.objects.count() == N
    assert Case.objects.count() == 90
    assert Client.objects.count() == 60
    assert Referral.objects.count() == 30
    assert Organisation.objects.count() == 3
    assert Member.objects.count() == 30
    assert Center.objects.filter(code__startswith="LS").count() == 10
    assert Service.objects.count() >= 3
    assert Fee.objects.exists()
    assert Payment.objects.exists()
    assert ReferralStep.objects.exists()
    assert FollowUp.objects.exists()
    assert HandoffSheet.objects.count() == 30


def test_output_says_what_was_made_and_how_long_it_took(generated):
    lines = generated.splitlines()
    assert len(lines) == 7
    assert "300" in lines[3]
    assert "90" in lines[3]
    assert "60" in lines[3]
    assert all(re.search(r"\d+\.\d", line) for line in lines)


def test_every_consultation_has_exactly_one_main_topic_and_one_to_three_topics(generated):
    per_consultation = Consultation.objects.annotate(
        main=Count("topic_links", filter=Q(topic_links__is_main=True)),
        marked=Count("topic_links"),
    )
    assert set(per_consultation.values_list("main", flat=True)) == {1}
    assert set(per_consultation.values_list("marked", flat=True)) <= {1, 2, 3}


def test_topic_links_carry_their_consultations_case(generated):
    assert ConsultationTopic.objects.count() > N
    assert not ConsultationTopic.objects.exclude(case=F("consultation__case")).exists()
    assert not ConsultationTopic.objects.exclude(center=F("consultation__center")).exists()
    assert not ConsultationTopic.objects.exclude(
        received_at=F("consultation__received_at")
    ).exists()


def test_consultations_belong_to_their_cases_centre_and_client(generated):
    assert not Consultation.objects.exclude(center=F("case__center")).exists()
    assert (
        not Consultation.objects.filter(case__client__isnull=False)
        .exclude(client=F("case__client"))
        .exists()
    )
    assert not Consultation.objects.filter(case__client__isnull=True, client__isnull=False).exists()
    assert not Client.objects.exclude(center=F("created_by__center")).exists()


def test_cases_are_numbered_per_centre_and_year_in_the_order_they_opened(generated):
    numbers = set()
    for case in Case.objects.select_related("center").order_by("opened_at", "pk"):
        year = timezone.localtime(case.opened_at).year
        assert case.number.startswith(f"{year}-")
        numbers.add((case.center_id, case.number))
    assert len(numbers) == Case.objects.count()
    for sequence in CaseNumberSequence.objects.all():
        cases = Case.objects.filter(center=sequence.center, number__startswith=f"{sequence.year}-")
        assert cases.count() == sequence.last_number
        by_opening = list(cases.order_by("opened_at", "pk").values_list("number", flat=True))
        assert by_opening == [f"{sequence.year}-{n:06d}" for n in range(1, cases.count() + 1)]


def test_cases_span_their_contacts_and_search_their_texts(generated):
    cases = Case.objects.annotate(
        first=Min("consultations__received_at"), last=Max("consultations__received_at")
    )
    for case in cases:
        assert case.opened_at == case.first
        assert case.last_contact_at == case.last
        stored = case.search_text
        case.refresh_search_text()
        assert stored == case.search_text
        assert (
            case.main_topic_id
            == case.consultations.order_by("received_at")
            .first()
            .topic_links.get(is_main=True)
            .topic_id
        )


def test_clients_keep_their_search_keys_first_contact_and_ages(generated):
    for client in Client.objects.all():
        assert client.search_kana == search_key(client.family_name_kana + client.given_name_kana)
        assert client.search_name == search_key(client.family_name + client.given_name)
        contacts = client.consultations.order_by("received_at")
        assert client.created_at == contacts.first().received_at
        for contact in contacts:
            assert contact.age == client.age_on(timezone.localtime(contact.received_at).date())
            assert contact.profile() == client.profile()


def test_every_row_passes_its_models_validation(generated):
    # full_clean: field choices and validators, model clean(), unique and check constraints.
    models = [
        Client,
        Case,
        Consultation,
        Consent,
        Referral,
        FollowUp,
        Member,
        Fee,
        Payment,
        Organisation,
        Service,
        Contact,
    ]
    for model in models:
        for row in model.objects.all():
            try:
                row.full_clean()
            except ValidationError as error:  # pragma: no cover - the message helps
                pytest.fail(f"{model.__name__} {row.pk}: {error}")


def test_closed_cases_have_a_reason_and_close_after_their_last_activity(generated):
    closed = Case.objects.filter(status=Case.Status.CLOSED)
    assert closed.exists()
    assert not closed.filter(Q(closed_reason="") | Q(closed_at__isnull=True)).exists()
    assert not closed.filter(closed_at__lt=F("last_contact_at")).exists()
    assert not Case.objects.exclude(status=Case.Status.CLOSED).exclude(closed_reason="").exists()
    for case in closed:
        assert case.events.filter(kind=CaseEvent.Kind.STATUS, new_value="closed").count() == 1


def test_referral_statuses_agree_with_their_timestamps_and_reasons(generated):
    referrals = Referral.objects.select_related("case", "service", "consent")
    for referral in referrals:
        status = referral.status
        assert referral.center_id == referral.case.center_id
        assert referral.organisation_id == referral.service.organisation_id
        assert (referral.decline_reason != "") == (status == S.DECLINED)
        assert (referral.outcome != "") == (status == S.COMPLETED)
        assert (referral.closed_at is not None) == (
            status in (S.DECLINED, S.COMPLETED, S.CANCELLED)
        )
        if status in (S.ASKED, S.ACCEPTED, S.DECLINED, S.REFERRED, S.FOLLOWING_UP, S.COMPLETED):
            assert referral.asked_at is not None
        if status in (S.ACCEPTED, S.DECLINED, S.REFERRED, S.FOLLOWING_UP, S.COMPLETED):
            assert referral.answered_at is not None
        assert (referral.referred_at is not None) == (
            status in (S.REFERRED, S.FOLLOWING_UP, S.COMPLETED)
        )
        if status == S.REFERRED:
            assert referral.follow_up_on is not None
        if status in (S.DRAFT, S.ASKED, S.ACCEPTED, S.DECLINED, S.COMPLETED, S.CANCELLED):
            assert referral.follow_up_on is None
        moments = [
            m
            for m in (
                referral.created_at,
                referral.asked_at,
                referral.answered_at,
                referral.referred_at,
                referral.closed_at,
            )
            if m is not None
        ]
        assert moments == sorted(moments)
        assert moments[-1] < timezone.now()
        if referral.is_anonymous:
            assert referral.consent_id is None
        else:
            assert referral.consent.client_id == referral.case.client_id
            assert referral.provision_records.count() == (referral.asked_at is not None)


def test_referral_steps_follow_the_verbs_moves(generated):
    for referral in Referral.objects.prefetch_related("steps"):
        status = S.DRAFT
        for step in referral.steps.all():
            assert step.old_status == status
            assert step.status in Referral.NEXT_STATUSES[S(status)]
            status = step.status
        assert status == referral.status


def test_follow_ups_come_after_the_referral_and_open_referrals_keep_their_case_open(generated):
    for follow_up in FollowUp.objects.select_related("referral"):
        assert follow_up.referral.referred_at is not None
        assert follow_up.done_on >= timezone.localtime(follow_up.referral.referred_at).date()
    open_referrals = Referral.objects.filter(status__in=Referral.OPEN_STATUSES)
    assert not open_referrals.filter(case__status=Case.Status.CLOSED).exists()
    # Asking a partner makes the case 紹介中 and referring the client フォロー中.
    asked = Case.objects.filter(referrals__status__in=[S.ASKED, S.ACCEPTED, S.REFERRED])
    assert not asked.exclude(status__in=[Case.Status.REFERRING, Case.Status.FOLLOW_UP]).exists()


def test_fees_are_paid_by_their_payments_and_member_numbers_are_counted(generated):
    for fee in Fee.objects.annotate(payments_total=Sum("payments__amount", default=0)):
        assert fee.paid == fee.payments_total
    for centre in Center.objects.filter(members__isnull=False).distinct():
        last = Member.objects.filter(center=centre).aggregate(last=Max("sequence"))["last"]
        assert MemberNumberCounter.objects.get(center=centre).last == last


def snapshot():
    """The generated data by natural keys (no ids, no times of writing)."""
    return {
        "consultations": list(
            Consultation.objects.order_by("received_at", "case__number", "summary").values_list(
                "center__code",
                "case__number",
                "received_at",
                "channel",
                "summary",
                "gender",
                "age",
                "municipality__code",
                "outcome",
                "counts_for_rengo",
            )
        ),
        "topics": sorted(
            ConsultationTopic.objects.values_list(
                "consultation__case__number", "consultation__received_at", "topic__code", "is_main"
            )
        ),
        "cases": list(
            Case.objects.order_by("center__code", "number").values_list(
                "center__code",
                "number",
                "status",
                "closed_at",
                "search_text",
                "client__search_kana",
            )
        ),
        "referrals": list(
            Referral.objects.order_by("created_at").values_list(
                "case__number",
                "status",
                "asked_at",
                "answered_at",
                "referred_at",
                "closed_at",
                "follow_up_on",
                "outcome",
                "organisation__name",
            )
        ),
        "members": list(
            Member.objects.order_by("number").values_list("number", "name", "joined_on", "left_on")
        ),
        "fees": sorted(Fee.objects.values_list("member__number", "fiscal_year", "paid", "waived")),
    }


def wipe():
    """Delete what the command made, in the order the foreign keys allow (centres and
    staff stay: a second run takes them as they are)."""
    for model in [
        ProvisionRecord,
        FollowUp,
        ReferralStep,
        HandoffSheet,
        Referral,
        Consent,
        CaseEvent,
        ConsultationTopic,
        Consultation,
        Case,
        Client,
        CaseNumberSequence,
        Payment,
        Fee,
        Member,
        MemberNumberCounter,
        Contact,
        Service,
        Organisation,
    ]:
        model.objects.all().delete()


def test_a_seed_gives_the_same_data_by_copy_and_by_bulk_create(db):
    generate()
    first = snapshot()
    wipe()
    # On PostgreSQL the first run wrote by COPY; this one writes by bulk_create.
    generate(bulk_create=True)
    assert snapshot() == first
    wipe()
    call_command("generate_scale_data", consultations=N, seed="other", stdout=io.StringIO())
    assert snapshot()["consultations"] != first["consultations"]


def test_refuses_a_database_with_data(db, center, counter_staff):
    ClientFactory(center=center, created_by=counter_staff)
    with pytest.raises(CommandError, match="--force"):
        generate()
    assert not Consultation.objects.exists()


def test_force_adds_to_the_data_and_numbers_on(db):
    generate()
    generate(force=True)
    assert Consultation.objects.count() == 2 * N
    assert Member.objects.count() == 60
    for sequence in CaseNumberSequence.objects.all():
        cases = Case.objects.filter(center=sequence.center, number__startswith=f"{sequence.year}-")
        assert cases.count() == sequence.last_number
    # The id sequences moved past the ids written: a new row gets a fresh id.
    client = ClientFactory(center=Center.objects.first())
    assert client.pk > Client.objects.exclude(pk=client.pk).aggregate(last=Max("pk"))["last"]


def test_too_few_consultations_are_refused(db):
    with pytest.raises(CommandError):
        call_command("generate_scale_data", consultations=10, stdout=io.StringIO())


DIGEST = """
import hashlib, io, django
django.setup()
from django.core.management import call_command
from referrals.tests.test_generate_scale_data import snapshot
call_command("migrate", verbosity=0)
call_command("generate_scale_data", consultations=300, seed="test", stdout=io.StringIO())
print(hashlib.sha256(repr(snapshot()).encode()).hexdigest())
"""


def test_a_seed_gives_the_same_data_in_another_process(tmp_path):
    """Python salts the hashes of strings per process, so a set's order changes from one
    run to the next: the data must not depend on it."""
    digests = set()
    for hash_seed in ("1", "2"):
        database = tmp_path / f"scale{hash_seed}.sqlite3"
        env = dict(os.environ, PYTHONHASHSEED=hash_seed, DATABASE_URL=f"sqlite:///{database}")
        run = subprocess.run(
            [sys.executable, "-c", DIGEST],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(run.stdout.strip())
    assert len(digests) == 1

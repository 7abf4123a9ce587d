import datetime
import hashlib
import re
from collections import Counter

import factory.random
import jaconv
import pytest
from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from accounts.demo import seed_staff
from accounts.models import Center, User
from consultations.demo import TOTAL, UNREAD_BY_COUNTER, link_member_clients, seed_consultations
from consultations.models import (
    Case,
    CaseEvent,
    CaseNumberSequence,
    Client,
    Consultation,
    ConsultationTopic,
    HandoverNote,
)
from members.demo import seed_members
from network.calendar_jp import closure_reason
from network.demo import seed_directory
from network.models import Topic

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    """The demo's steps up to the consultations, as `seed_demo` runs them, once for the
    whole module (it takes seconds), rolled back afterwards; each test still runs in its
    own savepoint inside. The command itself, with the referrals it adds after these
    steps, is tested in referrals/tests/test_demo.py."""
    with django_db_blocker.unblock(), transaction.atomic():
        factory.random.reseed_random("lifesupport-demo")
        seed_staff()
        seed_directory()
        seed_members()
        summary = seed_consultations()
        link_member_clients()
        yield summary
        transaction.set_rollback(True)


def local(moment):
    return timezone.localtime(moment)


def fingerprint():
    """A checksum of everything the demo generates except the timestamps' seconds."""
    rows = [
        *Client.objects.order_by("pk").values_list(
            "family_name", "given_name", "family_name_kana", "phone_mobile", "postcode", "town"
        ),
        *Case.objects.order_by("center__code", "number").values_list(
            "number", "title", "status", "closed_reason", "restricted", "assigned_to__username"
        ),
        *Consultation.objects.order_by("case__center__code", "case__number", "received_at")
        .values_list("channel", "summary", "action_taken", "outcome", "age")
        .iterator(),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest(), rows[0]


def test_a_year_of_consultations_at_both_centres(demo):
    consultations = Consultation.objects.all()
    total = consultations.count()
    assert TOTAL * 0.95 <= total <= TOTAL * 1.05
    at_kanazawa = consultations.filter(center__code="KNZ").count()
    assert 0.6 < at_kanazawa / total < 0.73
    assert demo.created
    assert (demo.consultations, demo.cases) == (total, Case.objects.count())

    channels = Counter(consultations.values_list("channel", flat=True))
    assert set(channels) == set(Consultation.Channel.values)
    assert 0.5 < channels[Consultation.Channel.PHONE] / total < 0.62

    anonymous = consultations.filter(client=None).count()
    assert 0.12 < anonymous / total < 0.19
    assert 600 <= Client.objects.count() <= 800


def test_every_topic_status_and_reason_occurs():
    used = ConsultationTopic.objects.values("topic").distinct().count()
    assert used == Topic.objects.count() == 81
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert set(statuses) == set(Case.Status.values)
    reasons = set(
        Case.objects.filter(status=Case.Status.CLOSED).values_list("closed_reason", flat=True)
    )
    assert reasons == set(Case.ClosedReason.values)
    reopened = CaseEvent.objects.filter(kind=CaseEvent.Kind.STATUS, old_value=Case.Status.CLOSED)
    assert reopened.exists()
    restricted = Case.objects.filter(restricted=True).count()
    assert 0.03 < restricted / Case.objects.count() < 0.08
    # Harassment is the commonest main concern, as in Rengo's and MHLW's tallies.
    main = Counter(ConsultationTopic.objects.filter(is_main=True).values_list("topic__code"))
    assert main.most_common(1)[0][0] == ("W1-15",)


def test_case_numbers_follow_the_order_cases_opened_per_centre_and_year():
    for center in Center.objects.all():
        cases = list(Case.objects.filter(center=center).order_by("opened_at", "pk"))
        assert cases
        expected = Counter()
        for case in cases:
            year = local(case.opened_at).year
            expected[year] += 1
            assert re.fullmatch(r"\d{4}-\d{6}", case.number)
            assert case.number == f"{year}-{expected[year]:06d}"
        sequences = dict(
            CaseNumberSequence.objects.filter(center=center).values_list("year", "last_number")
        )
        assert sequences == dict(expected)


def test_timelines_are_in_the_past_and_in_order():
    now = timezone.now()
    assert not Consultation.objects.filter(received_at__gt=now).exists()
    assert not CaseEvent.objects.filter(at__gt=now).exists()
    assert not Consultation.objects.filter(created_at__gt=now).exists()
    oldest = Consultation.objects.aggregate(Min("received_at"))["received_at__min"]
    assert now - oldest < datetime.timedelta(days=366)

    cases = Case.objects.annotate(
        first=Min("consultations__received_at"),
        last=Max("consultations__received_at"),
        first_event=Min("events__at"),
    )
    for case in cases:
        assert case.opened_at == case.first
        assert case.last_contact_at == case.last
        assert case.first_event is None or case.first_event >= case.opened_at
        assert (case.status == Case.Status.CLOSED) == bool(case.closed_reason)
        assert (case.status == Case.Status.CLOSED) == (case.closed_at is not None)
        if case.client_id is None:
            assert case.consultations.filter(client__isnull=False).count() == 0


def test_contacts_happen_in_office_hours_or_at_saturday_events():
    for received_at, channel in Consultation.objects.values_list("received_at", "channel"):
        moment = local(received_at)
        assert not closure_reason(moment.date()), moment
        assert 9 <= moment.hour < 20, moment
        if moment.weekday() >= 5:
            assert moment.weekday() == 5, moment
            assert channel == Consultation.Channel.OUTREACH, moment


def test_status_changes_follow_the_case_verbs():
    allowed = {(old, new) for old, targets in Case.NEXT_STATUSES.items() for new in targets} | {
        (old, Case.Status.CLOSED) for old in Case.Status.values if old != Case.Status.CLOSED
    }
    allowed.add((Case.Status.CLOSED, Case.Status.IN_PROGRESS))  # reopen
    for case in Case.objects.prefetch_related("events")[:300]:
        status = Case.Status.RECEIVED
        for event in case.events.all():
            if event.kind == CaseEvent.Kind.STATUS:
                assert event.old_value == status
                assert (event.old_value, event.new_value) in allowed
                status = event.new_value
        assert status == case.status


def test_the_search_text_is_what_the_intake_would_have_written():
    for case in Case.objects.select_related("client").order_by("?")[:100]:
        stored = case.search_text
        case.refresh_search_text()
        assert stored == case.search_text

    client = Client.objects.filter(cases__isnull=False).order_by("pk")[7]
    reading = jaconv.kata2hira(client.family_name_kana)
    assert set(client.cases.all()) <= set(Case.objects.matching_text(reading))


def test_clients_carry_their_latest_attributes_and_ages():
    clients = Client.objects.prefetch_related("consultations")
    for client in clients:
        contacts = sorted(client.consultations.all(), key=lambda c: c.received_at)
        assert client.profile() == contacts[-1].profile()
        assert client.created_at == contacts[0].received_at
        for contact in contacts:
            assert contact.age == client.age_on(local(contact.received_at).date())
    assert clients.filter(birth_date__isnull=False).exists()
    assert clients.filter(stated_age__isnull=False, stated_age_on__isnull=False).exists()
    phones = [n for n in clients.values_list("phone_mobile", flat=True) if n]
    assert {n[:3] for n in phones} == {"060", "070", "080", "090"}
    assert len(phones) == len(set(phones))
    assert clients.filter(phone_home__startswith="076").exists()
    assert clients.filter(no_company_name=True).exists()
    municipalities = clients.exclude(postcode="").values_list("municipality__code", flat=True)
    assert all(code.startswith("17") for code in municipalities)


def test_some_clients_come_back_and_some_have_two_cases():
    clients = Client.objects.annotate(
        contacts=Count("consultations", distinct=True), problems=Count("cases", distinct=True)
    )
    returning = clients.filter(contacts__gte=2).count()
    assert 0.25 < returning / clients.count() < 0.45
    assert clients.filter(problems=2).exists()
    assert clients.filter(contacts__gte=5).exists()


def test_the_records_pass_model_validation():
    for model in (Client, Case, Consultation):
        for instance in model.objects.order_by("pk")[::25]:
            instance.full_clean()


def test_staff_share_the_work_within_their_centre():
    for case in Case.objects.select_related("assigned_to", "created_by"):
        assert case.assigned_to.center_id == case.center_id == case.created_by.center_id
    for username in ["counter", "coordinator", "manager", "counter2", "coordinator2"]:
        assert Case.objects.filter(assigned_to__username=username).count() > 20
        assert Consultation.objects.filter(taken_by__username=username).count() > 50
    counter = User.objects.get(username="counter")
    assert Case.objects.filter(restricted=True, assigned_to=counter).exists()


def test_open_cases_have_next_actions_some_overdue():
    today = timezone.localdate()
    next_actions = []
    for case in Case.objects.open().exclude(client=None):
        last = case.consultations.order_by("-received_at").first()
        next_actions.append(last.next_action_on)
    assert all(next_actions)
    assert any(day < today for day in next_actions)
    assert any(day >= today for day in next_actions)


def test_recent_handover_notes_some_unread_by_the_counter():
    counter = User.objects.get(username="counter")
    for center in Center.objects.all():
        notes = HandoverNote.objects.filter(center=center)
        assert notes.recent().count() == notes.count() == 10
    unread = HandoverNote.objects.visible_to(counter).unread_by(counter)
    assert unread.count() == UNREAD_BY_COUNTER
    assert HandoverNote.objects.filter(acknowledgements__isnull=False).distinct().count() > 10


def test_running_it_again_changes_nothing():
    before = fingerprint()
    assert not seed_consultations().created
    assert link_member_clients() == 0
    assert fingerprint() == before


def test_the_demo_is_the_same_every_time():
    before = fingerprint()
    for model in (CaseEvent, ConsultationTopic, Consultation, Case, Client):
        model.objects.all().delete()
    CaseNumberSequence.objects.all().delete()
    HandoverNote.objects.all().delete()

    summary = seed_consultations()
    link_member_clients()

    assert summary.created
    assert fingerprint() == before


def test_some_clients_are_members_in_good_standing():
    linked = Client.objects.filter(member__isnull=False).select_related("member")
    assert linked.count() == 30
    assert all(client.full_name == client.member.name for client in linked)
    assert set(
        Client.objects.with_membership().filter(pk__in=linked).values_list("is_member", flat=True)
    ) == {True}
    assert link_member_clients() == 0

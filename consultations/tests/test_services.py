import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEvent
from consultations.models import Case, Client, Consultation
from consultations.services import consultation_record
from consultations.tests.factories import CaseFactory, ClientFactory
from network.models import Topic

pytestmark = pytest.mark.django_db


def new_consultation(**fields):
    return Consultation(
        channel=Consultation.Channel.PHONE,
        received_at=fields.pop("received_at", timezone.now()),
        taken_by=fields.pop("taken_by"),
        summary=fields.pop("summary", "残業代が払われていないとの相談。"),
        outcome=Consultation.Outcome.ADVICE,
        **fields,
    )


def topics(*codes):
    by_code = Topic.objects.in_bulk(codes, field_name="code")
    return [by_code[code] for code in codes]


def test_a_new_client_gets_a_numbered_case_and_everything_is_audited(counter_staff):
    new_client = Client(family_name="佐藤", family_name_kana="さとう", phone_mobile="090-1111-2222")

    consultation = consultation_record(
        consultation=new_consultation(taken_by=counter_staff, employment_type="part_time"),
        topics=topics("W2-01", "W3-01"),
        by=counter_staff,
        new_client=new_client,
    )

    case = consultation.case
    assert case.number == f"{timezone.localdate().year}-000001"
    assert case.client == new_client
    assert case.center == counter_staff.center
    assert case.status == Case.Status.RECEIVED
    assert case.assigned_to == counter_staff
    assert case.title == Topic.objects.get(code="W2-01").name
    assert new_client.family_name_kana == "サトウ"
    assert new_client.phone_mobile == "09011112222"
    # The client keeps the attributes heard at this contact.
    assert new_client.employment_type == "part_time"
    links = list(consultation.topic_links.values_list("topic__code", "is_main"))
    assert links == [("W2-01", True), ("W3-01", False)]
    assert "サトウ" in case.search_text
    assert "残業代" in Case.objects.get(pk=case.pk).search_text
    created = AuditEvent.objects.filter(action=AuditEvent.Action.CREATE)
    assert {event.content_type.model for event in created} == {"client", "case", "consultation"}


def test_a_second_contact_joins_the_open_case_and_starts_the_work(counter_staff, case):
    consultation = consultation_record(
        consultation=new_consultation(taken_by=counter_staff, summary="その後、会社と話した。"),
        topics=topics("W2-01"),
        by=counter_staff,
        client=case.client,
        case=case,
    )

    case.refresh_from_db()
    assert consultation.case == case
    assert case.status == Case.Status.IN_PROGRESS
    assert case.consultations.count() == 2
    assert case.events.filter(kind="status", new_value="in_progress").exists()
    assert "ソノゴ" not in case.search_text  # keys are of the text as typed: 会社
    assert "会社" in case.search_text


def test_an_anonymous_consultation_keeps_only_statistics(counter_staff):
    consultation = consultation_record(
        consultation=new_consultation(taken_by=counter_staff, gender="female", age=34),
        topics=topics("L1-01"),
        by=counter_staff,
    )

    assert consultation.client is None
    assert consultation.case.client is None
    assert consultation.age == 34
    assert Client.objects.count() == 0


def test_the_age_at_the_contact_comes_from_the_birth_date(counter_staff, client_record):
    client_record.birth_date = datetime.date(1990, 11, 21)
    client_record.save()
    consultation = consultation_record(
        consultation=new_consultation(
            taken_by=counter_staff,
            received_at=timezone.make_aware(datetime.datetime(2026, 11, 20, 10)),
        ),
        topics=topics("W1-01"),
        by=counter_staff,
        client=client_record,
    )
    assert consultation.age == 35


def test_a_case_of_another_client_or_a_closed_case_is_refused(counter_staff, case, center):
    someone_else = ClientFactory(center=center, created_by=counter_staff)
    with pytest.raises(ValidationError):
        consultation_record(
            consultation=new_consultation(taken_by=counter_staff),
            topics=topics("W1-01"),
            by=counter_staff,
            client=someone_else,
            case=case,
        )
    case.close(reason=Case.ClosedReason.RESOLVED, by=counter_staff)
    with pytest.raises(ValidationError):
        consultation_record(
            consultation=new_consultation(taken_by=counter_staff),
            topics=topics("W1-01"),
            by=counter_staff,
            client=case.client,
            case=case,
        )
    assert case.consultations.count() == 1


def test_nothing_is_half_saved_when_the_consultation_is_invalid(counter_staff):
    future = timezone.now() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError):
        consultation_record(
            consultation=new_consultation(taken_by=counter_staff, received_at=future),
            topics=topics("W1-01"),
            by=counter_staff,
            new_client=Client(family_name="田中", family_name_kana="タナカ"),
        )
    assert not Client.objects.exists()
    assert not Case.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CREATE).exists()


def test_case_numbers_run_per_centre_and_year(counter_staff, coordinator_elsewhere):
    def record(user, year):
        return consultation_record(
            consultation=new_consultation(
                taken_by=user,
                received_at=timezone.make_aware(datetime.datetime(year, 6, 1, 10)),
            ),
            topics=topics("W1-01"),
            by=user,
        ).case.number

    assert record(counter_staff, 2025) == "2025-000001"
    assert record(counter_staff, 2025) == "2025-000002"
    assert record(counter_staff, 2026) == "2026-000001"
    assert record(coordinator_elsewhere, 2025) == "2025-000001"


@pytest.mark.parametrize("earlier_cases", [1, 15])
def test_intake_writes_a_fixed_number_of_queries(
    counter_staff, center, earlier_cases, django_assert_max_num_queries
):
    client = ClientFactory(center=center, created_by=counter_staff)
    cases = CaseFactory.create_batch(earlier_cases, center=center, client=client)
    consultation = new_consultation(taken_by=counter_staff)
    chosen = topics("W1-01", "W1-02")
    # 12 queries, the same whatever the number of cases: 2 savepoints and their 2 releases;
    # the 受付 → 対応中 event insert and status update; the consultation and its topic links
    # (one insert each); the case's last contact and search key (one update); the audit
    # entry's content type (cached after the first request), the chain head and the insert.
    # No full_clean() check reads a record again: the caller found them all (SET_HERE).
    with django_assert_max_num_queries(12):
        consultation_record(
            consultation=consultation, topics=chosen, by=counter_staff, client=client, case=cases[0]
        )

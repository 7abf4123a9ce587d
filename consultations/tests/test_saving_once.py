"""Each form of the counter that saves something saves once, however often it is sent."""

import threading
import uuid

import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.urls import reverse

from accounts.idempotency import FIELD, SavedMeanwhile, record_save
from accounts.models import AuditEvent, SaveReceipt
from consultations.models import CaseEvent, Consent, Consultation
from consultations.services import consultation_record
from consultations.tests.factories import CaseFactory, ConsentFactory
from consultations.tests.test_consents import create_url, form_data, withdraw_url
from consultations.tests.test_intake import URL as INTAKE_URL
from consultations.tests.test_intake import intake_data
from consultations.tests.test_services import new_consultation, topics
from network.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def sent_twice(client, url, data):
    """Post `data` twice with one key; both answers."""
    data = {**data, FIELD: str(uuid.uuid4())}
    return client.post(url, data), client.post(url, data)


def assert_same_page(first, second):
    assert first.status_code == second.status_code == 302
    assert first.url == second.url


def assert_audited(receipt, action):
    audits = AuditEvent.objects.filter(
        action=action, content_type=receipt.content_type, object_id=receipt.object_id
    )
    assert audits.count() == 1


def test_an_intake_sent_twice_saves_one_consultation(client, counter_staff):
    client.force_login(counter_staff)
    first, second = sent_twice(client, INTAKE_URL, intake_data(counter_staff))
    assert_same_page(first, second)
    consultation = Consultation.objects.get()
    assert first.url == consultation.case.get_absolute_url()
    receipt = SaveReceipt.objects.get()
    assert receipt.object_id == str(consultation.pk)
    assert_audited(receipt, AuditEvent.Action.CREATE)


def test_save_and_next_sent_twice_comes_back_to_the_intake(client, counter_staff):
    client.force_login(counter_staff)
    data = intake_data(counter_staff, save="", save_next="1")
    first, second = sent_twice(client, INTAKE_URL, data)
    assert (first.url, second.url) == (INTAKE_URL, INTAKE_URL)
    assert Consultation.objects.count() == 1


def test_an_intake_without_a_key_saves_as_before(client, counter_staff):
    client.force_login(counter_staff)
    client.post(INTAKE_URL, intake_data(counter_staff))
    client.post(INTAKE_URL, intake_data(counter_staff))
    assert Consultation.objects.count() == 2
    assert not SaveReceipt.objects.exists()


def test_the_intake_form_carries_a_key(client, counter_staff):
    client.force_login(counter_staff)
    assert f'name="{FIELD}"' in client.get(INTAKE_URL).content.decode()


def test_a_note_sent_twice_is_added_once(client, counter_staff, case):
    client.force_login(counter_staff)
    url = reverse("consultations:case-add-note", args=[case.number])
    first, second = sent_twice(client, url, {"text": "本人から電話。"})
    assert_same_page(first, second)
    assert first.url == case.get_absolute_url()
    note = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.NOTE)
    receipt = SaveReceipt.objects.get()
    assert receipt.object_id == str(note.pk)
    assert_audited(receipt, AuditEvent.Action.CREATE)


def test_a_note_without_a_key_is_added_as_before(client, counter_staff, case):
    client.force_login(counter_staff)
    url = reverse("consultations:case-add-note", args=[case.number])
    client.post(url, {"text": "一回目"})
    client.post(url, {"text": "一回目"})
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.NOTE).count() == 2


def test_the_case_page_note_form_carries_a_key(client, counter_staff, case):
    client.force_login(counter_staff)
    assert f'name="{FIELD}"' in client.get(case.get_absolute_url()).content.decode()


@pytest.fixture
def partner(db):
    return OrganisationFactory(name="金沢労働基準監督署")


def test_a_consent_sent_twice_is_recorded_once(client, counter_staff, client_record, partner):
    client.force_login(counter_staff)
    first, second = sent_twice(
        client, create_url(client_record), form_data(organisation=partner.pk)
    )
    assert_same_page(first, second)
    assert Consent.objects.count() == 1
    assert_audited(SaveReceipt.objects.get(), AuditEvent.Action.CREATE)
    assert f'name="{FIELD}"' in client.get(create_url(client_record)).content.decode()


def test_a_withdrawal_sent_twice_is_recorded_once(
    client, counter_staff, coordinator, client_record, partner
):
    consent = ConsentFactory(client=client_record, organisation=partner, recorded_by=coordinator)
    client.force_login(counter_staff)
    first, second = sent_twice(client, withdraw_url(consent), {"note": "撤回"})
    assert_same_page(first, second)
    assert first.url == client_record.get_absolute_url()
    # The second sending got the first one's page, not "already withdrawn".
    assert_audited(SaveReceipt.objects.get(), AuditEvent.Action.CHANGE)


def test_the_withdraw_form_carries_a_key(
    client, counter_staff, coordinator, client_record, partner
):
    ConsentFactory(client=client_record, organisation=partner, recorded_by=coordinator)
    client.force_login(counter_staff)
    page = client.get(client_record.get_absolute_url()).content.decode()
    assert page.count(f'name="{FIELD}"') == 1


# Every transactional test here rolls back by serialization: a plain flush would make the
# content types again under new ids, and the next serialized test could not load its rows.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_intakes_with_one_key_at_the_same_moment_save_once(center, counter_staff):
    """Two connections start at the same moment to save a consultation (each to its own
    open case, so that no case's row lock orders them) and then the receipt with one
    key: one of them stays. The audit chain's lock (held from the consultation's audit
    event to the commit) makes the second wait for the first, then find its receipt."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite lets one transaction write at a time: no two saves can overlap.")
    key = uuid.uuid4()
    cases = [
        CaseFactory(center=center, client=None, created_by=counter_staff, status="in_progress")
        for _ in range(2)
    ]
    barrier = threading.Barrier(2, timeout=10)
    outcomes = []

    def send(case):
        request = RequestFactory().post(INTAKE_URL, {FIELD: str(key)})
        request.user = counter_staff
        try:
            with transaction.atomic():
                barrier.wait()
                consultation = consultation_record(
                    consultation=new_consultation(taken_by=counter_staff),
                    topics=topics("W2-01"),
                    by=counter_staff,
                    case=case,
                )
                record_save(request, consultation, case.get_absolute_url())
            outcomes.append("saved")
        except SavedMeanwhile:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(case,)) for case in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(outcomes) == ["refused", "saved"]
    assert Consultation.objects.count() == 1
    assert SaveReceipt.objects.count() == 1

"""verify_ledger: the load's ledger of acknowledged saves against the database."""

import io
import json
import uuid

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.idempotency import FIELD
from accounts.models import AuditEvent, SaveReceipt
from consultations.models import CaseEvent, Consultation
from consultations.services import consultation_record
from consultations.tests.test_intake import URL as INTAKE_URL
from consultations.tests.test_intake import intake_data
from consultations.tests.test_services import new_consultation, topics
from referrals.models import ProvisionRecord

pytestmark = pytest.mark.django_db


class Load:
    """Posts forms as the load script does, writing a ledger line per acknowledged save."""

    def __init__(self, client, path):
        self.client = client
        self.path = path
        self.path.write_text("key,kind,at\n")

    def save(self, kind, url, data):
        key = str(uuid.uuid4())
        response = self.client.post(url, {**data, FIELD: key})
        assert response.status_code == 302
        with self.path.open("a") as ledger:
            ledger.write(f"{key},{kind},{timezone.now().isoformat()}\n")
        return key


def verify(path):
    """The JSON report and whether the command failed."""
    out = io.StringIO()
    try:
        call_command("verify_ledger", str(path), stdout=out)
    except SystemExit as exit:
        failed = exit.code == 1
    else:
        failed = False
    return json.loads(out.getvalue().splitlines()[0]), failed


@pytest.fixture
def load(client, counter_staff, tmp_path):
    client.force_login(counter_staff)
    return Load(client, tmp_path / "ledger.csv")


@pytest.fixture
def run(load, counter_staff, coordinator, case, referral):
    """An intake, a note, and a referral asked (by the coordinator)."""
    load.save("intake", INTAKE_URL, intake_data(counter_staff))
    load.save("note", reverse("consultations:case-add-note", args=[case.number]), {"text": "電話"})
    load.client.force_login(coordinator)
    load.save("ask", reverse("referrals:referral-ask", args=[referral.pk]), {"channel": "phone"})
    return load


def test_a_clean_run_checks_out(run):
    report, failed = verify(run.path)
    assert report == {
        "acked": 3,
        "lost": 0,
        "duplicated": 0,
        "orphans": 0,
        "audit_missing": 0,
        "unacked_saved": 0,
    }
    assert not failed


def test_a_key_without_a_receipt_is_lost(run):
    with run.path.open("a") as ledger:
        ledger.write(f"{uuid.uuid4()},intake,{timezone.now().isoformat()}\n")
    report, failed = verify(run.path)
    assert (report["acked"], report["lost"], failed) == (4, 1, True)


def test_a_receipt_whose_record_was_deleted_is_lost(run):
    CaseEvent.objects.filter(kind=CaseEvent.Kind.NOTE).delete()
    report, failed = verify(run.path)
    assert (report["lost"], failed) == (1, True)


def test_a_save_without_its_audit_entry_is_reported(run):
    note = CaseEvent.objects.get(kind=CaseEvent.Kind.NOTE)
    # As only the database's superuser could: on PostgreSQL the audit trail refuses
    # deletes (security.md row 37) unless its trigger is off for the transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        events = AuditEvent.objects.filter(object_id=str(note.pk), action=AuditEvent.Action.CREATE)
        events.delete()
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")
    report, failed = verify(run.path)
    assert (report["audit_missing"], failed) == (1, True)


def test_a_double_save_is_counted(run, counter_staff):
    # The same intake saved a second time without going through the receipt.
    consultation_record(
        consultation=new_consultation(taken_by=counter_staff),
        topics=topics("W2-01"),
        by=counter_staff,
    )
    report, failed = verify(run.path)
    assert (report["duplicated"], report["lost"], failed) == (1, 0, True)


def test_a_referral_asked_without_its_record_of_provision_is_an_orphan(run):
    ProvisionRecord.objects.all().delete()
    report, failed = verify(run.path)
    assert (report["orphans"], failed) == (1, True)


def test_a_save_whose_answer_never_came_back_is_counted_apart(run, counter_staff, client):
    # Posted and stored, but the load never got the answer: not in the ledger.
    client.force_login(counter_staff)
    client.post(INTAKE_URL, {**intake_data(counter_staff), FIELD: str(uuid.uuid4())})
    report, failed = verify(run.path)
    assert (report["unacked_saved"], report["duplicated"], failed) == (1, 0, False)
    assert Consultation.objects.count() == 3  # the case fixture's, and the two intakes
    assert SaveReceipt.objects.count() == 4

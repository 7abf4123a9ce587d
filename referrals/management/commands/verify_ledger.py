"""Check a load run's ledger against the database: every acknowledged save is stored,
once, whole and audited.

The ledger is the CSV the load script (bench/locustfile.py) writes, one line per save
the server acknowledged: `key,kind,at` (the form's idempotency key, a short name of the
form, the ISO time of the answer). Run it after a load and after each fault:

    manage.py verify_ledger /tmp/ledger.csv

It prints one JSON line and exits 1 when anything is wrong:

- lost: acknowledged keys without a save receipt, or whose receipt's record is gone.
- duplicated: records created twice. Every form of the load saves with a receipt in
  the same transaction, so a record of a receipted type (consultation, note, referral,
  follow-up, payment ...) created by the ledger's users during the run [first ack - 60 s,
  last ack + 60 s] (its "create" audit entry) without any receipt pointing at it was
  saved outside the save-once path: a second copy. An anti-join rather than "creates
  minus receipts", because step receipts (ask, answer, referred) point at a referral
  that another receipt created, and a subtraction would let them hide a double.
- orphans: rows the load wrote that point nowhere or break the domain's rules. On
  SQLite, `PRAGMA foreign_key_check` over the tables the load writes; on every
  database, for the ledger's records: a consultation whose case belongs to another
  client or that has no main concern, a referral asked under a consent without its
  record of provision (第三者提供の記録), a case opened during the run with no
  consultation.
- audit_missing: receipts whose record has no "create" or "change" audit entry.

`unacked_saved` (informative, not a failure) counts the saves of the ledger's users
during the run whose answer never reached the load script: stored, but not in the
ledger. Every look-up goes by an index (receipts by key and by record, audit entries by
record and by user and time), so the check takes seconds on a million consultations.
"""

import csv
import datetime
import json
import uuid
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import AuditEvent, SaveReceipt
from consultations.models import Case, Consultation, ConsultationTopic
from referrals.models import ProvisionRecord, Referral

# Slack around the run for the duplicate count: a save may be audited just before its
# answer reaches the load script, and clocks of the two sides may differ a little.
MARGIN = datetime.timedelta(seconds=60)
CHUNK = 1000
# The tables a load writes, for SQLite's foreign key check.
WRITTEN_TABLES = [
    "accounts_savereceipt",
    "accounts_auditevent",
    "consultations_client",
    "consultations_case",
    "consultations_caseevent",
    "consultations_consultation",
    "consultations_consultationtopic",
    "consultations_consent",
    "referrals_referral",
    "referrals_referralstep",
    "referrals_handoffsheet",
    "referrals_followup",
    "referrals_provisionrecord",
    "members_member",
    "members_fee",
    "members_payment",
]
FAILURES = ["lost", "duplicated", "orphans", "audit_missing"]


class Command(BaseCommand):
    help = (
        "Check a load run's ledger (key,kind,at per acknowledged save) against the "
        "database: nothing lost, nothing saved twice, no orphans, every save audited. "
        "Prints one JSON line; exits 1 when anything is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("ledger", help="The CSV file the load script wrote.")

    def handle(self, *args, ledger, **options):
        acks = read_ledger(ledger)
        report = check(acks)
        self.stdout.write(json.dumps(report))
        if options["verbosity"] >= 2:
            self.stdout.write(human_table(acks, report))
        if any(report[name] for name in FAILURES):
            raise SystemExit(1)


def read_ledger(path):
    """[(key, kind, at)] from the ledger; a header line or a torn last line is skipped."""
    acks = []
    try:
        with open(path, newline="", encoding="utf-8") as file:
            for row in csv.reader(file):
                try:
                    key, kind, at = (
                        uuid.UUID(row[0]),
                        row[1],
                        datetime.datetime.fromisoformat(row[2]),
                    )
                except (IndexError, ValueError):
                    continue
                if timezone.is_naive(at):
                    at = timezone.make_aware(at)
                acks.append((key, kind, at))
    except OSError as error:
        raise CommandError(error) from error
    return acks


def check(acks):
    keys = sorted({key for key, _kind, _at in acks})
    receipts = _receipts(keys)
    by_type = defaultdict(set)
    for receipt in receipts.values():
        by_type[receipt.content_type_id].add(receipt.object_id)
    existing = {ct: _existing(ct, ids) for ct, ids in by_type.items()}
    audited = {ct: _audited(ct, ids) for ct, ids in by_type.items()}
    lost = sum(
        1
        for key in keys
        if key not in receipts
        or receipts[key].object_id not in existing[receipts[key].content_type_id]
    )
    audit_missing = sum(
        1
        for receipt in receipts.values()
        if receipt.object_id not in audited[receipt.content_type_id]
    )
    report = {
        "acked": len(acks),
        "lost": lost,
        "duplicated": 0,
        "orphans": 0,
        "audit_missing": audit_missing,
        "unacked_saved": 0,
    }
    if receipts:
        users = {receipt.user_id for receipt in receipts.values()}
        times = [at for _key, _kind, at in acks]
        window = (min(times) - MARGIN, max(times) + MARGIN)
        report["duplicated"] = _created_without_receipt(by_type, users, window)
        report["orphans"] = _orphans(by_type, users, window)
        report["unacked_saved"] = (
            SaveReceipt.objects.filter(user__in=users, at__range=window)
            .exclude(key__in=keys)
            .count()
        )
    return report


def _chunks(items):
    items = list(items)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _receipts(keys):
    receipts = {}
    for chunk in _chunks(keys):
        for receipt in SaveReceipt.objects.filter(key__in=chunk):
            receipts[receipt.key] = receipt
    return receipts


def _model(content_type_id):
    return ContentType.objects.get_for_id(content_type_id).model_class()


def _existing(content_type_id, object_ids):
    """The ids (as the receipts write them) of the records that still exist."""
    model = _model(content_type_id)
    found = set()
    for chunk in _chunks(object_ids):
        pks = [model._meta.pk.to_python(object_id) for object_id in chunk]
        found.update(
            str(pk) for pk in model._default_manager.filter(pk__in=pks).values_list("pk", flat=True)
        )
    return found


def _audited(content_type_id, object_ids):
    found = set()
    actions = [AuditEvent.Action.CREATE, AuditEvent.Action.CHANGE]
    for chunk in _chunks(object_ids):
        events = AuditEvent.objects.filter(
            content_type_id=content_type_id, object_id__in=chunk, action__in=actions
        )
        found.update(events.order_by().values_list("object_id", flat=True))
    return found


def _created_during(content_type_ids, users, window):
    """(content type id, object id) of the records of these types that these users
    created during the window, by their "create" audit entries."""
    events = AuditEvent.objects.filter(
        user__in=users,
        action=AuditEvent.Action.CREATE,
        at__range=window,
        content_type_id__in=content_type_ids,
    )
    return set(events.order_by().values_list("content_type_id", "object_id"))


def _created_without_receipt(by_type, users, window):
    created = _created_during(list(by_type), users, window)
    by_ct = defaultdict(set)
    for content_type_id, object_id in created:
        by_ct[content_type_id].add(object_id)
    receipted = set()
    for content_type_id, object_ids in by_ct.items():
        for chunk in _chunks(object_ids):
            receipts = SaveReceipt.objects.filter(
                content_type_id=content_type_id, object_id__in=chunk
            )
            receipted.update(receipts.order_by().values_list("content_type_id", "object_id"))
    return len(created - receipted)


def _orphans(by_type, users, window):
    count = _foreign_key_orphans() if connection.vendor == "sqlite" else 0
    ids = {
        model: [model._meta.pk.to_python(object_id) for object_id in by_type.get(ct.pk, ())]
        for model, ct in ContentType.objects.get_for_models(Consultation, Referral).items()
    }
    main_topic = ConsultationTopic.objects.filter(consultation=OuterRef("pk"), is_main=True)
    for chunk in _chunks(ids[Consultation]):
        consultations = Consultation.objects.filter(pk__in=chunk)
        rows = consultations.annotate(has_main=Exists(main_topic)).values_list(
            "client_id", "case__client_id", "has_main"
        )
        count += sum(
            1 for client, case_client, has_main in rows if client != case_client or not has_main
        )
    provided = ProvisionRecord.objects.filter(referral=OuterRef("pk"))
    for chunk in _chunks(ids[Referral]):
        referrals = Referral.objects.filter(pk__in=chunk, asked_at__isnull=False)
        count += referrals.filter(is_anonymous=False).exclude(Exists(provided)).count()
    case_type = ContentType.objects.get_for_model(Case)
    opened = {int(object_id) for _ct, object_id in _created_during([case_type.pk], users, window)}
    for chunk in _chunks(opened):
        count += Case.objects.filter(pk__in=chunk, consultations__isnull=True).count()
    return count


def _foreign_key_orphans():
    with connection.cursor() as cursor:
        count = 0
        for table in WRITTEN_TABLES:
            cursor.execute(f"PRAGMA foreign_key_check({table})")
            count += len(cursor.fetchall())
    return count


def human_table(acks, report):
    kinds = defaultdict(int)
    for _key, kind, _at in acks:
        kinds[kind] += 1
    lines = ["", "acknowledged saves by form:"]
    lines += [f"  {kind:<12} {count:>8}" for kind, count in sorted(kinds.items())]
    lines.append("")
    lines += [f"  {name:<14} {report[name]:>8}" for name in report]
    return "\n".join(lines)

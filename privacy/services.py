"""Actions on a client's personal information that write several records at once: the
stop of its use (利用停止) and its lifting, and the retention job's purge."""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import log_action
from accounts.models import AuditEvent, SaveReceipt
from consultations.models import Case, Client, Consultation, HandoverNote
from members.models import Member
from referrals.models import FollowUpReminder, PartnerLink, ProvisionRecord, Referral

from .models import DeletionRecord
from .retention import FORMER_MEMBER_YEARS, RULES, Kind, describe, period

# What the report says of kinds only counted, never purged.
REVIEW = "review"
# Cases anonymised per transaction: a first run on ten years of data stays in bounds.
BATCH = 500


@transaction.atomic
def client_use_stop(*, client, by, reason, request=None):
    """Stop the use of the client's data (個人情報保護法 35条): nothing more goes to a
    partner or into an export, and the answer links already sent stop working."""
    client.stop_use(by=by, reason=reason)
    links = PartnerLink.objects.filter(referral__case__client=client, revoked_at__isnull=True)
    revoked = links.update(revoked_at=timezone.now())
    log_action(
        action=AuditEvent.Action.CHANGE,
        user=by,
        request=request,
        obj=client,
        use_stopped=True,
        links_revoked=revoked,
    )


@transaction.atomic
def client_use_resume(*, client, by, request=None):
    """Lift the stop: the client agreed to their data being used again."""
    client.resume_use()
    log_action(
        action=AuditEvent.Action.CHANGE, user=by, request=request, obj=client, use_stopped=False
    )


@dataclass
class PurgeLine:
    """One kind of record in the job's report: how many are (or would be) purged or are
    only counted for someone to review."""

    kind: str
    label: str
    rule: str
    count: int
    action: str


def purge_expired(*, commit, by, now=None):
    """Delete or anonymise what has outlived its retention period (retention.RULES and
    the records of provision's own `keep_until`), writing a DeletionRecord for each
    centre and kind. Without `commit` only counts. Running it twice in a day purges
    nothing the second time. Returns the PurgeLines, in the order of the report."""
    now = now or timezone.now()
    lines = []
    for rule in RULES:
        cutoff = now - period(rule)
        purge = PURGES[rule.kind]
        count = purge(cutoff=cutoff, commit=commit, by=by, policy=describe(rule))
        action = (
            DeletionRecord.Action.ANONYMISED
            if rule.kind == Kind.CASE
            else DeletionRecord.Action.DELETED
        )
        lines.append(PurgeLine(rule.kind, Kind(rule.kind).label, describe(rule), count, action))
        if rule.kind == Kind.CASE:
            # Clients go with their last case; then what their cases left undone.
            count = _purge_clients(cutoff=cutoff, commit=commit, by=by, policy=describe(rule))
            lines.append(
                PurgeLine(
                    Kind.CLIENT,
                    Kind.CLIENT.label,
                    describe(rule),
                    count,
                    DeletionRecord.Action.DELETED,
                )
            )
            lines.append(_dormant_open_cases(cutoff))
    lines.append(_purge_provision_records(now=now, commit=commit, by=by))
    lines.append(_former_members(now))
    return lines


def _record(*, kind, action, center_id, identifiers, count, policy, cutoff, by):
    DeletionRecord.objects.create(
        kind=kind,
        action=action,
        center_id=center_id,
        identifiers=identifiers,
        count=count,
        policy=policy,
        cutoff=cutoff,
        done_by=by,
    )


def _centres(queryset):
    return list(queryset.order_by().values_list("center", flat=True).distinct())


def _purge_cases(*, cutoff, commit, by, policy):
    """Closed cases past their period keep their statistics only (Case.anonymise,
    Referral.anonymise), in batches, each with its DeletionRecord."""
    expired = Case.objects.closed_before(cutoff)
    if not commit:
        return expired.count()
    total = 0
    for center_id in _centres(expired):
        while batch := list(
            expired.filter(center=center_id).order_by("pk").values_list("pk", "number")[:BATCH]
        ):
            ids = [pk for pk, _number in batch]
            with transaction.atomic():
                Referral.objects.filter(case__in=ids).anonymise()
                Case.objects.filter(pk__in=ids).anonymise()
                _record(
                    kind=Kind.CASE,
                    action=DeletionRecord.Action.ANONYMISED,
                    center_id=center_id,
                    identifiers=[number for _pk, number in batch],
                    count=len(ids),
                    policy=policy,
                    cutoff=cutoff,
                    by=by,
                )
            total += len(ids)
    return total


def _purge_clients(*, cutoff, commit, by, policy):
    """Clients registered before the cutoff with no case or consultation left: deleted,
    with their consents. Their records of provision stay (client set to empty)."""
    left = (
        Client.objects.filter(created_at__lt=cutoff)
        .exclude(Exists(Case.objects.filter(client=OuterRef("pk"))))
        .exclude(Exists(Consultation.objects.filter(client=OuterRef("pk"))))
    )
    # A dry run counts today's: the cases anonymised by this run would leave more.
    return _delete_by_centre(
        left, kind=Kind.CLIENT, cutoff=cutoff, commit=commit, by=by, policy=policy
    )


def _delete_by_centre(queryset, *, kind, cutoff, commit, by, policy, center_field="center"):
    if not commit:
        return queryset.count()
    total = 0
    centres = list(queryset.order_by().values_list(center_field, flat=True).distinct())
    for center_id in centres:
        ids = list(queryset.filter(**{center_field: center_id}).values_list("pk", flat=True))
        with transaction.atomic():
            queryset.model.objects.filter(pk__in=ids).delete()
            _record(
                kind=kind,
                action=DeletionRecord.Action.DELETED,
                center_id=center_id,
                identifiers=ids,
                count=len(ids),
                policy=policy,
                cutoff=cutoff,
                by=by,
            )
        total += len(ids)
    return total


def _delete_counted(queryset, *, kind, cutoff, commit, by, policy):
    """Technical rows that concern nobody: deleted with a count, no ids."""
    if not commit:
        return queryset.count()
    with transaction.atomic():
        count, _by_model = queryset.delete()
        if count:
            _record(
                kind=kind,
                action=DeletionRecord.Action.DELETED,
                center_id=None,
                identifiers=[],
                count=count,
                policy=policy,
                cutoff=cutoff,
                by=by,
            )
    return count


def _purge_handover_notes(*, cutoff, **options):
    notes = HandoverNote.objects.filter(created_at__lt=cutoff)
    return _delete_by_centre(notes, kind=Kind.HANDOVER_NOTE, cutoff=cutoff, **options)


def _purge_partner_links(*, cutoff, **options):
    links = PartnerLink.objects.filter(Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff))
    return _delete_by_centre(
        links,
        kind=Kind.PARTNER_LINK,
        cutoff=cutoff,
        center_field="referral__center",
        **options,
    )


def _purge_reminders(*, cutoff, **options):
    reminders = FollowUpReminder.objects.filter(sent_on__lt=timezone.localdate(cutoff))
    return _delete_counted(reminders, kind=Kind.FOLLOW_UP_REMINDER, cutoff=cutoff, **options)


def _purge_receipts(*, cutoff, **options):
    receipts = SaveReceipt.objects.filter(at__lt=cutoff)
    return _delete_counted(receipts, kind=Kind.SAVE_RECEIPT, cutoff=cutoff, **options)


PURGES = {
    Kind.CASE: _purge_cases,
    Kind.HANDOVER_NOTE: _purge_handover_notes,
    Kind.PARTNER_LINK: _purge_partner_links,
    Kind.FOLLOW_UP_REMINDER: _purge_reminders,
    Kind.SAVE_RECEIPT: _purge_receipts,
}


def _purge_provision_records(*, now, commit, by):
    """Records of provision past their `keep_until` (three years, by law), whether or
    not their case and client are still there; each through its own delete(), which
    refuses one still to be kept."""
    today = timezone.localdate(now)
    expired = ProvisionRecord.objects.expired(today)
    policy = "provision_record: keep_until"
    cutoff = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    count = 0
    if not commit:
        count = expired.count()
    else:
        for center_id in _centres(expired):
            records = list(expired.filter(center=center_id))
            ids = [record.pk for record in records]
            with transaction.atomic():
                for record in records:
                    record.delete()
                _record(
                    kind=Kind.PROVISION_RECORD,
                    action=DeletionRecord.Action.DELETED,
                    center_id=center_id,
                    identifiers=ids,
                    count=len(records),
                    policy=policy,
                    cutoff=cutoff,
                    by=by,
                )
            count += len(records)
    return PurgeLine(
        Kind.PROVISION_RECORD,
        Kind.PROVISION_RECORD.label,
        policy,
        count,
        DeletionRecord.Action.DELETED,
    )


def _dormant_open_cases(cutoff):
    """Open cases without a contact for the whole period: never purged while open, so
    they are counted for the centre to close (or keep on purpose)."""
    count = Case.objects.open().filter(last_contact_at__lt=cutoff).count()
    return PurgeLine("open_case", _("Open cases without contact"), "", count, REVIEW)


def _former_members(now):
    since = timezone.localdate(now) - relativedelta(years=FORMER_MEMBER_YEARS)
    count = Member.objects.filter(left_on__lt=since).count()
    return PurgeLine(
        "former_member", _("Members who left"), f"years={FORMER_MEMBER_YEARS}", count, REVIEW
    )

"""Writes that touch several models: each is atomic and audited in the same transaction."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import log_action
from accounts.models import AuditEvent

from .fiscal import fiscal_year_label, fiscal_year_of
from .models import (
    Fee,
    Member,
    MemberNumberCounter,
    MembershipType,
    Payment,
    forget_list_cache,
    member_number,
)

# The receipt number of payments carried over from an imported register.
IMPORTED_RECEIPT = "移行"


def _fee_for_new_member(member):
    """The joining year's fee, unless the type is free and never lapses (生涯組合員)."""
    membership_type = member.membership_type
    if membership_type.expires or membership_type.annual_fee:
        return Fee(
            member=member,
            fiscal_year=fiscal_year_of(member.joined_on),
            amount=membership_type.annual_fee,
        )
    return None


@transaction.atomic
def member_register(*, member: Member, by, request=None) -> Member:
    """Give an unsaved member the centre's next number, save it with its first fee."""
    member.assign_number()
    member.full_clean()
    member.save()
    fee = _fee_for_new_member(member)
    if fee is not None:
        fee.full_clean()
        fee.save()
    log_action(action=AuditEvent.Action.CREATE, user=by, request=request, obj=member)
    return member


@transaction.atomic
def member_renew(
    *, member: Member, fiscal_year: int, membership_type: MembershipType, by, request=None
) -> Fee:
    """Create the member's fee for a fiscal year, at the fee of the (possibly new) type."""
    if member.has_left:
        raise ValidationError(_("A member who has left cannot be renewed."))
    if member.fees.filter(fiscal_year=fiscal_year).exists():
        raise ValidationError(
            _("The fee for %(year)s already exists.") % {"year": fiscal_year_label(fiscal_year)}
        )
    changed = []
    if membership_type != member.membership_type:
        member.membership_type = membership_type
        member.full_clean()
        member.save(update_fields=["membership_type", "updated_at"])
        changed.append("membership_type")
    fee = Fee(member=member, fiscal_year=fiscal_year, amount=membership_type.annual_fee)
    fee.full_clean()
    fee.save()
    log_action(
        action=AuditEvent.Action.CHANGE,
        user=by,
        request=request,
        obj=member,
        renewed=fiscal_year,
        fee=fee.pk,
        fields=changed,
    )
    return fee


@transaction.atomic
def payment_record(
    *,
    member: Member,
    fiscal_year: int,
    paid_on,
    amount: int,
    method: str,
    receipt_number: str = "",
    by,
    request=None,
) -> Payment:
    """Record a (possibly partial) payment of a fiscal year's fee.

    The fee is created at the type's rate if it does not exist yet. Paying more than is
    outstanding, or paying a waived fee, is refused: refunds are not this app's job.
    """
    fee, _created = Fee.objects.select_for_update().get_or_create(
        member=member,
        fiscal_year=fiscal_year,
        defaults={"amount": member.membership_type.annual_fee},
    )
    if fee.waived:
        raise ValidationError(_("This fee was waived; there is nothing to pay."))
    if amount > fee.amount - fee.paid:
        raise ValidationError(
            {
                "amount": _("Only ¥%(remaining)s is outstanding for %(year)s.")
                % {"remaining": f"{fee.amount - fee.paid:,}", "year": fee.fiscal_year_label}
            }
        )
    payment = Payment(
        fee=fee,
        paid_on=paid_on,
        amount=amount,
        method=method,
        receipt_number=receipt_number,
        recorded_by=by,
    )
    payment.full_clean()
    payment.save()
    fee.refresh_paid()
    log_action(
        action=AuditEvent.Action.CREATE,
        user=by,
        request=request,
        obj=payment,
        member=member.pk,
        fee=fee.pk,
    )
    return payment


@transaction.atomic
def dues_create(*, center, fiscal_year: int, by, request=None) -> int:
    """Create a fiscal year's fee for every member of the centre who has not left by then.

    Safe to run twice, even at the same moment: members who already have the year's fee
    are skipped, and the unique constraint drops a fee that a second run got in first.
    Types that never lapse and cost nothing get no fee. Returns the number created.
    """
    from .fiscal import fiscal_year_start

    members = (
        Member.objects.filter(center=center, joined_on__lte=fiscal_year_start(fiscal_year + 1))
        .exclude(left_on__lte=fiscal_year_start(fiscal_year))
        .exclude(membership_type__expires=False, membership_type__annual_fee=0)
        .exclude(fees__fiscal_year=fiscal_year)
        .values_list("pk", "membership_type__annual_fee")
    )
    before = Fee.objects.filter(member__center=center, fiscal_year=fiscal_year).count()
    Fee.objects.bulk_create(
        [Fee(member_id=pk, fiscal_year=fiscal_year, amount=fee) for pk, fee in members.iterator()],
        batch_size=1000,
        ignore_conflicts=True,
    )
    created = Fee.objects.filter(member__center=center, fiscal_year=fiscal_year).count() - before
    log_action(
        action=AuditEvent.Action.CREATE,
        user=by,
        request=request,
        dues_for=fiscal_year,
        created=created,
    )
    return created


@transaction.atomic
def members_import(*, center, rows: list[dict], by, request=None) -> int:
    """Create the members of a checked import, all or none.

    `rows` are MemberImportRow.cleaned values (see members.imports). Numbers are checked
    again here, since someone may have registered a member since the dry run; any error
    rolls everything back.
    """
    from .imports import build_member

    taken = set(
        Member.objects.filter(
            center=center, sequence__in=[r["sequence"] for r in rows if r["sequence"]]
        ).values_list("sequence", flat=True)
    )
    if taken:
        raise ValidationError(
            _("Member numbers already in use: %(numbers)s")
            % {"numbers": ", ".join(member_number(center.code, s) for s in sorted(taken))}
        )
    given = [row["sequence"] for row in rows if row["sequence"]]
    if given:
        MemberNumberCounter.raise_to(center, max(given))
    missing = sum(1 for row in rows if not row["sequence"])
    next_sequence = MemberNumberCounter.take(center, count=missing) if missing else None
    members = []
    for row in rows:
        member = build_member(center, row)
        if not row["sequence"]:
            member.sequence, next_sequence = next_sequence, next_sequence + 1
        member.number = member_number(center.code, member.sequence)
        member.search_text = member.build_search_text()
        members.append(member)
    Member.objects.bulk_create(members, batch_size=1000)
    # bulk_create sends no post_save: the member list's cached figures are forgotten here.
    forget_list_cache()
    fees, payments = [], []
    for member, row in zip(members, rows, strict=True):
        if row["fee"]:
            fee = Fee(
                member=member, **{k: row["fee"][k] for k in ("fiscal_year", "amount", "paid")}
            )
            fees.append(fee)
            if fee.paid:
                payments.append(
                    Payment(
                        fee=fee,
                        amount=fee.paid,
                        paid_on=datetime.date.fromisoformat(row["fee"]["paid_on"]),
                        method=Payment.Method.OTHER,
                        receipt_number=IMPORTED_RECEIPT,
                        recorded_by=by,
                    )
                )
    Fee.objects.bulk_create(fees, batch_size=1000)
    Payment.objects.bulk_create(payments, batch_size=1000)
    log_action(
        action=AuditEvent.Action.CREATE,
        user=by,
        request=request,
        imported=len(members),
        fees=len(fees),
        payments=len(payments),
    )
    return len(members)

"""Actions that write several records at once: a referral with its sheet, a question to
the partner with its record of provision, a link with its e-mail."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Channel, HandoffSheet, PartnerLink, ProvisionRecord, Referral


@transaction.atomic
def start_referral(*, case, service, contact, need, consent, by):
    """A draft referral of `case` to `service` and its first hand-off sheet. Without a
    `consent` it is an anonymous enquiry."""
    if case.client_id:
        case.client.refuse_if_use_stopped()
    referral = Referral.objects.create(
        center_id=case.center_id,
        case=case,
        service=service,
        organisation_id=service.organisation_id,
        contact=contact,
        need=need,
        consent=consent,
        is_anonymous=consent is None,
        coordinator=by,
        created_by=by,
    )
    HandoffSheet.draft_for(referral, by=by)
    return referral


def _check_consent_in_force(referral):
    if not referral.is_anonymous and not referral.consent.is_in_force:
        raise ValidationError(
            _(
                "The client has withdrawn the consent to share their details with this "
                "partner: cancel this referral, and ask again as an anonymous enquiry."
            )
        )


@transaction.atomic
def ask_partner(referral, *, by, channel, comment=""):
    """Record that the partner was asked (by phone, fax or in person) and, unless the
    enquiry is anonymous, that the client's data went to it."""
    _check_consent_in_force(referral)
    referral.ask(by=by, channel=channel, comment=comment)
    if not referral.is_anonymous:
        ProvisionRecord.write(referral, by=by, channel=channel)


@transaction.atomic
def send_partner_link(referral, *, to, by):
    """E-mail the partner a new answer link (earlier ones stop working); a draft
    referral becomes 打診中. The e-mail names neither the client nor the matter: the
    sheet is behind the link. Returns the PartnerLink."""
    referral.refuse_if_use_stopped()
    _check_consent_in_force(referral)
    link, token = PartnerLink.issue(referral, to=to, by=by)
    if referral.status == Referral.Status.DRAFT:
        referral.ask(by=by, channel=Channel.LINK)
    if not referral.is_anonymous:
        ProvisionRecord.write(referral, by=by, channel=Channel.LINK)
    context = {
        "referral": referral,
        "center": referral.center,
        "link": link,
        "url": settings.SITE_URL + reverse("referrals:partner-answer", args=[token]),
    }
    # Sent inside the transaction: if the mail server refuses it, nothing is recorded.
    send_mail(
        subject=render_to_string("referrals/email/partner_link_subject.txt", context).strip(),
        message=render_to_string("referrals/email/partner_link.txt", context),
        from_email=None,
        recipient_list=[to],
    )
    return link

"""The partner's side of a referral: the answer link staff send, and the page behind it,
where a partner without an account reads the hand-off sheet and answers.

The link is the only key to that page, so the page shows one referral and nothing
else, refuses a tampered, expired or replaced link without saying why, and every use
of it, answered or refused, goes into the audit trail.
"""

import smtplib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.audit import log_action
from accounts.models import AuditEvent
from consultations.models import USE_STOPPED_MESSAGE

from ..forms import PartnerAnswerForm, PartnerLinkForm, PartnerOutcomeForm
from ..models import LINK_VALID_DAYS, Channel, FollowUp, PartnerLink, Referral
from ..services import send_partner_link
from .referral import get_referral_or_404

Status = Referral.Status

# While the partner is asked (a draft becomes 打診中; 打診中 sends a fresh link), and
# once the client is referred, to ask for the outcome report.
LINK_STATUSES = [Status.DRAFT, Status.ASKED, Status.REFERRED, Status.FOLLOWING_UP]
# What the partner can do through the link, by the referral's status.
PARTNER_STEPS = {
    Status.ASKED: "answer",
    Status.REFERRED: "outcome",
    Status.FOLLOWING_UP: "outcome",
}
PARTNER_FORMS = {"answer": PartnerAnswerForm, "outcome": PartnerOutcomeForm}


def referral_send_link(request, pk):
    """E-mail the partner a link to answer (or, later, to report how it went)."""
    referral = get_referral_or_404(request, pk)
    refusal = _why_no_link(referral)
    if refusal:
        messages.error(request, refusal)
        return redirect(referral)
    form = PartnerLinkForm(request.POST or None, initial={"to": _partner_address(referral)})
    if form.is_valid():
        to = form.cleaned_data["to"]
        try:
            link = send_partner_link(referral, to=to, by=request.user)
        except (smtplib.SMTPException, OSError):
            # send_partner_link is atomic: nothing was recorded, the old link still works.
            messages.error(request, _("The e-mail could not be sent. Nothing was recorded."))
            return redirect(referral)
        log_action(
            action=AuditEvent.Action.CREATE,
            user=request.user,
            request=request,
            obj=link,
            referral=referral.pk,
        )
        messages.success(request, _("The answer link was sent to %(to)s.") % {"to": to})
        return redirect(referral)
    context = {"referral": referral, "form": form, "days": LINK_VALID_DAYS}
    return render(request, "referrals/send_link.html", context)


def _why_no_link(referral):
    """Why no link may go out for this referral now, or "" if one may."""
    client = referral.case.client
    if client is not None and client.use_is_stopped:
        return str(USE_STOPPED_MESSAGE)
    if referral.status not in LINK_STATUSES:
        return _(
            "An answer link can be sent only while the partner is asked, or after the "
            "client was referred, for the partner's report. This referral is: %(status)s."
        ) % {"status": referral.get_status_display()}
    if referral.is_anonymous:
        return ""
    if not referral.consent.is_in_force:
        # A link would also write a record of provision (send_partner_link).
        return _(
            "The client has withdrawn the consent to share their details with this "
            "partner: no link can be sent for this referral."
        )
    sheet = _sheet_of(referral)
    if sheet is None or not sheet.is_approved:
        return _(
            "The client has not approved the hand-off sheet yet. Show it to the client "
            "and record the approval before sending the link."
        )
    return ""


def _partner_address(referral):
    """The contact person's address, else the service's, else the organisation's."""
    contact_email = referral.contact.email if referral.contact else ""
    return contact_email or referral.service.email or referral.organisation.email


def _sheet_of(referral):
    try:
        return referral.sheet
    except Referral.sheet.RelatedObjectDoesNotExist:
        return None


@login_not_required
@never_cache
def partner_answer(request, token):
    """The partner's page behind the link: no account, the token is the key."""
    response = _partner_page(request, token)
    # The token is in the URL: keep it out of search engines, and out of Referer
    # headers to other sites. Not "no-referrer": Chrome then sends "Origin: null" with
    # the answer form, which CSRF protection refuses.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def _partner_page(request, token):
    link = PartnerLink.from_token(token)
    if link is None:
        # Says nothing of why, nor whether a referral exists; the token is not logged.
        log_action(action=AuditEvent.Action.DENIED, request=request, reason="partner_link_invalid")
        return _plain_page(
            request,
            _("This link cannot be used"),
            _(
                "It may have expired or been replaced by a newer one. Please contact the "
                "centre that sent it to you."
            ),
            status=404,
        )
    link.mark_used()
    referral = Referral.objects.select_related(
        "center",
        "coordinator",
        "service",
        "organisation",
        "contact",
        "consent",
        "sheet",
        "case__client__prefecture",
        "case__client__municipality",
    ).get(pk=link.referral_id)
    audit = {
        "request": request,
        "obj": referral,
        "center_id": referral.center_id,
        "via": "partner_link",
        "link": link.pk,
    }
    step = PARTNER_STEPS.get(referral.status)

    if request.method == "POST":
        if step is None or request.POST.get("step") != step:
            # A second answer through the same link, or an answer overtaken by staff.
            log_action(action=AuditEvent.Action.DENIED, reason="partner_link_reused", **audit)
            return _already_answered(request, referral)
        form = PARTNER_FORMS[step](request.POST)
        if form.is_valid():
            try:
                # The timeline is written in the centre's language, not the partner's.
                with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
                    _record_partner_step(referral, step, form.cleaned_data)
                    log_action(action=AuditEvent.Action.CHANGE, status=referral.status, **audit)
            except ValidationError:
                # Staff recorded an answer at the same moment (see Referral._move).
                log_action(action=AuditEvent.Action.DENIED, reason="partner_link_conflict", **audit)
                return _already_answered(request, referral)
            return redirect("referrals:partner-answer", token=token)
    else:
        form = PARTNER_FORMS[step]() if step else None

    log_action(action=AuditEvent.Action.VIEW, **audit)
    if step is None:
        if referral.status == Status.ACCEPTED:
            return _plain_page(
                request,
                _("Thank you for your answer"),
                _("Your answer is recorded. The centre will be in touch about the next steps."),
                referral=referral,
            )
        return _plain_page(
            request,
            _("This request is closed"),
            _("There is nothing more to answer here. Thank you for your help."),
            referral=referral,
        )
    return render(
        request,
        "referrals/partner_answer.html",
        {"referral": referral, "form": form, "step": step, **_sheet_context(referral)},
    )


def _record_partner_step(referral, step, data):
    comment = data["comment"]
    if step == "answer":
        if data["answer"] == PartnerAnswerForm.ACCEPT:
            referral.accept(by=None, channel=Channel.LINK, comment=comment)
        else:
            referral.decline(
                reason=data["decline_reason"], by=None, channel=Channel.LINK, comment=comment
            )
        return
    outcome = data["outcome"]
    # The report is a follow-up with the partner, and it closes the referral.
    referral.add_follow_up(
        by=None,
        method=FollowUp.Method.LINK,
        spoke_with=FollowUp.Party.PARTNER,
        done_on=timezone.localdate(),
        note=comment or str(Referral.Outcome(outcome).label),
        next_on=None,
    )
    referral.complete(outcome=outcome, channel=Channel.LINK, comment=comment)


def _sheet_context(referral):
    """The sheet as the partner may see it: for an anonymous enquiry or a withdrawn
    consent, the client's names and numbers blanked out of the text (not saved)."""
    sheet = _sheet_of(referral)
    details = referral.shared_details()
    consent = referral.consent
    named = not referral.is_anonymous and consent is not None and consent.is_in_force
    withheld = False
    if sheet is not None and not named:
        sheet.redact_identifiers()
        # What the redaction cannot catch (a name in hiragana, say): show no text at all.
        withheld = sheet.mentions_identifiers()
    return {"sheet": None if withheld else sheet, "details": details, "sheet_withheld": withheld}


def _already_answered(request, referral):
    return _plain_page(
        request,
        _("Your answer was not recorded"),
        _(
            "The request has been answered already, or it changed meanwhile. If something "
            "is wrong, please call the centre."
        ),
        referral=referral,
        status=409,
    )


def _plain_page(request, title, message, *, referral=None, status=200):
    """A page with one message and, for a working link, how to reach the centre."""
    context = {
        "title": title,
        "message": message,
        "center": referral.center if referral else None,
        "coordinator": referral.coordinator if referral else None,
    }
    return render(request, "referrals/partner_closed.html", context, status=status)

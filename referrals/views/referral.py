"""The referral itself: finding the partner, each step with it, the hand-off sheet, and
the referral panel of the case page and the intake screen."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.audit import found_or_denied, log_action
from accounts.idempotency import SavedMeanwhile, record_save, replayed
from accounts.models import AuditEvent
from consultations.models import USE_STOPPED_MESSAGE, Consent
from consultations.views import get_case_or_404, get_client_or_404
from network.forms import DirectorySearchForm
from network.models import Organisation, Service, prepare_results

from ..forms import (
    AnswerForm,
    AskForm,
    CancelForm,
    ChosenServiceForm,
    FollowUpForm,
    HandoffSheetForm,
    ReferralForm,
    ReferredForm,
)
from ..models import FollowUp, Referral, ReferralStep
from ..services import ask_partner, start_referral

PARTNERS_PER_PAGE = 10
FINDER_FIELDS = ["q", "topic", "area", "kind", "tie", "open_on"]


def get_referral_or_404(request, pk):
    """The referral if the user may see its case (own centre, restriction); else 404,
    audited."""
    referrals = Referral.objects.visible_to(request.user).select_related(
        "center",
        "case__client__prefecture",
        "case__client__municipality",
        "case__assigned_to",
        "service",
        "organisation",
        "contact",
        "consent__recorded_by",
        "coordinator",
        "sheet__approved_by",
    )
    return found_or_denied(request, referrals.filter(pk=pk).first(), referral=pk)


def referral_create(request, number):
    """Find a partner that serves the need in the client's area, then refer the case."""
    case = get_case_or_404(request, number)
    if replay := replayed(request):
        return replay
    if not case.is_open:
        messages.error(request, _("The case is closed: reopen it before referring it."))
        return redirect(case)
    client = case.client
    if client is not None and client.use_is_stopped:
        messages.error(request, USE_STOPPED_MESSAGE)
        return redirect(case)
    initial = {
        "topic": case.main_topic.code if case.main_topic_id else "",
        "area": client.municipality.code if client and client.municipality_id else "",
    }
    searched = any(name in request.GET for name in FINDER_FIELDS)
    finder = DirectorySearchForm(request.GET if searched else initial)
    organisations = Organisation.objects.active()
    services = Service.objects.active()
    if finder.is_valid():
        organisations, services = finder.filter(organisations, services)
    organisations = organisations.for_results(services, contacts=False).strongest_tie_first()
    page = Paginator(organisations, PARTNERS_PER_PAGE).get_page(request.GET.get("page"))
    prepare_results(page)

    chosen = ChosenServiceForm(request.POST or request.GET)
    service = chosen.cleaned_data["service"] if chosen.is_valid() else None
    form = consent = None
    if service is not None:
        if client is not None:
            consent = Consent.objects.filter(client=client).covering(service.organisation).first()
        form = ReferralForm(
            request.POST or None,
            case=case,
            service=service,
            consent=consent,
            initial={"need": case.title},
        )
        if form.is_valid():
            try:
                referral = _referral_started(request, case, service, form)
            except SavedMeanwhile:
                return replayed(request)
            messages.success(request, _("The referral was drafted: check the hand-off sheet."))
            return redirect(referral)
    open_referrals = case.referrals.open().select_related("organisation")
    return render(
        request,
        "referrals/referral_create.html",
        {
            "case": case,
            "finder": finder,
            "page": page,
            "service": service,
            "form": form,
            "consent": consent,
            "open_referrals": open_referrals,
        },
    )


@transaction.atomic
def _referral_started(request, case, service, form):
    data = form.cleaned_data
    referral = start_referral(
        case=case,
        service=service,
        contact=data["contact"],
        need=data["need"],
        consent=form.consent_used,
        by=request.user,
    )
    log_action(action=AuditEvent.Action.CREATE, user=request.user, request=request, obj=referral)
    record_save(request, referral, referral.get_absolute_url())
    return referral


def referral_detail(request, pk):
    referral = get_referral_or_404(request, pk)
    log_action(action=AuditEvent.Action.VIEW, user=request.user, request=request, obj=referral)
    return _detail_page(request, referral)


def _detail_page(request, referral, **bound_forms):
    """The referral page, with the forms its status allows; `bound_forms` replaces one
    of them by the form just submitted, with its errors."""
    user = request.user
    can_change = user.has_perm("referrals.change_referral")
    status = referral.status
    Status = Referral.Status
    today = timezone.localdate()
    forms_shown = {
        "ask_form": AskForm() if can_change and status == Status.DRAFT else None,
        "answer_form": AnswerForm() if can_change and status == Status.ASKED else None,
        "referred_form": ReferredForm(
            initial={
                "follow_up_on": referral.default_follow_up_on(today),
                "with_whom": referral.contact.name if referral.contact else "",
                "place": referral.organisation.address,
            }
        )
        if can_change and status == Status.ACCEPTED
        else None,
        "follow_up_form": FollowUpForm(
            initial={"done_on": today, "next_on": referral.default_follow_up_on(today)}
        )
        if user.has_perm("referrals.add_followup")
        and status in (Status.REFERRED, Status.FOLLOWING_UP)
        else None,
        "cancel_form": CancelForm() if can_change and referral.is_open else None,
    }
    forms_shown.update(bound_forms)
    steps = ReferralStep.objects.filter(referral=referral).select_related("by")
    follow_ups = FollowUp.objects.filter(referral=referral).select_related("by")
    links = []
    if user.has_perm("referrals.view_partnerlink"):
        links = referral.links.select_related("sent_by")
    provision_records = []
    if user.has_perm("referrals.view_provisionrecord"):
        provision_records = referral.provision_records.select_related("provided_by")
    sheet = getattr(referral, "sheet", None)
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "case": referral.case,
            "sheet": sheet,
            "details": referral.shared_details(),
            "steps": steps,
            "follow_ups": follow_ups,
            "links": links,
            "provision_records": provision_records,
            "is_overdue": referral.is_overdue(today),
            **forms_shown,
        },
        status=400 if bound_forms else 200,
    )


def _step(request, referral, form_name, form, action):
    """Run `action(cleaned_data)` when the step's form is valid, audit it and go back to
    the referral; otherwise show the page again with the form's errors.

    The step is saved once however often the form is sent: its receipt points at what
    `action` returns (a new record it wrote, audited as created here) or else the referral.
    """
    if replay := replayed(request):
        return replay
    if not form.is_valid():
        return _detail_page(request, referral, **{form_name: form})
    user = request.user
    try:
        with transaction.atomic():
            created = action(form.cleaned_data)
            log_action(
                action=AuditEvent.Action.CHANGE,
                user=user,
                request=request,
                obj=referral,
                status=referral.status,
            )
            if created is not None:
                log_action(
                    action=AuditEvent.Action.CREATE,
                    user=user,
                    request=request,
                    obj=created,
                    referral=referral.pk,
                )
            record_save(request, created or referral, referral.get_absolute_url())
    except SavedMeanwhile:
        return replayed(request)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("The referral is now: %(status)s.") % {"status": referral.get_status_display()},
        )
    return redirect(referral)


@require_POST
def referral_ask(request, pk):
    referral = get_referral_or_404(request, pk)
    return _step(
        request,
        referral,
        "ask_form",
        AskForm(request.POST),
        lambda data: ask_partner(
            referral, by=request.user, channel=data["channel"], comment=data["comment"]
        ),
    )


@require_POST
def referral_record_answer(request, pk):
    referral = get_referral_or_404(request, pk)

    def record(data):
        if data["answer"] == AnswerForm.ACCEPT:
            referral.accept(by=request.user, channel=data["channel"], comment=data["comment"])
        else:
            referral.decline(
                reason=data["decline_reason"],
                by=request.user,
                channel=data["channel"],
                comment=data["comment"],
            )

    return _step(request, referral, "answer_form", AnswerForm(request.POST), record)


@require_POST
def referral_mark_referred(request, pk):
    referral = get_referral_or_404(request, pk)

    def mark(data):
        referral.mark_referred(
            by=request.user,
            appointment_at=data["appointment_at"],
            place=data["place"],
            with_whom=data["with_whom"],
            comment=data["comment"],
        )
        # The date the coordinator chose, if not the default.
        if referral.follow_up_on != data["follow_up_on"]:
            referral.follow_up_on = data["follow_up_on"]
            Referral.objects.filter(pk=referral.pk).update(follow_up_on=data["follow_up_on"])

    return _step(request, referral, "referred_form", ReferredForm(request.POST), mark)


@require_POST
def referral_follow_up(request, pk):
    referral = get_referral_or_404(request, pk)

    def follow_up(data):
        follow_up = referral.add_follow_up(
            by=request.user,
            done_on=data["done_on"],
            method=data["method"],
            spoke_with=data["spoke_with"],
            note=data["note"],
            next_on=data["next_on"],
        )
        if data["outcome"]:
            referral.complete(outcome=data["outcome"], by=request.user)
        return follow_up

    return _step(request, referral, "follow_up_form", FollowUpForm(request.POST), follow_up)


@require_POST
def referral_cancel(request, pk):
    referral = get_referral_or_404(request, pk)
    return _step(
        request,
        referral,
        "cancel_form",
        CancelForm(request.POST),
        lambda data: referral.cancel(by=request.user, comment=data["comment"]),
    )


def sheet_edit(request, pk):
    referral = get_referral_or_404(request, pk)
    sheet = referral.sheet
    if not referral.is_open:
        messages.error(request, _("The referral is closed; its sheet is kept as it was."))
        return redirect(referral)
    form = HandoffSheetForm(request.POST or None, instance=sheet)
    if form.is_valid() and form.is_stale():
        form.add_error(
            None,
            _(
                "Someone else saved the sheet while you were editing it, so your changes "
                "were not saved. Reload the page and make them again."
            ),
        )
    elif form.is_valid():
        if form.has_changed():
            form.instance.save_edit(by=request.user)
            log_action(
                action=AuditEvent.Action.CHANGE,
                user=request.user,
                request=request,
                obj=referral,
                fields=form.changed_data,
            )
            messages.success(request, _("The sheet was saved. Show it to the client again."))
        return redirect(referral)
    return render(
        request,
        "referrals/sheet_form.html",
        {"referral": referral, "case": referral.case, "form": form},
    )


@require_POST
def sheet_approve(request, pk):
    """The client has seen the sheet and agrees it may go to the partner."""
    referral = get_referral_or_404(request, pk)
    referral.sheet.approve(by=request.user)
    log_action(
        action=AuditEvent.Action.CHANGE,
        user=request.user,
        request=request,
        obj=referral,
        sheet="approved",
    )
    messages.success(request, _("The sheet is marked as approved by the client."))
    return redirect(referral)


def sheet_print(request, pk):
    """The sheet on one A4 page: to show the client, or to hand or fax to the partner."""
    referral = get_referral_or_404(request, pk)
    try:
        referral.refuse_if_use_stopped()
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(referral)
    sheet = referral.sheet
    if referral.is_anonymous:
        sheet.redact_identifiers()
    log_action(
        action=AuditEvent.Action.VIEW, user=request.user, request=request, obj=referral, print=1
    )
    return render(
        request,
        "referrals/sheet_print.html",
        {"referral": referral, "sheet": sheet, "details": referral.shared_details()},
    )


def case_referrals(request, number):
    """The case's referrals, the open one first with its last follow-up: a panel of the
    case page and of the intake screen (loaded with htmx), so that the counter can ask
    "how did it go?"."""
    case = get_case_or_404(request, number)
    referrals = _with_last_follow_up(case.referrals.all())
    referrals = sorted(referrals, key=lambda referral: not referral.is_open)
    template = "referrals/_case_referrals.html" if request.htmx else "referrals/case_referrals.html"
    return render(
        request, template, {"case": case, "referrals": referrals, "today": timezone.localdate()}
    )


def client_referrals(request, pk):
    """The open referrals of a client who has come back: the intake screen shows them
    beside the chosen client (loaded with htmx)."""
    client = get_client_or_404(request, pk)
    referrals = Referral.objects.visible_to(request.user).filter(case__client=client).open()
    referrals = _with_last_follow_up(referrals.select_related("case"))
    template = (
        "referrals/_client_referrals.html" if request.htmx else "referrals/client_referrals.html"
    )
    return render(
        request,
        template,
        {"client": client, "referrals": referrals, "today": timezone.localdate()},
    )


def _with_last_follow_up(referrals):
    latest = Prefetch(
        "follow_ups",
        queryset=FollowUp.objects.select_related("by").order_by("-done_on", "-pk")[:1],
        to_attr="last_follow_ups",
    )
    return (
        referrals.select_related("organisation", "service", "coordinator")
        .prefetch_related(latest)
        .order_by("-created_at", "-pk")
    )

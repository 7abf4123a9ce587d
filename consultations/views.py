import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.audit import found_or_denied, log_action
from accounts.idempotency import SavedMeanwhile, record_save, replayed
from accounts.lists import choice_label, url_maker
from accounts.models import AuditEvent
from accounts.search import search_key
from members.models import Member

from .forms import (
    CaseCloseForm,
    CaseFilterForm,
    CaseForm,
    CaseNoteForm,
    CaseReopenForm,
    CaseStatusForm,
    ClientForm,
    ClientIntakeForm,
    ConsentForm,
    ConsentWithdrawForm,
    HandoverNoteForm,
    IntakeForm,
)
from .models import HANDOVER_NOTE_DAYS, Case, Client, Consent, HandoverNote, StaleEdit
from .services import consultation_record

CASES_PER_PAGE = 25
# The case list counts at most this many cases (see CappedPaginator).
COUNT_CAP = 1_000
MATCHES_SHOWN = 8
FILTER_SESSION_KEY = "consultations:case-filters"


class CappedPaginator(Paginator):
    """Counts up to COUNT_CAP rows and no further: counting every case of a broad filter
    took seconds at a million consultations, and nobody pages past the 400th page."""

    @cached_property
    def count(self):
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    @property
    def is_capped(self):
        return self.count > COUNT_CAP


def get_case_or_404(request, number):
    """The case with this number if the user may see it (own centre, restriction); else
    404, with the refused attempt in the audit trail."""
    cases = Case.objects.visible_to(request.user)
    case = cases.select_related("client", "assigned_to", "main_topic").filter(number=number)
    return found_or_denied(request, case.first(), case=number)


def get_client_or_404(request, pk):
    clients = Client.objects.visible_to(request.user).with_membership().select_related("member")
    return found_or_denied(request, clients.filter(pk=pk).first(), client=pk)


def intake(request):
    """The counter's one screen: log a contact, find or register the client, pick the case.

    The same POST serves the duplicate check while typing (`lookup`), choosing a
    client (`choose_client`) or a member (`choose_member`), or going back to a new
    client (`new_client`); with htmx only the region that changed is swapped in, without
    it the whole page comes back.
    """
    user = request.user
    client = _chosen_client(request)
    looking_up = request.method == "POST" and "lookup" in request.POST
    if looking_up and request.htmx:
        context = {
            "matches": _matching_clients(request, user),
            "member_matches": _matching_members(request, user),
        }
        return render(request, "consultations/intake.html#client-matches", context)
    choosing = {"choose_client", "choose_member", "new_client"} & set(request.POST)
    if request.method == "GET" or looking_up or choosing:
        return _intake_mid_typing(request, client, looking_up=looking_up)

    if replay := replayed(request):
        return replay
    form = IntakeForm(request.POST, user=user, client=client, initial={"client": client})
    client_form = ClientIntakeForm(request.POST, prefix="client", user=user)
    anonymous = form.is_valid() and form.cleaned_data["anonymous"]
    client_ok = client is not None or anonymous or client_form.is_valid()
    if form.is_valid() and client_ok:
        try:
            with transaction.atomic():
                consultation = consultation_record(
                    consultation=form.save(commit=False),
                    topics=form.cleaned_data["topics"],
                    by=user,
                    client=client,
                    new_client=None if client or anonymous else client_form.save(commit=False),
                    case=form.cleaned_data["case"],
                    case_title=form.cleaned_data["case_title"],
                    restricted=form.cleaned_data["restricted"],
                    request=request,
                )
                case = consultation.case
                next_page = (
                    reverse("consultations:intake")
                    if "save_next" in request.POST
                    else case.get_absolute_url()
                )
                record_save(request, consultation, next_page)
        except SavedMeanwhile:
            return replayed(request)
        except StaleEdit:
            form.add_error(None, _("The client's record changed while you typed. Save again."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Saved to case %(number)s.") % {"number": case.number},
            )
            return redirect(next_page)
    context = {"form": form, "client_form": client_form, "client": client}
    return render(request, "consultations/intake.html", context)


def _intake_mid_typing(request, client, *, looking_up):
    """The intake page again with what was typed, without error messages: the client
    chosen (their attributes and latest open case filled in), a member's details, or
    the clients and members that match."""
    user = request.user
    data = request.POST if request.method == "POST" else None
    # Choosing a client or a member opens their record here; the re-renders that
    # follow while typing carry it along and are not new views.
    chosen = {"choose_client": client, "choose_member": _chosen_member(request)}
    for key, record in chosen.items():
        if record is not None and key in request.POST:
            log_action(action=AuditEvent.Action.VIEW, user=user, request=request, obj=record)
    form = _unbound_copy(IntakeForm, data, user=user, client=client)
    client_form = _unbound_copy(ClientIntakeForm, data, prefix="client", user=user)
    if client is not None:
        # Most returning contacts carry on with the latest open case.
        latest = form.fields["case"].queryset.first()
        form.initial.update(client=client.pk, case=latest and latest.pk, **client.profile())
    member = chosen["choose_member"]
    if member is not None:
        client_form.initial.update(_client_fields_from(member))
    context = {"form": form, "client_form": client_form, "client": client}
    if looking_up:
        context["matches"] = _matching_clients(request, user)
        context["member_matches"] = _matching_members(request, user)
    return render(request, "consultations/intake.html", context)


def _unbound_copy(form_class, data, **kwargs):
    """The form unbound, showing `data` as typed (for a re-render mid-typing)."""
    if data is None:
        return form_class(**kwargs)
    bound = form_class(data, **kwargs)
    return form_class(initial={name: bound[name].data for name in bound.fields}, **kwargs)


def _chosen_client(request):
    """The client the intake is about: chosen from the matches, or posted back."""
    if request.method != "POST":
        pk = request.GET.get("client")
    elif "new_client" in request.POST:
        return None
    else:
        pk = request.POST.get("choose_client") or request.POST.get("client")
    # A pk is no personal data; it may come in the URL from a client's page.
    if not (pk and pk.isascii() and pk.isdigit()):
        return None
    return Client.objects.visible_to(request.user).with_membership().filter(pk=pk).first()


def _typed(request, name):
    return request.POST.get(f"client-{name}", "")


def _matching_clients(request, user):
    kana = _typed(request, "family_name_kana") + _typed(request, "given_name_kana")
    phone = _typed(request, "phone_mobile") or _typed(request, "phone_home")
    # The shown few first, then their membership and open cases: annotated over every
    # match, PostgreSQL hashed all current members and this year's fees (150 ms at 1M).
    # By pk, not by reading: no index serves a prefix match sorted by reading in a centre.
    shown = Client.objects.visible_to(user).matching(kana=kana, phone=phone).order_by("pk")
    ids = list(shown.values_list("pk", flat=True)[:MATCHES_SHOWN])
    if not ids:
        return []
    clients = (
        Client.objects.filter(pk__in=ids)
        .select_related("municipality")  # shown for each match
        .with_membership()
        .annotate(open_cases=Count("cases", filter=~Q(cases__status=Case.Status.CLOSED)))
        .order_by("search_kana", "pk")
    )
    return list(clients)


def _matching_members(request, user):
    """Members in good standing with that reading who have no client record yet."""
    kana = search_key(_typed(request, "family_name_kana") + _typed(request, "given_name_kana"))
    if len(kana) < 2:
        return []
    members = Member.objects.visible_to(user).current().filter(clients__isnull=True)
    return list(members.filter(search_text__contains=kana)[:MATCHES_SHOWN])


def _chosen_member(request):
    number = request.POST.get("choose_member", "") if request.method == "POST" else ""
    if not re.fullmatch(r"[\w-]{1,20}", number, re.ASCII):
        return None
    return Member.objects.visible_to(request.user).filter(number=number).first()


def _client_fields_from(member):
    """A new client's fields, pre-filled from their member record."""
    family, _space, given = member.name.partition(" ")
    family_kana, _space, given_kana = member.name_kana.partition(" ")
    digits = "".join(ch for ch in member.phone if ch.isdigit())
    mobile = digits[:3] in {"060", "070", "080", "090"}
    return {
        "family_name": family,
        "given_name": given,
        "family_name_kana": family_kana,
        "given_name_kana": given_kana,
        "phone_mobile" if mobile else "phone_home": digits,
        "email": member.email,
        "birth_date": member.birth_date,
        "postcode": member.postcode,
        "member": member.number,
    }


@require_POST
def postcode_address(request):
    """The address block filled from a 郵便番号 (htmx), keeping what was typed."""
    form = ClientIntakeForm(request.POST, prefix="client", user=request.user)
    form.fill_address_from_postcode()
    return render(request, "consultations/_address_fields.html", {"client_form": form})


def case_list(request):
    """Cases of the centre, filtered by a posted form kept in the session.

    Names and phone numbers typed into the filter would land in browser history and
    server logs if they were in the URL, so the filter is posted and remembered here.
    """
    user = request.user
    if request.method == "POST":
        if "clear" in request.POST:
            request.session.pop(FILTER_SESSION_KEY, None)
            return redirect("consultations:case-list")
        form = CaseFilterForm(request.POST, user=user)
        if form.is_valid():
            request.session[FILTER_SESSION_KEY] = {
                name: request.POST.get(name, "") for name in form.fields
            }
            return redirect("consultations:case-list")
    else:
        form = CaseFilterForm(request.session.get(FILTER_SESSION_KEY) or None, user=user)
        if form.is_bound and not form.is_valid():
            # A kept filter that no longer holds (say, the assignee left): drop it.
            request.session.pop(FILTER_SESSION_KEY)
            form = CaseFilterForm(user=user)
    filtered = form.is_bound and form.is_valid()
    cases = (
        form.filter(Case.objects.visible_to(user)) if filtered else Case.objects.visible_to(user)
    )
    page = CappedPaginator(cases.for_list(), CASES_PER_PAGE).get_page(request.GET.get("page"))
    # Each row's link and status label without reverse() and get_status_display() for
    # each of the 25 (about 1 ms of the page).
    case_url = url_maker("consultations:case-detail")
    for case in page:
        case.detail_url = case_url(case.number)
        case.status_label = choice_label(Case.Status, case.status)
    return render(
        request,
        "consultations/case_list.html",
        {"form": form, "page": page, "filtered": filtered, "count_cap": COUNT_CAP},
    )


def case_detail(request, number):
    case = get_case_or_404(request, number)
    log_action(action=AuditEvent.Action.VIEW, user=request.user, request=request, obj=case)
    return render(
        request,
        "consultations/case_detail.html",
        {
            "case": case,
            "timeline": case.timeline(),
            "note_form": CaseNoteForm(),
            "status_form": CaseStatusForm(case=case) if case.next_statuses() else None,
            "close_form": CaseCloseForm() if case.is_open else None,
            "reopen_form": CaseReopenForm() if not case.is_open else None,
        },
    )


def case_edit(request, number):
    user = request.user
    case = get_case_or_404(request, number)
    if request.method == "GET":
        # The form shows the case as the case page does.
        log_action(action=AuditEvent.Action.VIEW, user=user, request=request, obj=case, form=1)
    form = CaseForm(request.POST or None, instance=case, user=user)
    if form.is_valid() and not form.changed_fields():
        return redirect(case)
    if form.is_valid() and _saved_unless_stale(request, form, case, by=user):
        messages.success(request, _("The case was saved."))
        if not Case.objects.visible_to(user).filter(pk=case.pk).exists():
            return redirect("consultations:case-list")
        return redirect(case)
    return render(request, "consultations/case_form.html", {"form": form, "case": case})


def _saved_unless_stale(request, form, record, **save_kwargs):
    """Save the form's changes to `record` and audit them (the field names), unless
    someone saved it since the form was loaded: then the form says so, and False."""
    fields = form.changed_fields()
    try:
        record.save_edit(
            expected_version=form.cleaned_data["version"], fields=fields, **save_kwargs
        )
    except StaleEdit:
        _refuse_stale_edit(form, type(record).objects.get(pk=record.pk))
        return False
    log_action(
        action=AuditEvent.Action.CHANGE,
        user=request.user,
        request=request,
        obj=record,
        fields=fields,
    )
    return True


def _refuse_stale_edit(form, current):
    changes = form.changes_by_others(current)
    form.take_over(current)
    form.add_error(
        None,
        _(
            "Someone else saved this record while you were editing it, so your changes "
            "were not saved. Your entries are still in the form: check them against "
            "what is saved now and save again."
        ),
    )
    form.stale_changes = changes


@require_POST
def case_add_note(request, number):
    case = get_case_or_404(request, number)
    if replay := replayed(request):
        return replay
    form = CaseNoteForm(request.POST)
    if form.is_valid():
        user = request.user
        try:
            with transaction.atomic():
                note = case.add_note(form.cleaned_data["text"], by=user)
                log_action(action=AuditEvent.Action.CHANGE, user=user, request=request, obj=case)
                # The note itself too: it is what the save receipt points at.
                log_action(action=AuditEvent.Action.CREATE, user=user, request=request, obj=note)
                record_save(request, note, case.get_absolute_url())
        except SavedMeanwhile:
            return replayed(request)
        messages.success(request, _("The note was added."))
    else:
        messages.error(request, _("The note was not added: %(error)s") % _first_error(form))
    return redirect(case)


@require_POST
def case_change_status(request, number):
    return _case_verb(request, number, CaseStatusForm, "change_status")


@require_POST
def case_close(request, number):
    return _case_verb(request, number, CaseCloseForm, "close")


@require_POST
def case_reopen(request, number):
    return _case_verb(request, number, CaseReopenForm, "reopen")


def _case_verb(request, number, form_class, verb):
    """Run a status verb on the case from its small form, then go back to the case."""
    case = get_case_or_404(request, number)
    kwargs = {"case": case} if form_class is CaseStatusForm else {}
    form = form_class(request.POST, **kwargs)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: %(error)s") % _first_error(form))
        return redirect(case)
    data = form.cleaned_data
    try:
        if verb == "change_status":
            case.change_status(data["status"], by=request.user, note=data["note"])
        elif verb == "close":
            case.close(reason=data["reason"], by=request.user, note=data["note"])
        else:
            case.reopen(by=request.user, note=data["note"])
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        log_action(
            action=AuditEvent.Action.CHANGE,
            user=request.user,
            request=request,
            obj=case,
            status=case.status,
        )
        messages.success(
            request, _("The case is now: %(status)s.") % {"status": case.get_status_display()}
        )
    return redirect(case)


def _first_error(form):
    return {"error": next(iter(form.errors.values()))[0]}


def client_detail(request, pk):
    user = request.user
    client = get_client_or_404(request, pk)
    log_action(action=AuditEvent.Action.VIEW, user=user, request=request, obj=client)
    cases = client.cases.visible_to(user).select_related("assigned_to", "main_topic")
    consents = client.consents.select_related("organisation", "recorded_by", "withdrawn_by")
    return render(
        request,
        "consultations/client_detail.html",
        {
            "client": client,
            "cases": cases,
            "consents": consents,
            "age": client.age_on(timezone.localdate()),
        },
    )


def client_edit(request, pk):
    user = request.user
    client = get_client_or_404(request, pk)
    if request.method == "GET":
        log_action(action=AuditEvent.Action.VIEW, user=user, request=request, obj=client, form=1)
    form = ClientForm(request.POST or None, instance=client, user=user)
    if form.is_valid() and not form.changed_fields():
        return redirect(client)
    if form.is_valid() and _saved_unless_stale(request, form, client):
        messages.success(request, _("The client's record was saved."))
        return redirect(client)
    return render(request, "consultations/client_form.html", {"form": form, "client": client})


def handover_notes(request):
    """The centre's hand-over notes (連絡ノート): write one, read and acknowledge others."""
    user = request.user
    form = HandoverNoteForm(request.POST or None)
    # Posting a note needs consultations.add_handovernote too (the matrix's post=).
    if request.method == "POST" and form.is_valid():
        note = form.save(commit=False)
        note.center = user.center
        note.author = user
        note.save()
        log_action(action=AuditEvent.Action.CREATE, user=user, request=request, obj=note)
        messages.success(request, _("The note was posted for the next shift."))
        return redirect("consultations:handover-notes")
    notes = (
        HandoverNote.objects.visible_to(user)
        .recent()
        .select_related("author")
        .prefetch_related("readers")
    )
    page = Paginator(notes, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "consultations/handovernote_list.html",
        {"form": form, "page": page, "days": HANDOVER_NOTE_DAYS},
    )


@require_POST
def handover_note_acknowledge(request, pk):
    notes = HandoverNote.objects.visible_to(request.user)
    note = found_or_denied(request, notes.filter(pk=pk).first(), handover_note=pk)
    note.acknowledge(request.user)
    if request.htmx:
        return render(request, "consultations/_note_read.html", {"note": note})
    return redirect(
        "home" if request.POST.get("back_to") == "home" else "consultations:handover-notes"
    )


def _safe_next(request):
    """The `next` address from the form or the query string when it is a page of this
    site, else None: a link from outside cannot send the user elsewhere."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def consent_create(request, pk):
    """Record a client's consent (同意), then go back where the user came from: the
    referral being started, or the client's page."""
    client = get_client_or_404(request, pk)
    back = _safe_next(request)
    form = ConsentForm(request.POST or None, organisation=request.GET.get("organisation"))
    if replay := replayed(request):
        return replay
    if form.is_valid():
        consent = form.save(commit=False)
        consent.client = client
        consent.recorded_by = request.user
        try:
            with transaction.atomic():
                consent.save()
                log_action(
                    action=AuditEvent.Action.CREATE,
                    user=request.user,
                    request=request,
                    obj=consent,
                    client=client.pk,
                )
                record_save(request, consent, back or client.get_absolute_url())
        except SavedMeanwhile:
            return replayed(request)
        messages.success(request, _("The consent was recorded."))
        return redirect(back or client)
    # Shown beside the form, so that nobody records the same consent twice.
    in_force = client.consents.in_force().select_related("organisation", "recorded_by")
    return render(
        request,
        "consultations/consent_form.html",
        {"form": form, "client": client, "in_force": in_force, "next": back},
    )


@require_POST
def consent_withdraw(request, pk):
    """Record that the client withdrew a consent: nothing more goes out under it."""
    consents = Consent.objects.filter(client__in=Client.objects.visible_to(request.user))
    consent = found_or_denied(
        request, consents.select_related("client").filter(pk=pk).first(), consent=pk
    )
    if replay := replayed(request):
        return replay
    form = ConsentWithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: %(error)s") % _first_error(form))
        return redirect(consent.client)
    try:
        with transaction.atomic():
            consent.withdraw(by=request.user, note=form.cleaned_data["note"])
            log_action(
                action=AuditEvent.Action.CHANGE,
                user=request.user,
                request=request,
                obj=consent,
                client=consent.client_id,
                withdrawn=True,
            )
            record_save(request, consent, consent.client.get_absolute_url())
    except SavedMeanwhile:
        return replayed(request)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The withdrawal of the consent was recorded."))
    return redirect(consent.client)

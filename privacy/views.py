"""The privacy officer's pages: a disclosure request answered (開示請求, 個人情報保護法
33条), and the use of a client's data stopped and resumed (利用停止, 35条)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.audit import found_or_denied, log_action
from accounts.models import AuditEvent
from accounts.scoping import scoped_to_center
from consultations.models import Client

from .disclosure import gather
from .forms import ClientFindForm, DisclosureForm, UseStopForm
from .services import client_use_resume, client_use_stop

# Matches shown at once: a request names one person, so a few are enough to pick from.
FOUND_SHOWN = 20


def clients(request):
    """The privacy officer's start: find the person who asked (by reading, phone or
    number, posted), and the clients whose data is stopped now. Every client of the
    centre, restricted cases or not, as a disclosure leaves nothing out."""
    centre_clients = scoped_to_center(Client.objects.all(), request.user)
    form = ClientFindForm(request.POST or None)
    found = None
    if form.is_valid():
        number = form.cleaned_data["number"]
        matches = (
            centre_clients.filter(pk=number)
            if number
            else centre_clients.matching(
                kana=form.cleaned_data["reading"], phone=form.cleaned_data["phone"]
            )
        )
        found = list(matches.order_by("search_kana", "pk")[:FOUND_SHOWN])
        log_action(
            action=AuditEvent.Action.VIEW,
            user=request.user,
            request=request,
            kind="privacy_client_search",
            found=[client.pk for client in found],
        )
    stopped = centre_clients.filter(use_stopped_at__isnull=False).order_by("-use_stopped_at")
    context = {"form": form, "found": found, "stopped": stopped[:FOUND_SHOWN]}
    return render(request, "privacy/clients.html", context)


def _back_to(request, client):
    """The client's page for an officer who works cases, else the officer's own page."""
    if request.user.has_perm("consultations.view_client"):
        return client.get_absolute_url()
    return reverse("privacy:clients")


def get_client_for_officer(request, pk):
    """The client if of the officer's centre, whatever the restriction of their cases (a
    disclosure leaves nothing out); else 404, audited."""
    clients = scoped_to_center(Client.objects.all(), request.user).select_related(
        "center", "prefecture", "municipality", "member", "created_by", "use_stopped_by"
    )
    return found_or_denied(request, clients.filter(pk=pk).first(), client=pk)


def disclosure(request, pk):
    """Everything held about the client, shown with what is withheld; sent, it downloads
    in the chosen form. Allowed while the use is stopped: it is the client's own right."""
    client = get_client_for_officer(request, pk)
    found = gather(client)
    form = DisclosureForm(request.POST or None, passages=found.passages())
    if form.is_valid():
        found.apply(form.redaction())
        log_action(
            action=AuditEvent.Action.EXPORT,
            user=request.user,
            request=request,
            obj=client,
            kind="disclosure",
            format=form.cleaned_data["format"],
            counts=found.counts(),
            ids=found.ids(),
            withheld=len(found.withheld()),
        )
        return _handed_over(request, found, form.cleaned_data["format"])
    log_action(
        action=AuditEvent.Action.VIEW,
        user=request.user,
        request=request,
        obj=client,
        kind="disclosure",
    )
    return render(
        request,
        "privacy/disclosure_form.html",
        {
            "client": client,
            "disclosure": found,
            "form": form,
            "back_url": _back_to(request, client),
        },
        status=400 if form.is_bound else 200,
    )


def _handed_over(request, found, format):
    stamp = timezone.localdate().strftime("%Y%m%d")
    # The file name carries the client's id, never their name.
    name = f"disclosure-{found.client.pk}-{stamp}"
    if format == DisclosureForm.PRINT:
        return render(request, "privacy/disclosure_print.html", {"disclosure": found})
    if format == DisclosureForm.CSV:
        response = HttpResponse(found.as_csv_zip(), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{name}.zip"'
        return response
    response = HttpResponse(found.as_json(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


def use_stop(request, pk):
    client = get_client_for_officer(request, pk)
    if client.use_is_stopped:
        messages.info(request, _("The use of this client's data is already stopped."))
        return redirect(_back_to(request, client))
    form = UseStopForm(request.POST or None)
    if form.is_valid():
        client_use_stop(
            client=client, by=request.user, reason=form.cleaned_data["reason"], request=request
        )
        messages.success(
            request,
            _(
                "The use of the client's data is stopped: no referral, hand-off or export "
                "until it is lifted. Answer links already sent no longer work."
            ),
        )
        return redirect(_back_to(request, client))
    context = {"client": client, "form": form, "back_url": _back_to(request, client)}
    return render(request, "privacy/use_stop_form.html", context)


@require_POST
def use_resume(request, pk):
    client = get_client_for_officer(request, pk)
    try:
        client_use_resume(client=client, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The client's data may be used again."))
    return redirect(_back_to(request, client))

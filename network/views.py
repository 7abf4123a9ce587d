from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.audit import log_action
from accounts.models import AuditEvent

from .forms import DirectorySearchForm
from .models import Contact, Organisation, Service, prepare_results, verification_cutoff

PAGE_SIZE = 20


def search(request):
    form = DirectorySearchForm(request.GET or None)
    organisations = Organisation.objects.active()
    services = Service.objects.active()
    open_on = None
    if form.is_valid():
        organisations, services = form.filter(organisations, services)
        open_on = form.cleaned_data["open_on"]
    contacts = request.user.has_perm("network.view_contact")
    organisations = organisations.for_results(services, contacts=contacts).strongest_tie_first()
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    prepare_results(page, after=open_on)
    return render(request, "network/search.html", {"form": form, "page": page})


def organisation_detail(request, pk):
    organisations = Organisation.objects.with_services(Service.objects.prefetch_related("areas"))
    if request.user.has_perm("network.view_contact"):
        contacts = Contact.objects.active().select_related("service")
        organisations = organisations.prefetch_related(
            Prefetch("contacts", queryset=contacts, to_attr="listed_contacts")
        )
    organisation = get_object_or_404(organisations.select_related("verified_by"), pk=pk)
    for service in organisation.listed_services:
        service.next_days = service.upcoming_days(3)
    return render(request, "network/organisation_detail.html", {"organisation": organisation})


def service_detail(request, pk):
    services = Service.objects.select_related("organisation").prefetch_related(
        "topics__category", "areas", "schedules"
    )
    if request.user.has_perm("network.view_contact"):
        services = services.prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.active(), to_attr="listed_contacts")
        )
    service = get_object_or_404(services, pk=pk)
    schedules = [(schedule, schedule.next_days(6)) for schedule in service.schedules.all()]
    return render(
        request, "network/service_detail.html", {"service": service, "schedules": schedules}
    )


def unverified(request):
    organisations = (
        Organisation.objects.active()
        .not_verified_since(verification_cutoff())
        .select_related("municipality", "verified_by")
        .order_by(F("verified_on").asc(nulls_first=True), "name_kana", "pk")
    )
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "network/unverified.html", {"page": page})


@require_POST
def organisation_verify(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    organisation.verify(by=request.user)
    log_action(
        action=AuditEvent.Action.CHANGE, user=request.user, request=request, obj=organisation
    )
    messages.success(request, _("%(name)s is marked verified today.") % {"name": organisation})
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return redirect(next_url)
    return redirect(organisation)

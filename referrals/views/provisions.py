"""第三者提供の記録: a client's records of provision to partners, listed and exported."""

import csv
import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.audit import log_action
from accounts.exports import defused
from accounts.models import AuditEvent
from consultations.models import USE_STOPPED_MESSAGE
from consultations.views import get_client_or_404

from ..models import ProvisionRecord

RECORDS_PER_PAGE = 50
# The columns of the export: the record as the law asks for it (規則20条), in Japanese
# whatever the interface language, so the file reads the same for whoever asks for it.
CSV_HEADERS = [
    "提供日時",
    "提供先",
    "本人を特定する事項",
    "提供した項目",
    "同意",
    "方法",
    "提供者",
    "保存期限",
]


def _records_of(request, client):
    return (
        ProvisionRecord.objects.visible_to(request.user)
        .filter(client=client)
        .select_related("provided_by")
    )


def provision_list(request, pk):
    client = get_client_or_404(request, pk)
    page = Paginator(_records_of(request, client), RECORDS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    log_action(
        action=AuditEvent.Action.VIEW,
        user=request.user,
        request=request,
        obj=client,
        provision_records=len(page),
    )
    return render(request, "referrals/provision_list.html", {"client": client, "page": page})


def provision_export(request, pk):
    """The client's records as CSV (UTF-8 with BOM, which Excel opens); the file name
    carries the client's id, never their name."""
    client = get_client_or_404(request, pk)
    if client.use_is_stopped:
        log_action(
            action=AuditEvent.Action.DENIED,
            user=request.user,
            request=request,
            obj=client,
            reason="use_stopped",
        )
        messages.error(request, USE_STOPPED_MESSAGE)
        return redirect("referrals:provision-list", pk=client.pk)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADERS)
    count = 0
    for record in _records_of(request, client):
        writer.writerow([defused(str(value)) for value in _row(record)])
        count += 1
    log_action(
        action=AuditEvent.Action.EXPORT, user=request.user, request=request, obj=client, count=count
    )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'attachment; filename="provision-records-{client.pk}-{stamp}.csv"'
    )
    return response


def _row(record):
    return [
        timezone.localtime(record.provided_at).strftime("%Y-%m-%d %H:%M"),
        record.recipient,
        record.client_identification,
        record.items,
        record.consent_basis,
        record.get_channel_display(),
        record.provided_by,
        record.keep_until.isoformat(),
    ]

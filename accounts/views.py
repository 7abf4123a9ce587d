import csv
import io
import sys

from django.contrib.auth.decorators import login_not_required, permission_required
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.views import defaults

from .access_report import AccessReport
from .audit import log_action
from .exports import defused
from .forms import AccessReportForm
from .models import AuditEvent, User


def home_context(request):
    """The start page's own panels: who you are, your last sign-in, and what your roles
    may see. The home view itself lives in the rightmost app that adds panels."""
    user = request.user
    previous_login = AuditEvent.objects.previous_login_of(user)
    context = {
        "previous_login": previous_login,
        "failed_logins_since": AuditEvent.objects.failed_logins_for(
            user.get_username(), since=previous_login.at if previous_login else None
        ).count(),
    }
    if user.has_perm("accounts.view_user"):
        context["colleagues"] = User.objects.visible_to(user).active().with_roles()
    if user.has_perm("accounts.view_auditevent"):
        context["recent_failed_logins"] = AuditEvent.objects.visible_to(user).failed_logins()[:10]
    return context


def permission_denied(request, exception):
    """The 403 page; a signed-in user's refused attempt goes into the audit trail."""
    if request.user.is_authenticated:
        log_action(
            action=AuditEvent.Action.DENIED, user=request.user, request=request, path=request.path
        )
    return render(request, "403.html", status=403)


def server_error(request):
    """The 500 page; or, when the database was out of reach or cancelled the query
    (a restart, too many connections, a lock or statement timeout), the 503 page: the
    request failed cleanly and the same thing will work again in a few seconds.

    Rendered without the request, like Django's own: nothing here may need the database.
    """
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response
    return defaults.server_error(request)


# Seconds a client should wait before trying again after a 503.
DATABASE_RETRY_AFTER = 10


@login_not_required
def alive(request):
    """Liveness for monitoring and load balancers: the app answers, without touching the
    database (a page with no queries, which the benchmark also uses as its floor)."""
    return render(request, "alive.html")


@permission_required("accounts.view_auditevent", raise_exception=True)
def access_report(request):
    """Whose data a colleague of the centre opened in a period: for a suspected leak."""
    form = AccessReportForm(request.GET or None, reader=request.user)
    report = None
    if form.is_valid():
        report = _report(request, form.cleaned_data)
        _log_report(request, AuditEvent.Action.VIEW, form.cleaned_data)
    context = {"form": form, "report": report, "rows": list(report.rows()) if report else []}
    return render(request, "accounts/access_report.html", context)


@permission_required("accounts.view_auditevent", raise_exception=True)
def access_report_csv(request):
    """The same report as CSV (UTF-8 with BOM, which Excel opens): one subject a line."""
    form = AccessReportForm(request.GET, reader=request.user)
    if not form.is_valid():
        return redirect(f"{reverse('accounts:access-report')}?{request.GET.urlencode()}")
    report = _report(request, form.cleaned_data)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(["kind", "id", "restricted"])
    for kind, subject, restricted in report.rows():
        writer.writerow([kind, defused(str(subject)), "yes" if restricted else ""])
    _log_report(request, AuditEvent.Action.EXPORT, form.cleaned_data)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime(report.start).strftime("%Y%m%d%H%M")
    name = f"access-report-{report.user.pk}-{stamp}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _report(request, data):
    events = AuditEvent.objects.visible_to(request.user)
    return AccessReport.build(events, user=data["user"], start=data["start"], end=data["end"])


def _log_report(request, action, data):
    # Who looked into whose access, and over which period.
    log_action(
        action=action,
        user=request.user,
        request=request,
        obj=data["user"],
        report="access",
        start=data["start"],
        end=data["end"],
    )

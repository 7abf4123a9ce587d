import csv
import io
import sys
from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError, transaction
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render, resolve_url
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access_report import AccessReport
from .audit import log_action
from .exports import defused
from .forms import AccessReportForm, SecondFactorForm, TwoFactorSetupForm
from .models import AuditEvent, BackupCode, User
from .services import backup_codes_replace, second_factor_set_up


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
    Only the request's Content-Security-Policy nonce goes in, for the page's scripts.
    """
    context = {"CSP_NONCE": getattr(request, "csp_nonce", "")}
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        response = HttpResponse(loader.get_template("503.html").render(context), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response
    return HttpResponseServerError(loader.get_template("500.html").render(context))


# Seconds a client should wait before trying again after a 503.
DATABASE_RETRY_AFTER = 10


@method_decorator(login_not_required, name="dispatch")
class LogoutView(auth_views.LogoutView):
    """Django's logout (POST only; the session is deleted on the server), and the browser
    is told to drop what it keeps of the site, so nothing of the work stays on a shared
    counter PC: cached pages, cookies, storage.

    Open without a login: the button pressed after the session timed out still clears
    the browser, and leads to the login page rather than back to the logout after it.
    """

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, showing where the person is logged in: a new password
    logs them out everywhere but here (User.save ends the sessions). Audited."""

    def get_context_data(self, **kwargs):
        sessions = self.request.user.sessions.current()
        return super().get_context_data(sessions=sessions, **kwargs)

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            _log_new_password(self.request, form.user, how="changed")
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's new password from an e-mailed link, audited."""

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            _log_new_password(self.request, form.user, how="reset")
        return response


def _log_new_password(request, user, *, how):
    # Who set it and how; never the password.
    log_action(
        action=AuditEvent.Action.CHANGE,
        user=user,
        request=request,
        obj=user,
        fields=["password"],
        password=how,
    )


@login_not_required
def alive(request):
    """Liveness for monitoring and load balancers: the app answers, without touching the
    database (a page with no queries, which the benchmark also uses as its floor)."""
    return render(request, "alive.html")


class PasswordStepView(auth_views.LoginView):
    """Django's login page, the first of two steps: a right password leads to the code
    step (or, the first time, to setting up the app), taking `next` along."""

    redirect_authenticated_user = True

    def get_success_url(self):
        destination = super().get_success_url()
        user = self.request.user
        # After login() request.user is the bare User, not yet seen by OTPMiddleware.
        if getattr(user, "is_verified", None) and user.is_verified():
            return destination
        return f"{reverse('login-code')}?{urlencode({'next': destination})}"


def _next_url(request):
    """Where to go after the second factor: `next` when it is a page of this site."""
    url = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _second_factor_passed(request, device):
    otp_login(request, device)
    # A new session key once the second factor is passed too, as at the password.
    request.session.cycle_key()


def _has_authenticator(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request):
    """The second step of the login: a code from the authenticator app or a backup code."""
    next_url = _next_url(request)
    if request.user.is_verified():
        return redirect(next_url)
    if not _has_authenticator(request.user):
        return redirect(f"{reverse('two-factor-setup')}?{urlencode({'next': next_url})}")
    form = SecondFactorForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            _second_factor_passed(request, form.device)
            log_action(
                action=AuditEvent.Action.SECOND_FACTOR,
                user=request.user,
                request=request,
                device=form.device._meta.model_name,
            )
            return redirect(next_url)
        log_action(
            action=AuditEvent.Action.SECOND_FACTOR_FAILED, user=request.user, request=request
        )
    return render(request, "registration/login_code.html", {"form": form, "next": next_url})


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Setting up the authenticator app, once per person: a QR code and the secret, then
    the app's first code; the backup codes are shown on the answer, once."""
    next_url = _next_url(request)
    if _has_authenticator(request.user):
        # Replacing the app takes the old one's code first, never the password alone.
        if request.user.is_verified():
            return redirect("backup-codes")
        return redirect(f"{reverse('login-code')}?{urlencode({'next': next_url})}")
    unconfirmed = TOTPDevice.objects.devices_for_user(request.user, confirmed=False)
    device = unconfirmed.select_related("user").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name=_("Authenticator app"), confirmed=False
        )
    form = TwoFactorSetupForm(device, request.POST if request.method == "POST" else None)
    if form.is_valid():
        codes = second_factor_set_up(device=device, request=request)
        _second_factor_passed(request, device)
        return render(request, "accounts/backup_codes_new.html", {"codes": codes, "next": next_url})
    if request.method == "POST":
        log_action(
            action=AuditEvent.Action.SECOND_FACTOR_FAILED, user=request.user, request=request
        )
    qr_code = segno.make(device.config_url, error="m").svg_inline(
        scale=4, light="white", title=_("QR code for your authenticator app"), svgclass="qr-code"
    )
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "next": next_url,
        # segno writes only the code's squares and our title (escaped): no user text.
        "qr_code": mark_safe(qr_code),  # noqa: S308  # nosec B308 B703
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def backup_codes(request):
    """How many backup codes are left, and a button for ten new ones (shown once)."""
    if request.method == "POST":
        codes = backup_codes_replace(user=request.user, request=request)
        context = {"codes": codes, "next": reverse("home"), "replaced": True}
        return render(request, "accounts/backup_codes_new.html", context)
    remaining = BackupCode.objects.filter(device__user=request.user).count()
    return render(request, "accounts/backup_codes.html", {"remaining": remaining})


def access_report(request):
    """Whose data a colleague of the centre opened in a period: for a suspected leak."""
    form = AccessReportForm(request.GET or None, reader=request.user)
    report = None
    if form.is_valid():
        report = _report(request, form.cleaned_data)
        _log_report(request, AuditEvent.Action.VIEW, form.cleaned_data)
    context = {"form": form, "report": report, "rows": list(report.rows()) if report else []}
    return render(request, "accounts/access_report.html", context)


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

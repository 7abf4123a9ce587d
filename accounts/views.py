import sys

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.decorators import method_decorator

from .audit import log_action
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
    logs them out everywhere but here (User.save ends the sessions)."""

    def get_context_data(self, **kwargs):
        sessions = self.request.user.sessions.current()
        return super().get_context_data(sessions=sessions, **kwargs)


@login_not_required
def alive(request):
    """Liveness for monitoring and load balancers: the app answers, without touching the
    database (a page with no queries, which the benchmark also uses as its floor)."""
    return render(request, "alive.html")

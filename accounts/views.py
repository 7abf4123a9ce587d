from django.shortcuts import render

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

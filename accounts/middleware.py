import time

from django.core.exceptions import PermissionDenied

from accounts import access

# A signed-in session's idle timeout (SESSION_COOKIE_AGE) moves forward when the session is
# saved. Saving it at every request (SESSION_SAVE_EVERY_REQUEST) made every page, even a
# read, commit a write; once a minute is enough for a 30-minute timeout.
REFRESH_EVERY_SECONDS = 60
REFRESHED_AT = "_refreshed_at"


class SessionRefreshMiddleware:
    """Saves a session with data in it at most once a minute, so that it stays alive while
    the person works and ends SESSION_COOKIE_AGE (less up to a minute) after they stop."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only sessions that were read: a visitor without one gets none made for them.
        if session is not None and session.accessed and not session.is_empty():
            now = int(time.time())
            if now - session.get(REFRESHED_AT, 0) >= REFRESH_EVERY_SECONDS:
                session[REFRESHED_AT] = now
        return response


class AccessMiddleware:
    """Deny by default: a view runs only when the permission matrix (accounts.access) has
    an entry for it and the user holds the permissions the entry names.

    Placed after LoginRequiredMiddleware, which has already sent anonymous visitors of
    non-public pages to the login page. A refusal raises PermissionDenied, so the 403
    page writes it to the audit trail. The check is `has_perm`, served from Django's
    per-request permission cache: no query beyond what the views already made.
    Which records a user may reach stays with the views (`visible_to(user)`).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match.namespaces and match.namespaces[0] in access.EXEMPT_NAMESPACES:
            return None
        rule = access.rule_for(match.view_name)
        if rule is None:
            raise PermissionDenied
        needed = rule.permissions(request.method)
        if needed and not request.user.has_perms(needed):
            raise PermissionDenied
        return None

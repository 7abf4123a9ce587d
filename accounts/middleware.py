import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from accounts import access

from .sessions import LOGGED_IN_AT, follow_session_key

# A signed-in session's idle timeout (SESSION_COOKIE_AGE) moves forward when the session is
# saved. Saving it at every request (SESSION_SAVE_EVERY_REQUEST) made every page, even a
# read, commit a write; once a minute is enough for a 30-minute timeout.
REFRESH_EVERY_SECONDS = 60
REFRESHED_AT = "_refreshed_at"


class SessionLifetimeMiddleware:
    """Keeps a staff session alive while its person works and ends it when it is over.

    - Saves a session with data in it at most once a minute, so that it ends
      SESSION_COOKIE_AGE (less up to a minute) after the person stops.
    - Logs a session out SESSION_ABSOLUTE_AGE after its login, however busy; the person
      is told why on the login page.
    - Keeps the session's StaffSession row on its current key.

    All from the session's data, which the login check reads anyway: no query of its own
    on an ordinary page.
    """

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
            follow_session_key(request)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # In process_view, after MessageMiddleware has set up the messages and before
        # LoginRequiredMiddleware sends the now anonymous visitor to the login page.
        session = request.session
        if SESSION_KEY not in session:
            return None
        logged_in_at = session.get(LOGGED_IN_AT)
        # A session without a login time was started before the limit existed.
        if logged_in_at is None or time.time() - logged_in_at > settings.SESSION_ABSOLUTE_AGE:
            logout(request)
            messages.info(
                request,
                _(
                    "You have been logged out: a session ends %(hours)s hours after logging "
                    "in. Please log in again."
                )
                % {"hours": f"{settings.SESSION_ABSOLUTE_AGE / 3600:g}"},
            )
        return None


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


class NoStoreWhenSignedInMiddleware:
    """Tells browsers and proxies to keep no copy of any answer to a signed-in person
    (`Cache-Control: no-store`), so that a shared counter PC's back button or disk cache
    shows no client data after logout. Static files (WhiteNoise answers before this) and
    anonymous pages such as /alive/ keep their own caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class SecondFactorRequiredMiddleware:
    """Sends a signed-in user who has not passed the second factor in this session to the
    code step, from every page but the few that lead there (and the back office, whose
    OTP login page asks for the code itself). A password alone shows no personal data.

    After OTPMiddleware (request.user.is_verified) and LoginRequiredMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        # The pages open before the code come from the matrix (public, or a step of
        # signing in); the back office asks for the code on its own login page.
        if access.open_before_second_factor(match.view_name) or (
            set(match.namespaces) & access.EXEMPT_NAMESPACES
        ):
            return None
        return redirect_to_login(request.get_full_path(), reverse("login-code"))

import time

from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

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


class SecondFactorRequiredMiddleware:
    """Sends a signed-in user who has not passed the second factor in this session to the
    code step, from every page but the few that lead there (and the back office, whose
    OTP login page asks for the code itself). A password alone shows no personal data.

    After OTPMiddleware (request.user.is_verified) and LoginRequiredMiddleware.
    """

    ALLOWED = {
        "login",
        "login-code",
        "two-factor-setup",
        "logout",
        "alive",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
    }
    OWN_CHECK = {"admin"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match.view_name in self.ALLOWED or set(match.namespaces) & self.OWN_CHECK:
            return None
        return redirect_to_login(request.get_full_path(), reverse("login-code"))

import time

from django.utils.cache import add_never_cache_headers

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

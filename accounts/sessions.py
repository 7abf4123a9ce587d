"""What a staff session carries beyond Django's own: its login time, which bounds its life
(SESSION_ABSOLUTE_AGE), and its row in the registry of staff sessions (StaffSession).

The receivers write both at login and remove the row at logout; `follow_session_key()`
keeps the row on the session's key when Django gives the session a new one.
"""

import time
from datetime import UTC, datetime

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.utils import timezone

from .audit import client_ip
from .models import StaffSession

# Keys of our own in the session's data.
LOGGED_IN_AT = "_logged_in_at"  # a Unix time, like REFRESHED_AT in accounts.middleware
REGISTERED_AS = "_registered_as"  # the session key the registry row has


def register(request, user_id, *, started_at):
    session = request.session
    StaffSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user_id": user_id,
            "started_at": started_at,
            "ip_address": client_ip(request),
            "user_agent": request.headers.get("user-agent", "")[:200],
        },
    )
    session[REGISTERED_AS] = session.session_key


def follow_session_key(request):
    """Move the session's registry row to the session's current key.

    Django gives a logged-in session a new key when the password changes
    (update_session_auth_hash) or the second factor is passed; a row left on the old key
    could no longer end the session. Costs nothing unless the key changed.
    """
    session = request.session
    registered = session.get(REGISTERED_AS)
    if registered is None or session.session_key in (None, registered):
        return
    moved = StaffSession.objects.filter(session_key=registered).update(
        session_key=session.session_key
    )
    if moved:
        session[REGISTERED_AS] = session.session_key
    else:
        # Its row went with the rest of the user's when their password changed: this is
        # the page that changed it, which stays logged in.
        started_at = datetime.fromtimestamp(session[LOGGED_IN_AT], tz=UTC)
        register(request, session[SESSION_KEY], started_at=started_at)


# Django's auth signals also cover the back office's login page, like accounts.audit's.
@receiver(user_logged_in)
def _start_session(sender, request, user, **kwargs):
    session = request.session
    session[LOGGED_IN_AT] = int(time.time())
    if session.session_key is None:
        # Logging in over another user's session starts an empty one without a key yet.
        session.save()
    StaffSession.objects.expired().delete()
    register(request, user.pk, started_at=timezone.now())


@receiver(user_logged_out)
def _end_session(sender, request, user, **kwargs):
    if request.session.session_key:
        StaffSession.objects.filter(session_key=request.session.session_key).delete()

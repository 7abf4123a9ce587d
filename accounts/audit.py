"""The audit trail's one entry point, and the receivers for Django's auth events.

Later apps call `log_action()` explicitly where a person's data is viewed, created,
changed, exported or deleted, inside the same transaction as the change, as its last
write: the event takes the audit chain's lock (accounts.audit_chain), held until the
transaction commits, and a lock taken after it could wait on a transaction that waits
for the chain.
"""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.dispatch import receiver
from django.http import Http404

from .models import AuditEvent


def client_ip(request):
    """The address the request came from (behind a proxy: the proxy's)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def log_action(
    *,
    action,
    user=None,
    request=None,
    obj=None,
    records=(),
    username="",
    center_id=None,
    **detail,
):
    """Write one AuditEvent. `detail` takes ids, counts and field names, never content.

    `obj` is the one record acted on; `records` the many of an export (one event for
    all of them). Whose data it touched goes into detail["subjects"] (see
    `audit_subjects`), which `access_report` reads. The event belongs to the acting
    user's centre unless `center_id` says otherwise.
    """
    if user is not None and not user.is_authenticated:
        user = None
    records = list(records)
    subjects = audit_subjects([obj, *records])
    if subjects:
        detail["subjects"] = subjects
    model = obj if obj is not None else (records[0] if records else None)
    return AuditEvent.objects.create(
        action=action,
        user=user,
        username=username or (user.get_username() if user else ""),
        center_id=center_id or (user.center_id if user else None),
        ip_address=client_ip(request),
        content_type=ContentType.objects.get_for_model(model) if model is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail,
    )


# The kinds of subject an event can name, as detail["subjects"] keys: case numbers,
# client ids, member numbers, and which of the cases were restricted (要配慮) then.
SUBJECT_KINDS = ("cases", "clients", "members", "restricted")


def audit_subjects(records):
    """Whose data `records` hold, merged: {"cases": [...], "clients": [...], ...}.

    A model says it through an `audit_subjects()` method returning such a dict (ids and
    numbers only); records of other models add nothing. Empty kinds are left out.
    """
    merged = {kind: {} for kind in SUBJECT_KINDS}
    for record in records:
        named = getattr(record, "audit_subjects", None)
        for kind, values in (named() if named else {}).items():
            merged[kind].update(dict.fromkeys(values))
    return {kind: list(values) for kind, values in merged.items() if values}


def found_or_denied(request, found, **asked):
    """`found`, or Http404 after writing the refused attempt to the audit trail.

    Another centre's or a restricted record looks the same as none at all to the user;
    `asked` says what was asked for (a number or id, never personal data).
    """
    if found is None:
        log_action(action=AuditEvent.Action.DENIED, user=request.user, request=request, **asked)
        raise Http404
    return found


# Django's auth signals are the one hook that also covers the admin's login page.
@receiver(user_logged_in)
def _log_login(sender, request, user, **kwargs):
    log_action(action=AuditEvent.Action.LOGIN, user=user, request=request)


def _log_refused(action, username, request):
    User = get_user_model()
    username = str(username or "")[:150]
    # Attach the centre when the name is known, so the centre's manager sees attacks on
    # their staff.
    center_id = User.objects.filter(username=username).values_list("center", flat=True).first()
    log_action(action=action, request=request, username=username, center_id=center_id)


@receiver(user_login_failed)
def _log_failed_login(sender, credentials, request=None, **kwargs):
    # The password never reaches this function: Django masks it in `credentials`.
    username = credentials.get(get_user_model().USERNAME_FIELD)
    _log_refused(AuditEvent.Action.LOGIN_FAILED, username, request)


# django-axes' signal: five wrong passwords for this name from this address.
@receiver(user_locked_out)
def _log_lockout(sender, request, username, ip_address, **kwargs):
    _log_refused(AuditEvent.Action.LOCKED_OUT, username, request)


@receiver(user_logged_out)
def _log_logout(sender, request, user, **kwargs):
    if user is not None:
        log_action(action=AuditEvent.Action.LOGOUT, user=user, request=request)

"""Saving a form once, however often it is sent.

Every form that creates something carries a random key in a hidden field (the
`{% save_once %}` tag; a script may make its own UUID). The view saves and calls
`record_save()` in one transaction; when the same key comes again, `replayed()` answers
with the first save's page instead of saving a second time:

    if replay := replayed(request):
        return replay
    ...
    try:
        with transaction.atomic():
            case = services.open_case(...)
            record_save(request, case, case.get_absolute_url())
    except SavedMeanwhile:
        return replayed(request)
"""

import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.shortcuts import redirect

from .models import SaveReceipt

FIELD = "idem_key"


class SavedMeanwhile(Exception):
    """A request with the same key saved first; this one's writes are rolled back."""


def submitted_key(request):
    """The key the posted form carried, or None (absent or not a UUID)."""
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except ValueError:
        return None


def replayed(request):
    """A redirect to what the first sending of this form saved, or None."""
    key = submitted_key(request) if request.method == "POST" else None
    if key is None:
        return None
    receipt = SaveReceipt.objects.filter(key=key, user=request.user).only("location").first()
    return redirect(receipt.location) if receipt else None


def record_save(request, obj, location):
    """Note that this request's form saved `obj` and led to `location`.

    Call inside the transaction that saved `obj`. Raises SavedMeanwhile when another
    request with the same key got there first, which rolls back the caller's writes.
    """
    key = submitted_key(request)
    if key is None:
        return None
    try:
        with transaction.atomic():
            return SaveReceipt.objects.create(
                key=key,
                user=request.user,
                content_type=ContentType.objects.get_for_model(obj),
                object_id=str(obj.pk),
                location=str(location),
            )
    except IntegrityError as error:
        raise SavedMeanwhile from error

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import log_action
from .models import AuditEvent, BackupCodeDevice


@transaction.atomic
def backup_codes_replace(*, user, request=None):
    """Give `user` ten new backup codes in place of any old ones; return them, to be shown
    once (only their hashes are kept)."""
    device, _created = BackupCodeDevice.objects.get_or_create(
        user=user, defaults={"name": _("Backup codes")}
    )
    codes = device.replace_codes()
    log_action(action=AuditEvent.Action.BACKUP_CODES, user=user, request=request)
    return codes


@transaction.atomic
def second_factor_set_up(*, device: TOTPDevice, request=None):
    """Confirm a TOTP device whose first code was right: from now on the user's logins need
    it. Other unconfirmed devices go; returns the first ten backup codes."""
    device.confirmed = True
    device.full_clean()
    device.save()
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    log_action(action=AuditEvent.Action.SECOND_FACTOR_SET_UP, user=device.user, request=request)
    return backup_codes_replace(user=device.user, request=request)

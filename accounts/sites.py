from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from .audit import log_action
from .forms import TOO_MANY_TRIES
from .models import AuditEvent


class BackOfficeLoginForm(OTPAdminAuthenticationForm):
    """django-otp's admin login form (password, then device and code), in our words: its
    own messages have no Japanese translation."""

    otp_error_messages = {
        **OTPAdminAuthenticationForm.otp_error_messages,
        "token_required": _("Enter the code from your authenticator app."),
        "invalid_token": _("This code is not right. Try the newest code."),
        "n_failed_attempts": TOO_MANY_TRIES,
        "verification_not_allowed": _("Codes cannot be checked just now. Try again later."),
        "device_required": _("Choose where the code comes from, then type it."),
    }

    def clean(self):
        """As on the login's code step, a wrong code and a passed second factor go into the
        audit trail (the password's success or failure already does, by Django's signals)."""
        try:
            cleaned_data = super().clean()
        except ValidationError as error:
            if getattr(error, "code", None) == "invalid_token":
                action = AuditEvent.Action.SECOND_FACTOR_FAILED
                log_action(action=action, user=self.get_user(), request=self.request)
            raise
        device = self.get_user().otp_device
        log_action(
            action=AuditEvent.Action.SECOND_FACTOR,
            user=self.get_user(),
            request=self.request,
            device=device._meta.model_name,
        )
        return cleaned_data


class BackOfficeSite(OTPAdminSite):
    """The back office (Django's admin) for staff who have passed the second factor.

    A password-only session counts as not staff here: the admin's login page then asks for
    the code as well (django-otp's OTP login form). Named "admin" so `admin:` URLs stay.
    """

    login_form = BackOfficeLoginForm
    login_template = "admin/otp_login.html"

    def __init__(self, name="admin"):
        super().__init__(name)

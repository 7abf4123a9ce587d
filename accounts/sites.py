from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class BackOfficeLoginForm(OTPAdminAuthenticationForm):
    """django-otp's admin login form (password, then device and code), in our words: its
    own messages have no Japanese translation."""

    otp_error_messages = {
        **OTPAdminAuthenticationForm.otp_error_messages,
        "token_required": _("Enter the code from your authenticator app."),
        "invalid_token": _("This code is not right. Try the newest code."),
        "n_failed_attempts": ngettext_lazy(
            "%(failure_count)d wrong code: wait a few seconds and try again.",
            "%(failure_count)d wrong codes in a row: wait a few seconds and try again.",
            "failure_count",
        ),
        "verification_not_allowed": _("Codes cannot be checked just now. Try again later."),
        "device_required": _("Choose where the code comes from, then type it."),
    }


class BackOfficeSite(OTPAdminSite):
    """The back office (Django's admin) for staff who have passed the second factor.

    A password-only session counts as not staff here: the admin's login page then asks for
    the code as well (django-otp's OTP login form). Named "admin" so `admin:` URLs stay.
    """

    login_form = BackOfficeLoginForm
    login_template = "admin/otp_login.html"

    def __init__(self, name="admin"):
        super().__init__(name)

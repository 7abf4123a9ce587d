from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import BackupCodeDevice, User, normalize_code

CODE_WIDGET = forms.TextInput(
    attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
)
TOO_MANY_TRIES = _("Too many wrong codes in a row. Wait a few seconds and try again.")


class SecondFactorForm(forms.Form):
    """The code step of the login: six digits from the authenticator app, or one of the
    backup codes. Keeps the device that accepted the code in `self.device`."""

    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        widget=CODE_WIDGET,
        help_text=_("The 6-digit code your authenticator app shows, or one of your backup codes."),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = None

    def clean_code(self):
        code = normalize_code(self.cleaned_data["code"])
        # Six digits are the app's; anything else can only be a backup code.
        model = TOTPDevice if code.isdigit() and len(code) == 6 else BackupCodeDevice
        for device in model.objects.devices_for_user(self.user, confirmed=True):
            if not device.verify_is_allowed()[0]:
                raise ValidationError(TOO_MANY_TRIES, code="throttled")
            # Inside a transaction with the device row locked: a code is accepted once.
            if verify_token(self.user, device.persistent_id, code):
                self.device = device
                return code
        raise ValidationError(
            _("This code is not right. Check the time on your phone and try the newest code."),
            code="invalid",
        )


class TwoFactorSetupForm(forms.Form):
    """Confirms a new authenticator app: the first code it shows proves it has the secret."""

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=20,
        widget=CODE_WIDGET,
        help_text=_("After adding the account, type the 6 digits the app shows."),
    )

    def __init__(self, device, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = normalize_code(self.cleaned_data["code"])
        if not self.device.verify_is_allowed()[0]:
            raise ValidationError(TOO_MANY_TRIES, code="throttled")
        if not verify_token(self.device.user, self.device.persistent_id, code):
            raise ValidationError(
                _("This code is not right. Check that the app shows the account just added."),
                code="invalid",
            )
        return code


LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


class AccessReportForm(forms.Form):
    """Whose access, over which period, read from the query string. Staff of the reader's
    own centre only: another centre's user is not a valid choice."""

    user = forms.ModelChoiceField(label=_("Staff member"), queryset=User.objects.none())
    start = forms.DateTimeField(
        label=_("From"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
    )
    end = forms.DateTimeField(
        label=_("Until"),
        help_text=_("The end is not included."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
    )

    def __init__(self, *args, reader, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.visible_to(reader).order_by("username")
        # The username too: two colleagues may share a name.
        self.fields["user"].label_from_instance = lambda user: f"{user} ({user.get_username()})"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The end of the period must come after its start."))
        return cleaned


def render_options_inline(form):
    """Give the form's selects a template whose options are written by one filter.

    Django renders every option through a template include of its own; the intake page
    has some 330 options (the topics twice, prefectures, municipalities), and those
    includes cost it about 15 ms. The markup is the same, byte for byte.
    """
    for field in form.fields.values():
        if type(field.widget) in (forms.Select, forms.SelectMultiple):
            field.widget.template_name = "accounts/widgets/select.html"

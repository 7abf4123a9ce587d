from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User

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

from django import forms
from django.utils.translation import gettext_lazy as _

from .disclosure import REASONS, Redaction


class DisclosureForm(forms.Form):
    """What to withhold from a disclosure, and in which form to hand it over."""

    JSON = "json"
    CSV = "csv"
    PRINT = "print"

    withhold = forms.MultipleChoiceField(
        label=_("Passages to withhold"), required=False, widget=forms.CheckboxSelectMultiple
    )
    passage_reason = forms.ChoiceField(
        label=_("Why the ticked passages are withheld"), choices=list(REASONS.items())
    )
    withhold_partner_contacts = forms.BooleanField(
        label=_("Withhold the partners' contact people and the addresses links went to"),
        required=False,
        initial=True,
    )
    withhold_staff_names = forms.BooleanField(label=_("Withhold staff names"), required=False)
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            (JSON, _("JSON (one file)")),
            (CSV, _("CSV files for Excel (zip)")),
            (PRINT, _("A page to print, or to save as PDF from the browser")),
        ],
        initial=JSON,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, passages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["withhold"].choices = [(key, key) for key in passages]

    def redaction(self):
        data = self.cleaned_data
        return Redaction(
            passages=set(data["withhold"]),
            passage_reason=data["passage_reason"],
            partner_contacts=data["withhold_partner_contacts"],
            staff_names=data["withhold_staff_names"],
        )


class UseStopForm(forms.Form):
    reason = forms.CharField(
        label=_("The client's request"),
        max_length=200,
        help_text=_("When and how the client asked, e.g. 2026-11-20 by phone to the centre."),
    )


class ClientFindForm(forms.Form):
    """The privacy officer's look-up of the person who made a request: by reading, phone
    number or the client's number in the system. Sent by POST, never in the address."""

    # The start of the family name's reading is enough (ヤマ finds ヤマダ).
    reading = forms.CharField(label=_("Reading (furigana)"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    number = forms.IntegerField(label=_("Client number"), min_value=1, required=False)

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in ("reading", "phone", "number")):
            raise forms.ValidationError(_("Give a reading, a phone number or a client number."))
        return cleaned

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Referral


class PartnerLinkForm(forms.Form):
    to = forms.EmailField(
        label=_("Send to"),
        help_text=_("The partner's address; the e-mail carries only the link, no details."),
    )


class PartnerAnswerForm(forms.Form):
    """The partner's answer through its link: it can take the client, or not and why."""

    ACCEPT = "accept"
    DECLINE = "decline"

    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[(ACCEPT, _("We can take the client")), (DECLINE, _("We cannot take the client"))],
        widget=forms.RadioSelect,
    )
    decline_reason = forms.ChoiceField(
        label=_("Why not"),
        choices=[("", "---------"), *Referral.DeclineReason.choices],
        required=False,
    )
    comment = forms.CharField(
        label=_("Message to the centre"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. when the client can come, whom to ask for."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answer") == self.DECLINE and not cleaned.get("decline_reason"):
            self.add_error("decline_reason", _("Choose why you cannot take the client."))
        return cleaned


class PartnerOutcomeForm(forms.Form):
    """The partner's report, later, of how it went."""

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Referral.Outcome.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Message to the centre"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

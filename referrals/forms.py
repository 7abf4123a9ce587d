from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.models import Contact, Service

from .models import Channel, FollowUp, HandoffSheet, Referral


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


class ChosenServiceForm(forms.Form):
    """The service picked in the finder (?service=<pk>); anything else is no choice."""

    service = forms.ModelChoiceField(
        queryset=Service.objects.active().select_related("organisation")
    )


class ReferralForm(forms.Form):
    """A new referral of a case to the chosen service: to whom, and the need."""

    contact = forms.ModelChoiceField(
        label=_("Contact person"),
        queryset=Contact.objects.none(),
        required=False,
        empty_label=_("(none in particular)"),
    )
    need = forms.CharField(
        label=_("Need"),
        max_length=200,
        help_text=_("In one sentence, what the client needs from the partner."),
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous enquiry"),
        required=False,
        help_text=_(
            "Ask the partner without the client's name or contact details. Needed when the "
            "client has not agreed to share them with this partner."
        ),
    )

    def __init__(self, *args, case, service, consent, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.consent = consent
        self.fields["contact"].queryset = Contact.objects.active().filter(
            Q(service=service) | Q(service__isnull=True), organisation_id=service.organisation_id
        )
        if consent is None:
            self.fields["anonymous"].initial = True

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("anonymous") and self.consent is None:
            raise forms.ValidationError(
                _(
                    "The client has not agreed to share their details with this partner. "
                    "Record the consent first, or make it an anonymous enquiry."
                )
            )
        return cleaned

    @property
    def consent_used(self):
        """The consent the referral will rest on: none for an anonymous enquiry."""
        return None if self.cleaned_data["anonymous"] else self.consent


class AskForm(forms.Form):
    """That the partner was asked by phone, fax or in person."""

    channel = forms.ChoiceField(
        label=_("How"),
        choices=[(c.value, c.label) for c in (Channel.PHONE, Channel.FAX, Channel.IN_PERSON)],
        initial=Channel.PHONE,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=1000, widget=forms.Textarea({"rows": 2})
    )


class AnswerForm(PartnerAnswerForm):
    """The partner's answer as staff took it: by phone, fax, e-mail or in person."""

    channel = forms.ChoiceField(
        label=_("How the answer came"),
        choices=[(c.value, c.label) for c in Channel if c != Channel.LINK],
        initial=Channel.PHONE,
    )

    field_order = ["answer", "decline_reason", "channel", "comment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].label = _("The partner's answer")
        self.fields["answer"].choices = [
            (self.ACCEPT, _("Accepted")),
            (self.DECLINE, _("Declined")),
        ]
        self.fields["comment"].label = _("Comment")
        self.fields["comment"].help_text = ""


class ReferredForm(forms.Form):
    """The client has been told where to go, when, and whom to see."""

    appointment_at = forms.DateTimeField(
        label=_("Appointment"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Where"), required=False, max_length=200)
    with_whom = forms.CharField(label=_("Whom to see"), required=False, max_length=100)
    follow_up_on = forms.DateField(
        label=_("Follow up on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("5 business days from today unless the service says otherwise."),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=1000, widget=forms.Textarea({"rows": 2})
    )

    def clean_follow_up_on(self):
        day = self.cleaned_data["follow_up_on"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("The follow-up date cannot be in the past."))
        return day


class FollowUpForm(forms.ModelForm):
    """その後の経過; choosing an outcome completes the referral."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", _("Not yet: follow up again")), *Referral.Outcome.choices],
        help_text=_("Choose one once the outcome is known; the referral is then completed."),
    )

    class Meta:
        model = FollowUp
        fields = ["done_on", "method", "spoke_with", "note", "next_on"]
        widgets = {
            "done_on": forms.DateInput(attrs={"type": "date"}),
            "next_on": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The partner's own report comes only through its link.
        self.fields["method"].choices = [
            c for c in self.fields["method"].choices if c[0] != FollowUp.Method.LINK
        ]

    def clean(self):
        cleaned = super().clean()
        done_on, next_on = cleaned.get("done_on"), cleaned.get("next_on")
        if done_on and done_on > timezone.localdate():
            self.add_error("done_on", _("The date cannot be in the future."))
        if cleaned.get("outcome"):
            cleaned["next_on"] = None
        elif not next_on:
            self.add_error("next_on", _("Give the next follow-up date, or the outcome."))
        elif done_on and next_on <= done_on:
            self.add_error("next_on", _("The next follow-up comes after this one."))
        return cleaned


class CancelForm(forms.Form):
    comment = forms.CharField(label=_("Why"), max_length=1000, widget=forms.Textarea({"rows": 2}))


class HandoffSheetForm(forms.ModelForm):
    """The sheet as staff edit it. An anonymous enquiry's sheet must not name the client."""

    # When the sheet was last saved, as the form saw it (to notice a concurrent edit).
    loaded_at = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = HandoffSheet
        fields = ["need", "history", "already_tried", "client_wishes", "contact_notes"]
        widgets = {
            "need": forms.Textarea(attrs={"rows": 3}),
            "history": forms.Textarea(attrs={"rows": 6}),
            "already_tried": forms.Textarea(attrs={"rows": 3}),
            "client_wishes": forms.Textarea(attrs={"rows": 3}),
            "contact_notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loaded_at"].initial = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned = super().clean()
        referral = self.instance.referral
        edited = HandoffSheet(
            referral=referral, **{name: cleaned.get(name) or "" for name in self.Meta.fields}
        )
        if referral.is_anonymous and edited.mentions_identifiers():
            raise forms.ValidationError(
                _(
                    "This is an anonymous enquiry: take the client's name, phone number and "
                    "e-mail address out of the sheet."
                )
            )
        return cleaned

    def is_stale(self):
        """Whether someone saved the sheet after this form was loaded."""
        saved = HandoffSheet.objects.values_list("updated_at", flat=True).get(pk=self.instance.pk)
        return saved.isoformat() != self.cleaned_data["loaded_at"]

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.forms.models import model_to_dict
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.forms import render_options_inline
from accounts.japanese import format_phone
from accounts.models import Center, User
from members.models import Member
from network.forms import topic_filter_choices
from network.models import Category, Municipality, Organisation, Prefecture, Topic

from .models import Case, Client, Consent, Consultation, HandoverNote, address_of

CLIENT_FIELDS = [
    "family_name_kana",
    "given_name_kana",
    "family_name",
    "given_name",
    "phone_mobile",
    "phone_home",
    "contact_hours",
    "email",
    "birth_date",
    "stated_age",
    "alias",
    "postcode",
    "prefecture",
    "municipality",
    "town",
    "building",
    "no_company_name",
    "no_calls_home",
    "no_post_home",
    "no_voicemail",
    "contact_note",
]
# Typed while staff listen: the duplicate check runs on these.
LOOKUP_FIELDS = ["family_name_kana", "given_name_kana", "phone_mobile", "phone_home"]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# The topics and places offered on the intake page are the same for everyone and change
# only when an administrator edits them: the cache (shared by the workers) keeps them for
# a minute and forgets them as soon as one of them is saved.
REFERENCE_CHOICES_SECONDS = 60
TOPIC_CHOICES = "consultations:topic-choices"
PREFECTURE_CHOICES = "consultations:prefecture-choices"
SERVED_MUNICIPALITY_CHOICES = "consultations:served-municipality-choices"


@receiver([post_save, post_delete], sender=Category)
@receiver([post_save, post_delete], sender=Topic)
@receiver([post_save, post_delete], sender=Prefecture)
@receiver([post_save, post_delete], sender=Municipality)
def forget_reference_choices(**kwargs):
    cache.delete_many([TOPIC_CHOICES, PREFECTURE_CHOICES, SERVED_MUNICIPALITY_CHOICES])


def topic_choices():
    """Active topics grouped by field, as (code, "W1-01 解雇") choices; cached."""
    choices = cache.get(TOPIC_CHOICES)
    if choices is None:
        groups = {}
        for topic in Topic.objects.active().select_related("category"):
            groups.setdefault(str(topic.category), []).append((topic.code, str(topic)))
        choices = list(groups.items())
        cache.set(TOPIC_CHOICES, choices, REFERENCE_CHOICES_SECONDS)
    return choices


def set_cached_choices(field, key, queryset):
    """Offer a model choice field's options from the cache, found with `queryset` when
    not there, and only when the field is shown; its own queryset still checks what is
    posted."""

    def choices():
        options = cache.get(key)
        if options is None:
            options = [(obj.pk, field.label_from_instance(obj)) for obj in queryset]
            cache.set(key, options, REFERENCE_CHOICES_SECONDS)
        empty = [] if field.empty_label is None else [("", field.empty_label)]
        return [*empty, *options]

    field.choices = choices


# The centre's active staff offered as "taken by" on the intake page, kept the same way:
# forgotten whenever a user is saved (except when signing in, which saves only the time
# of it) or deleted, for every centre, as a user may have moved from one to another.
STAFF_CHOICES = "consultations:staff-choices:{}"


@receiver([post_save, post_delete], sender=User)
def forget_staff_choices(update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    keys = [STAFF_CHOICES.format(pk) for pk in [*Center.objects.values_list("pk", flat=True)]]
    cache.delete_many(keys)
    # Again once the change is committed: a page shown meanwhile may have kept the list.
    transaction.on_commit(lambda: cache.delete_many(keys))


def set_served_municipality_choices(field):
    set_cached_choices(field, SERVED_MUNICIPALITY_CHOICES, Municipality.objects.served())


class StaleEditForm(forms.ModelForm):
    """An edit form that refuses to overwrite what someone saved after it was loaded.

    It carries the record's version, and (show_hidden_initial) the values it showed, so a
    refused save can list what the other person changed; the typed values stay in the
    form, nothing is lost.
    """

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        for name in self._meta.fields:
            if name in self.fields:
                self.fields[name].show_hidden_initial = True

    def changed_fields(self):
        return [
            name for name in self._meta.fields if name in self.fields and name in self.changed_data
        ]

    def changes_by_others(self, current):
        """(label, value now saved) for each field changed since this form was loaded."""
        saved = model_to_dict(current)
        changes = []
        for name in self._meta.fields:
            field = self.fields.get(name)
            if field is None:
                continue
            seen = field.hidden_widget().value_from_datadict(
                self.data, self.files, self[name].html_initial_name
            )
            if field.has_changed(saved.get(name), seen):
                changes.append((field.label, _display(current, name)))
        return changes

    def take_over(self, current):
        """Re-base the form on the record as now saved: the fields this user changed keep
        what was typed, every other field shows the saved value, so saving again changes
        only what this user meant to change."""
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = current.version
        saved = model_to_dict(current)
        for name in self._meta.fields:
            field = self.fields.get(name)
            if field is None:
                continue
            value = _as_form_data(field.prepare_value(saved.get(name)))
            if not self._typed_by_user(name):
                self.data.setlist(self.add_prefix(name), [value])
            self.data[self[name].html_initial_name] = value

    def _typed_by_user(self, name):
        """Whether the user changed this field from what the form showed when loaded."""
        field = self.fields[name]
        seen = field.hidden_widget().value_from_datadict(
            self.data, self.files, self[name].html_initial_name
        )
        try:
            seen = field.to_python(seen)
        except ValidationError:
            return True
        return field.has_changed(seen, self[name].data)


def _as_form_data(value):
    if isinstance(value, bool):
        return "True" if value else ""
    return "" if value is None else str(value)


def _display(instance, name):
    display = getattr(instance, f"get_{name}_display", None)
    value = display() if display else getattr(instance, name)
    if value in (None, ""):
        return _("(empty)")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name.startswith("phone_"):
        return format_phone(value)
    return str(value)


class MemberNumberField(forms.ModelChoiceField):
    """A member chosen by their member number (KNZ-00042), among the user's centre's."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Member.objects.none(),
            to_field_name="number",
            required=False,
            label=_("Member number"),
            help_text=_("When the client is also a member, e.g. KNZ-00042."),
            error_messages={"invalid_choice": _("No member of this centre has that number.")},
            **kwargs,
        )


class _ClientFormMixin:
    """Address choices for a 郵便番号-filled address, and the member link."""

    def set_member_choices(self, user):
        self.fields["member"].queryset = Member.objects.visible_to(user)

    def set_address_choices(self):
        self.fields["prefecture"].queryset = Prefecture.objects.all()
        set_cached_choices(self.fields["prefecture"], PREFECTURE_CHOICES, Prefecture.objects.all())
        municipalities = Municipality.objects.select_related("prefecture")
        prefecture = str(self["prefecture"].value() or "")
        if prefecture.isascii() and prefecture.isdigit():
            self.fields["municipality"].queryset = municipalities.filter(prefecture=prefecture)
        else:
            self.fields["municipality"].queryset = municipalities.served()
            set_served_municipality_choices(self.fields["municipality"])

    def fill_address_from_postcode(self):
        """Put the 都道府県・市区町村・町域 of the typed 郵便番号 into the address fields."""
        field = self.fields["postcode"]
        try:
            postcode = field.clean(self["postcode"].value())
        except ValidationError:
            return
        address = postcode and address_of(postcode)
        if not address:
            return
        self.data = self.data.copy()
        for name, value in address.items():
            self.data[self.add_prefix(name)] = value
        self.set_address_choices()


class ClientIntakeForm(_ClientFormMixin, forms.ModelForm):
    """A new client at intake; the statistical attributes come from the consultation."""

    member = MemberNumberField(widget=forms.HiddenInput)

    class Meta:
        model = Client
        fields = [*CLIENT_FIELDS, "member"]
        widgets = {"birth_date": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_address_choices()
        self.set_member_choices(user)
        for name in LOOKUP_FIELDS:
            self.fields[name].widget.attrs.update(
                {
                    "hx-post": reverse_lazy("consultations:intake"),
                    "hx-trigger": "input changed delay:300ms",
                    "hx-target": "#client-matches",
                    "hx-select": "#client-matches",
                    "hx-swap": "outerHTML",
                    "hx-include": ", ".join(f"[name='client-{f}']" for f in LOOKUP_FIELDS),
                    "hx-vals": '{"lookup": "1"}',
                    "autocomplete": "off",
                }
            )
        self.fields["postcode"].widget.attrs.update(
            {
                "hx-post": reverse_lazy("consultations:postcode-address"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#client-address",
                "hx-swap": "outerHTML",
                "hx-include": "#client-address",
            }
        )
        render_options_inline(self)


class ClientForm(_ClientFormMixin, StaleEditForm):
    """Editing a client, with their current statistical attributes."""

    member = MemberNumberField()

    class Meta:
        model = Client
        fields = [*CLIENT_FIELDS, "member", *Client.PROFILE_FIELDS]
        widgets = {"birth_date": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_address_choices()
        self.set_member_choices(user)


class IntakeForm(forms.ModelForm):
    """One contact: when, how, who, about what, and what came of it.

    `client` and `case` say whom and which case it is about; with neither the client
    form below it is a new client and a new case; `anonymous` keeps only statistics.
    """

    main_topic = forms.ChoiceField(label=_("Main concern (主訴)"))
    other_topics = forms.MultipleChoiceField(
        label=_("Other topics"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Ctrl+click to choose several."),
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous (no name given)"),
        required=False,
        help_text=_("Only the statistical attributes are kept."),
    )
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(), required=False, widget=forms.HiddenInput
    )
    case = forms.ModelChoiceField(
        label=_("Case"),
        queryset=Case.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        empty_label=_("Open a new case"),
        blank=True,
    )
    case_title = forms.CharField(
        label=_("Title of the new case"),
        max_length=100,
        required=False,
        help_text=_("Leave empty to use the main concern."),
    )
    restricted = forms.BooleanField(
        label=_("Restricted (要配慮)"),
        required=False,
        help_text=_("Only you and the coordinators will see the new case."),
    )

    class Meta:
        model = Consultation
        fields = [
            "channel",
            "received_at",
            "duration_minutes",
            "taken_by",
            "consulter_type",
            "consulter_relation",
            "route",
            "summary",
            "action_taken",
            "outcome",
            "next_action_on",
            "counts_for_rengo",
            "age",
            *Consultation.PROFILE_FIELDS,
        ]
        widgets = {
            "channel": forms.RadioSelect,
            "outcome": forms.RadioSelect,
            "received_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "next_action_on": DATE,
            "summary": forms.Textarea(attrs={"rows": 4}),
            "action_taken": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "age": _("For an anonymous consulter; a client's age comes from their record.")
        }

    def __init__(self, *args, user, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = topic_choices()
        self.fields["main_topic"].choices = [("", "---------"), *choices]
        self.fields["other_topics"].choices = choices
        staff = User.objects.visible_to(user).active()
        self.fields["taken_by"].queryset = staff
        set_cached_choices(self.fields["taken_by"], STAFF_CHOICES.format(user.center_id), staff)
        self.fields["taken_by"].initial = user.pk
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["channel"].initial = Consultation.Channel.PHONE
        # Toggle buttons without the empty "---------" choice.
        for name, choices in [
            ("channel", Consultation.Channel.choices),
            ("outcome", Consultation.Outcome.choices),
        ]:
            self.fields[name].choices = choices
            self.fields[name].widget.attrs["class"] = "btn-check"
        if self.is_bound or client is not None:
            # What is posted is checked against these. An empty form for no one in
            # particular uses neither (the client is a hidden value, the cases show for a
            # chosen client), and building them was a third of its set-up.
            self.fields["client"].queryset = Client.objects.visible_to(user)
            self.fields["case"].queryset = Case.objects.visible_to(user).open()
        self.fields["municipality"].queryset = Municipality.objects.served()
        set_served_municipality_choices(self.fields["municipality"])
        self.fields["case"].label_from_instance = _case_choice_label
        if client is not None:
            self.fields["case"].queryset = (
                self.fields["case"].queryset.filter(client=client).select_related("main_topic")
            )
            for name, value in client.profile().items():
                self.fields[name].initial = value
        render_options_inline(self)

    def _get_validation_exclusions(self):
        # The model's check that the taker exists would read them again: their field has
        # just found them among the centre's active staff.
        return {*super()._get_validation_exclusions(), "taken_by"}

    def clean(self):
        data = super().clean()
        if data.get("anonymous") and data.get("client"):
            raise ValidationError(_("An anonymous consultation cannot have a client."))
        case = data.get("case")
        if case is not None and case.client != data.get("client"):
            self.add_error("case", _("This case belongs to another client."))
        main = data.get("main_topic")
        others = [code for code in data.get("other_topics", []) if code != main]
        if main:
            topics = {t.code: t for t in Topic.objects.filter(code__in=[main, *others])}
            data["topics"] = [topics[code] for code in [main, *others] if code in topics]
        return data


def _case_choice_label(case):
    return _("%(number)s %(title)s (%(status)s, last contact %(date)s)") % {
        "number": case.number,
        "title": case.title,
        "status": case.get_status_display(),
        "date": date_format(timezone.localtime(case.last_contact_at), "SHORT_DATE_FORMAT"),
    }


class CaseForm(StaleEditForm):
    class Meta:
        model = Case
        fields = ["title", "main_topic", "assigned_to", "restricted"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["main_topic"].queryset = Topic.objects.active()
        if user.has_perm("consultations.assign_case"):
            self.fields["assigned_to"].queryset = User.objects.visible_to(user).active()
        else:
            del self.fields["assigned_to"]


class CaseStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s.value, s.label) for s in case.next_statuses()]


class CaseCloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason for closing"), choices=Case.ClosedReason.choices)
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)


class CaseReopenForm(forms.Form):
    note = forms.CharField(label=_("Why reopen"), max_length=1000)


class CaseNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CaseFilterForm(forms.Form):
    """The case list's filters; posted and kept in the session, never in the URL."""

    q = forms.CharField(
        label=_("Words"),
        max_length=100,
        required=False,
        help_text=_(
            "Name, reading, title or what was said; kana and width do not matter. Words of "
            "one character alone match the start of a name, reading or title."
        ),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    assigned_to = forms.ChoiceField(label=_("Assigned to"), required=False)
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("Any channel")), *Consultation.Channel.choices],
    )
    contact_from = forms.DateField(label=_("Contact from"), required=False, widget=DATE)
    contact_to = forms.DateField(label=_("Contact until"), required=False, widget=DATE)

    OPEN = "open"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", _("Any status")),
            (self.OPEN, _("Open (not closed)")),
            *Case.Status.choices,
        ]
        self.fields["topic"].choices = [("", _("All topics")), *topic_filter_choices()]
        self.fields["assigned_to"].choices = [
            ("", _("Anyone")),
            *((str(u.pk), str(u)) for u in User.objects.visible_to(user).active()),
        ]
        # Some 130 topics: an include per option was most of the list's rendering.
        render_options_inline(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("contact_from"), data.get("contact_to")
        if start and end and start > end:
            self.add_error("contact_to", _("The end date comes before the start date."))
        return data

    def filter(self, cases):
        data = self.cleaned_data
        if data["q"]:
            cases = cases.matching_text(data["q"])
        if data["status"] == self.OPEN:
            cases = cases.open()
        elif data["status"]:
            cases = cases.filter(status=data["status"])
        if data["topic"]:
            cases = cases.with_topic(data["topic"])
        if data["assigned_to"]:
            cases = cases.filter(assigned_to=data["assigned_to"])
        if data["channel"] or data["contact_from"] or data["contact_to"]:
            cases = cases.with_contact(
                channel=data["channel"], start=data["contact_from"], end=data["contact_to"]
            )
        return cases


class HandoverNoteForm(forms.ModelForm):
    class Meta:
        model = HandoverNote
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}
        labels = {"text": _("Message for the next shift")}


class ConsentForm(forms.ModelForm):
    """同意: with which partner (or every partner of a kind) the client agreed to share
    which items, how and when. The model's clean() checks the scope and the date.

    `organisation` (an id from the query string) pre-selects a partner when it is an
    active one; `self.partner` is then that partner, else None.
    """

    class Meta:
        model = Consent
        fields = [
            "organisation",
            "kind",
            *Consent.ITEM_FIELDS,
            "purpose",
            "method",
            "given_on",
            "document_ref",
        ]
        widgets = {"method": forms.RadioSelect(attrs={"class": "btn-check"}), "given_on": DATE}
        help_texts = {
            "shares_sensitive": _(
                "要配慮個人情報. Tick only if the client explicitly agreed to share these "
                "details too; agreeing to the rest does not cover them."
            ),
            "document_ref": _("For a written consent: the number on the signed form, if any."),
        }

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        partners = Organisation.objects.active()
        self.fields["organisation"].queryset = partners
        self.fields["organisation"].error_messages["invalid_choice"] = _(
            "Choose an active partner from the list."
        )
        # Toggle buttons without the empty "---------" choice.
        self.fields["method"].choices = Consent.Method.choices
        self.partner = None
        organisation = str(organisation or "")
        if organisation.isascii() and organisation.isdigit():
            self.partner = partners.filter(pk=organisation).first()
        if self.partner is not None:
            self.fields["organisation"].initial = self.partner.pk


class ConsentWithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("Note on withdrawal"),
        max_length=200,
        required=False,
        help_text=_("e.g. how the client said so."),
    )

from django import forms
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fiscal import fiscal_year_label, fiscal_year_of
from .imports import MAX_UPLOAD_BYTES
from .models import LIST_CACHE_SECONDS, MEMBERSHIP_TYPE_CHOICES, Member, MembershipType, Payment

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NEGATIVE_AMOUNT = {"min_value": _("The amount cannot be negative.")}

# Offered while typing the union; any other name may be typed.
UNION_SUGGESTIONS = [
    "自治労",
    "UAゼンセン",
    "自動車総連",
    "電機連合",
    "JAM",
    "基幹労連",
    "情報労連",
    "電力総連",
    "JP労組",
    "日教組",
    "運輸労連",
    "私鉄総連",
    "フード連合",
    "損保労連",
    "生保労連",
    "交通労連",
    "全国ユニオン",
]


def year_choices(years):
    return [(year, fiscal_year_label(year)) for year in years]


class MemberForm(forms.ModelForm):
    """Register or edit a member. The types offered depend on who is typing."""

    class Meta:
        model = Member
        fields = [
            "membership_type",
            "name",
            "name_kana",
            "birth_date",
            "contact_person",
            "postcode",
            "address",
            "phone",
            "email",
            "union",
            "is_retired",
            "joined_on",
            "notes",
        ]
        widgets = {
            "birth_date": DATE_INPUT,
            "joined_on": DATE_INPUT,
            "union": forms.TextInput(attrs={"list": "union-suggestions", "autocomplete": "off"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        types = MembershipType.objects.assignable_by(user)
        if self.instance.membership_type_id:
            # Keep the member's present type even where this user may not give it.
            types = types | MembershipType.objects.filter(pk=self.instance.membership_type_id)
        self.fields["membership_type"].queryset = types.distinct()
        self.fields["birth_date"].help_text = _("Persons only.")


class RenewForm(forms.Form):
    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int)
    membership_type = forms.ModelChoiceField(
        label=_("Membership type"), queryset=MembershipType.objects.none()
    )

    def __init__(self, *args, member, user, **kwargs):
        super().__init__(*args, **kwargs)
        year = fiscal_year_of(timezone.localdate())
        existing = set(member.fees.values_list("fiscal_year", flat=True))
        years = [y for y in (year, year + 1) if y not in existing]
        self.fields["fiscal_year"].choices = year_choices(years)
        types = MembershipType.objects.assignable_by(user) | MembershipType.objects.filter(
            pk=member.membership_type_id
        )
        self.fields["membership_type"].queryset = types.distinct()
        self.fields["membership_type"].initial = member.membership_type_id
        self.no_year_left = not years


class PaymentForm(forms.ModelForm):
    fiscal_year = forms.TypedChoiceField(
        label=_("For fiscal year"),
        coerce=int,
        help_text=_("The year whose fee this pays; partial payments are fine."),
    )

    class Meta:
        model = Payment
        fields = ["fiscal_year", "paid_on", "amount", "method", "receipt_number"]
        widgets = {"paid_on": DATE_INPUT}
        error_messages = {"amount": NEGATIVE_AMOUNT}

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        year = fiscal_year_of(timezone.localdate())
        first = min(fiscal_year_of(member.joined_on), year)
        self.fields["fiscal_year"].choices = year_choices(range(year + 1, first - 1, -1))
        outstanding = member.fees.outstanding().order_by("fiscal_year").first()
        if outstanding is not None and not self.is_bound:
            self.initial.setdefault("fiscal_year", outstanding.fiscal_year)
            self.initial.setdefault("amount", outstanding.amount - outstanding.paid)
        else:
            self.initial.setdefault("fiscal_year", year)
        self.fields["amount"].widget.attrs["min"] = 1


class LeaveForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["left_on", "leave_reason", "leave_note"]
        widgets = {"left_on": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["left_on"].required = True
        self.fields["leave_reason"].required = True
        self.initial.setdefault("left_on", timezone.localdate())

    def clean_left_on(self):
        left_on = self.cleaned_data["left_on"]
        if left_on < self.instance.joined_on:
            raise forms.ValidationError(
                _("A member cannot leave before joining."), code="before_joining"
            )
        return left_on


class WaiveForm(forms.Form):
    reason = forms.CharField(label=_("Reason for waiving"), max_length=200)


class DuesForm(forms.Form):
    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        year = fiscal_year_of(timezone.localdate())
        self.fields["fiscal_year"].choices = year_choices([year, year + 1])
        self.fields["fiscal_year"].initial = year + 1


class MemberFilterForm(forms.Form):
    """The member list's filters. Posted, and kept in the session: names stay out of URLs."""

    ARREARS_CHOICES = [("", _("Any")), ("yes", _("In arrears")), ("no", _("No arrears"))]

    q = forms.CharField(
        label=_("Name or number"),
        max_length=100,
        required=False,
        help_text=_("Kana and width do not matter."),
    )
    membership_type = forms.ModelChoiceField(
        label=_("Membership type"),
        queryset=MembershipType.objects.all(),
        required=False,
        empty_label=_("All types"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All statuses")),
            ("current", _("Current members")),
            *Member.Status.choices,
        ],
    )
    arrears = forms.ChoiceField(label=_("Fees"), required=False, choices=ARREARS_CHOICES)
    union = forms.CharField(
        label=_("Union affiliation"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"list": "union-suggestions", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["membership_type"]

        # The types offered come from the cache (models.forget_membership_type_choices);
        # the queryset still checks what is posted.
        def choices():
            options = cache.get(MEMBERSHIP_TYPE_CHOICES)
            if options is None:
                options = [(kind.pk, field.label_from_instance(kind)) for kind in field.queryset]
                cache.set(MEMBERSHIP_TYPE_CHOICES, options, LIST_CACHE_SECONDS)
            return [("", field.empty_label), *options]

        field.choices = choices

    def narrows(self):
        """Whether any filter is set (the form is valid)."""
        return any(self.cleaned_data.values())

    def filter(self, members):
        data = self.cleaned_data
        if data["q"]:
            members = members.matching_text(data["q"])
        if data["membership_type"]:
            members = members.filter(membership_type=data["membership_type"])
        if data["status"] == "current":
            members = members.current()
        elif data["status"]:
            members = members.with_status_in([data["status"]])
        if data["arrears"] == "yes":
            members = members.in_arrears()
        elif data["arrears"] == "no":
            members = members.without_arrears()
        if data["union"]:
            members = members.filter(union__icontains=data["union"].strip())
        return members

    def session_data(self):
        """What to keep in the session: plain values only."""
        data = dict(self.cleaned_data)
        data["membership_type"] = data["membership_type"].pk if data["membership_type"] else ""
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 or Shift_JIS, up to 5 MB, with a header row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 5 MB. Split it and import each part."), code="too_big"
            )
        return upload

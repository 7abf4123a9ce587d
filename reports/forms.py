from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import render_options_inline
from accounts.models import Center
from network.forms import category_choices
from network.models import Category

from .periods import Period
from .statistics import Scope

FIRST_YEAR = 2000
ALL_CENTRES = "all"


class ReportFilterForm(forms.Form):
    """Which period, centre and field a report counts, read from the query string.

    Staff who may see every centre choose one or all; others always get their own.
    Bad or missing values fall back to the current fiscal year rather than failing.
    """

    period = forms.ChoiceField(label=_("Period"), choices=Period.KINDS, required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    month = forms.TypedChoiceField(
        label=_("Month"),
        coerce=int,
        required=False,
        choices=[(m, _("%(month)d") % {"month": m}) for m in range(1, 13)],
    )
    center = forms.ChoiceField(
        label=_("Centre"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    category = forms.ModelChoiceField(
        label=_("Field"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("All fields"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, str(y)) for y in range(this_year, FIRST_YEAR - 1, -1)]
        self.fields["center"].initial = user.center_id or ALL_CENTRES
        if user.has_perm("reports.view_region_statistics"):
            centres = [(str(c.pk), c.name) for c in Center.objects.filter(is_active=True)]
            self.fields["center"].choices = [(ALL_CENTRES, _("All centres")), *centres]
        else:
            self.fields["center"].choices = [(str(user.center_id), str(user.center))]
            self.fields["center"].disabled = True
        # The options from the cache; a chosen field is still looked up in the queryset.
        self.fields["category"].choices = [("", _("All fields")), *category_choices()]
        render_options_inline(self)

    def scope(self):
        """The Scope asked for; the current fiscal year and the default centre where the
        query string says nothing usable."""
        data = self.cleaned_data if self.is_valid() else {}
        today = timezone.localdate()
        default = Period.current_fiscal_year(today)
        kind = data.get("period") or default.kind
        year = data.get("year") or (default.year if kind == Period.FISCAL_YEAR else today.year)
        month = data.get("month") or today.month
        # What the month list shows, also while the period is a year.
        self.month_shown = month
        period = Period(kind, year, month if kind == Period.MONTH else 1)
        return Scope(period=period, center=self._center(data), category=data.get("category"))

    def _center(self, data):
        if not self.user.has_perm("reports.view_region_statistics"):
            return self.user.center
        chosen = data.get("center")
        if chosen == ALL_CENTRES:
            return None
        if chosen:
            return Center.objects.get(pk=chosen)
        return self.user.center

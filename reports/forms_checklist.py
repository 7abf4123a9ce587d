"""The check sheet's forms: which centre and fiscal year, and the 27 answers."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Center
from members.fiscal import fiscal_year_of

from .checklist import QUESTIONS
from .models import SelfAssessmentAnswer
from .periods import Period

FIRST_YEAR = 2000
NOTE_MAX_LENGTH = 1000


class ChecklistChoiceForm(forms.Form):
    """Which centre's check sheet for which fiscal year, read from the query string.

    Staff who may see every centre choose one; others always get their own. A missing or
    bad value falls back to the current fiscal year and the user's own centre.
    """

    year = forms.TypedChoiceField(
        label=_("Fiscal year"),
        coerce=int,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    center = forms.TypedChoiceField(
        label=_("Centre"),
        coerce=int,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, data, *, user, today=None):
        super().__init__(data)
        self.user = user
        self.current_year = fiscal_year_of(today or timezone.localdate())
        self.fields["year"].choices = [
            (year, str(Period(Period.FISCAL_YEAR, year)))
            for year in range(self.current_year, FIRST_YEAR - 1, -1)
        ]
        if user.has_perm("reports.view_region_statistics"):
            self.centres = list(Center.objects.filter(is_active=True))
        else:
            self.centres = [user.center] if user.center_id else []
            self.fields["center"].disabled = True
        self.fields["center"].choices = [(centre.pk, centre.name) for centre in self.centres]

    def chosen(self):
        """(centre, fiscal year) asked for; None for the centre when the user has none."""
        # Each field falls back on its own: a bad centre keeps a good year.
        self.is_valid()
        data = getattr(self, "cleaned_data", None) or {}
        year = data.get("year") or self.current_year
        by_pk = {centre.pk: centre for centre in self.centres}
        centre = by_pk.get(data.get("center")) if data.get("center") else None
        if centre is None:
            centre = by_pk.get(self.user.center_id) or (self.centres[0] if self.centres else None)
        return centre, year


ANSWER_CHOICES = [*SelfAssessmentAnswer.Answer.choices, ("", _("Not answered"))]


def answer_field(number):
    return f"answer_{number}"


def note_field(number):
    return f"note_{number}"


class SelfAssessmentForm(forms.Form):
    """The 27 answers (YES, NO or not answered) with a note each, in one form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in QUESTIONS:
            self.fields[answer_field(question.number)] = forms.ChoiceField(
                label=f"{question.number}. {question.text}",
                choices=ANSWER_CHOICES,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                error_messages={"invalid_choice": _("Choose YES or NO, or leave it unanswered.")},
            )
            self.fields[note_field(question.number)] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=NOTE_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )

    @classmethod
    def initial_from(cls, answers):
        """Initial values from saved answers ({question: SelfAssessmentAnswer})."""
        initial = {}
        for number, answer in answers.items():
            initial[answer_field(number)] = answer.answer
            initial[note_field(number)] = answer.note
        return initial

    def fields_for(self, number):
        """The bound answer and note fields of one question."""
        return self[answer_field(number)], self[note_field(number)]

    def answers(self):
        """{question number: (answer, note)} from the valid form."""
        return {
            question.number: (
                self.cleaned_data[answer_field(question.number)],
                self.cleaned_data[note_field(question.number)].strip(),
            )
            for question in QUESTIONS
        }

"""The self-assessment (チェックシート): the 27 questions for a centre and fiscal year,
with the evidence from the records and last year's answers; saved by coordinators and
managers, read by viewers."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reports.checklist import QUESTIONS, STEPS, CentreYear, self_assessment_save
from reports.forms_checklist import ChecklistChoiceForm, SelfAssessmentForm
from reports.models import SelfAssessment, SelfAssessmentAnswer
from reports.periods import Period


@dataclass
class QuestionRow:
    question: object
    answer: object  # this year's SelfAssessmentAnswer, or None
    last_year: object  # last year's, or None
    evidence: list
    answer_field: object = None
    note_field: object = None


@require_http_methods(["GET", "POST"])
def checklist(request):
    choice = ChecklistChoiceForm(request.GET or None, user=request.user)
    center, year = choice.chosen()
    if center is None:
        raise PermissionDenied
    answers, last_year, assessment = saved_answers(center, year)
    may_change = request.user.has_perm("reports.change_selfassessment") and (
        assessment is not None or request.user.has_perm("reports.add_selfassessment")
    )
    page_url = f"{reverse('reports:checklist')}?{urlencode({'year': year, 'center': center.pk})}"
    form = None
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        form = SelfAssessmentForm(request.POST)
        if form.is_valid():
            self_assessment_save(
                center=center,
                fiscal_year=year,
                answers=form.answers(),
                by=request.user,
                request=request,
            )
            period = Period(Period.FISCAL_YEAR, year)
            messages.success(
                request, _("The check sheet for %(year)s was saved.") % {"year": period}
            )
            return redirect(page_url)
    elif may_change:
        form = SelfAssessmentForm(initial=SelfAssessmentForm.initial_from(answers))
    facts = CentreYear(
        center, year, suppress=not request.user.has_perm("reports.view_exact_counts")
    )
    context = {
        "choice": choice,
        "center": center,
        "period": facts.period,
        "last_period": Period(Period.FISCAL_YEAR, year - 1),
        "assessment": assessment,
        "form": form,
        "page_url": page_url,
        "steps": question_rows(facts, form, answers, last_year),
        "summary": summary(answers, last_year),
    }
    return render(request, "reports/checklist.html", context)


def saved_answers(center, year):
    """This year's and last year's answers ({question: answer}) and this year's assessment,
    in two queries."""
    answers, last_year = {}, {}
    rows = SelfAssessmentAnswer.objects.filter(
        assessment__center=center, assessment__fiscal_year__in=[year, year - 1]
    ).select_related("assessment")
    for row in rows:
        (answers if row.assessment.fiscal_year == year else last_year)[row.question] = row
    assessment = (
        SelfAssessment.objects.filter(center=center, fiscal_year=year)
        .select_related("updated_by")
        .first()
    )
    return answers, last_year, assessment


def question_rows(facts, form, answers, last_year):
    """[(step, [QuestionRow])] in the handbook's order."""
    steps = []
    for step in STEPS:
        rows = []
        for question in step.questions:
            row = QuestionRow(
                question,
                answers.get(question.number),
                last_year.get(question.number),
                question.evidence_for(facts),
            )
            if form is not None:
                row.answer_field, row.note_field = form.fields_for(question.number)
            rows.append(row)
        steps.append((step, rows))
    return steps


def summary(answers, last_year):
    """YES counts of this and last year, and this year's NO questions to work on."""
    yes = SelfAssessmentAnswer.Answer.YES
    no = SelfAssessmentAnswer.Answer.NO
    return {
        "total": len(QUESTIONS),
        "yes": sum(1 for a in answers.values() if a.answer == yes),
        "answered": sum(1 for a in answers.values() if a.answer),
        "last_year_yes": sum(1 for a in last_year.values() if a.answer == yes),
        "last_year_answered": sum(1 for a in last_year.values() if a.answer),
        "to_work_on": [q for q in QUESTIONS if getattr(answers.get(q.number), "answer", "") == no],
    }

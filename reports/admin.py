from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from .checklist import QUESTIONS_BY_NUMBER
from .models import SelfAssessment, SelfAssessmentAnswer


class SelfAssessmentAnswerInline(admin.TabularInline):
    """The answers as the centre saved them; they are written on the check sheet page."""

    model = SelfAssessmentAnswer
    fields = ["question", "question_text", "answer", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("question"))
    def question_text(self, answer):
        question = QUESTIONS_BY_NUMBER.get(answer.question)
        return question.text if question else ""


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(admin.ModelAdmin):
    """Read-mostly: the check sheet page creates and fills in the assessments (with an
    audit entry); the back office looks them up and may delete a mistaken one."""

    list_display = ["center", "fiscal_year", "yes_count", "updated_by", "updated_at"]
    list_filter = ["center", "fiscal_year"]
    list_select_related = ["center", "updated_by"]
    readonly_fields = ["center", "fiscal_year", "updated_by", "updated_at"]
    inlines = [SelfAssessmentAnswerInline]

    def get_queryset(self, request):
        yes = Q(answers__answer=SelfAssessmentAnswer.Answer.YES)
        return super().get_queryset(request).annotate(yes=Count("answers", filter=yes))

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("YES answers"), ordering="yes")
    def yes_count(self, assessment):
        return f"{assessment.yes} / {len(QUESTIONS_BY_NUMBER)}"

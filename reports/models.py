"""The centre's self-assessment (地域自主福祉ネット チェックシート), one per fiscal year.

The statistics themselves are computed from the other apps' tables when asked for and
stored nowhere; the permissions to see them hang on SelfAssessment's Meta.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SelfAssessment(models.Model):
    center = models.ForeignKey(
        "accounts.Center",
        models.PROTECT,
        related_name="self_assessments",
        verbose_name=_("centre"),
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["center", "-fiscal_year"]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["center", "fiscal_year"], name="self_assessment_once_a_year"
            )
        ]
        permissions = [
            ("view_statistics", _("Can see the statistics")),
            ("view_exact_counts", _("Can see counts under 3 in the statistics")),
            ("view_region_statistics", _("Can see the statistics of every centre")),
            ("export_statistics", _("Can export the statistics")),
        ]

    def __str__(self):
        return f"{self.center} {self.fiscal_year}"


class SelfAssessmentAnswer(models.Model):
    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")

    assessment = models.ForeignKey(
        SelfAssessment, models.CASCADE, related_name="answers", verbose_name=_("self-assessment")
    )
    # The question's number in the handbook's list (reports.checklist.QUESTIONS).
    question = models.PositiveSmallIntegerField(_("question"))
    answer = models.CharField(_("answer"), max_length=3, choices=Answer, blank=True)
    note = models.TextField(_("note"), max_length=1000, blank=True)

    class Meta:
        ordering = ["assessment", "question"]
        verbose_name = _("self-assessment answer")
        verbose_name_plural = _("self-assessment answers")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="self_assessment_answer_once"
            ),
            models.CheckConstraint(
                condition=models.Q(question__gte=1, question__lte=27),
                name="self_assessment_question_in_list",
            ),
        ]

    def __str__(self):
        return f"{self.assessment} Q{self.question}"

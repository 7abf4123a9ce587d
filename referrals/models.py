"""Referrals: the warm hand-off of a case to a partner's service, and its follow-up.

The handbook's rule is that a referral must never feel like being passed around
(たらい回し): the partner is asked first and accepts before the client goes, the
hand-off sheet carries the story so the client need not tell it again, and the centre
checks afterwards how it went. Whatever identifies the client leaves the centre only
under a consent in force, and each time it does a record of provision
(第三者提供の記録) is written.
"""

import datetime
import functools
import hashlib
import operator
import re
import secrets

import jaconv
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Func, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.lists import choice_label, pk_among
from accounts.scoping import scoped_to_center
from accounts.search import search_key
from consultations.models import VIEW_RESTRICTED, Case, CaseEvent, Client, Consent
from network.calendar_jp import add_business_days
from network.models import Contact, Organisation, Service

# Business days from 紹介済 to the first follow-up, unless the service says otherwise.
FOLLOW_UP_BUSINESS_DAYS = 5
# How long a partner's answer link works.
LINK_VALID_DAYS = 30
# The desk looks this many business days ahead, and this many days back for results.
UPCOMING_BUSINESS_DAYS = 5
RECENT_DAYS = 30
# 個人情報保護法 規則20条: records of provision are kept three years.
PROVISION_KEEP_YEARS = 3
LINK_SALT = "referrals.partner-link"
# What may stand between the digits of a phone number written in free text.
PHONE_SEPARATORS = r"[-‐－ー−―.．()（）\s]{0,2}"


class Channel(models.TextChoices):
    """How a step with the partner happened."""

    PHONE = "phone", _("Phone")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("E-mail")
    IN_PERSON = "in_person", _("In person")
    LINK = "link", _("Answer link")


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Own centre's referrals, of cases the user may see (restricted ones only for
        their assignee and coordinators)."""
        referrals = scoped_to_center(self, user)
        if user.has_perm(VIEW_RESTRICTED):
            return referrals
        return referrals.filter(Q(case__restricted=False) | Q(case__assigned_to=user))

    def open(self):
        return self.filter(status__in=Referral.OPEN_STATUSES)

    def following_up(self):
        return self.filter(status__in=[Referral.Status.REFERRED, Referral.Status.FOLLOWING_UP])

    def follow_up_due_on(self, day):
        return self.following_up().filter(follow_up_on=day)

    def follow_up_overdue_on(self, day):
        return self.following_up().filter(follow_up_on__lt=day)

    def for_list(self):
        return self.select_related(
            "case", "case__client", "service", "organisation", "contact", "coordinator"
        )

    def for_desk(self):
        """for_list narrowed to what a desk row shows: no contact, and of the joined rows
        only the columns on the page (a case's search columns are large)."""
        return self.select_related(
            "case", "case__client", "service", "organisation", "coordinator"
        ).only(
            *["status", "decline_reason", "outcome", "follow_up_on", "asked_at"],
            *["answered_at", "closed_at", "case", "case__number", "case__restricted"],
            *["case__client", "case__client__family_name", "case__client__given_name"],
            *["service", "service__name", "organisation", "organisation__name"],
            *["coordinator", "coordinator__name", "coordinator__username"],
        )

    def anonymise(self):
        """Keep of these referrals only what the statistics and the partner record count
        (partner, service, status and its dates, the reason for declining, the outcome,
        the follow-ups' dates): the hand-off sheet, the answer links, the steps, the need,
        the appointment, the contact person, the consent and the follow-ups' notes go.
        The records of provision stay: the law keeps them three years (ProvisionRecord).
        Returns the number of referrals stripped."""
        ids = list(self.values_list("pk", flat=True))
        if not ids:
            return 0
        HandoffSheet.objects.filter(referral__in=ids).delete()
        PartnerLink.objects.filter(referral__in=ids).delete()
        ReferralStep.objects.filter(referral__in=ids).delete()
        FollowUp.objects.filter(referral__in=ids).update(note="")
        # Without its consent a referral is, by the check constraint, an anonymous one;
        # and so it now is: nothing in it says who the client was.
        return Referral.objects.filter(pk__in=ids).update(
            need="",
            contact=None,
            consent=None,
            is_anonymous=True,
            appointment_at=None,
            appointment_place="",
            appointment_with="",
        )

    def desk_counts(self, today):
        """How many referrals each section of the desk holds (see desk_sections), in
        one query of six counts, each a subquery of its own that PostgreSQL answers from
        the section's index alone. One aggregate over the sections' rows read them from
        the table (1,300 rows in the largest centre: 2.2 ms, 0.4 ms so), and counting
        over all the centre's referrals took 0.1 s."""
        counts = {
            name: Subquery(
                self.filter(condition).order_by().annotate(n=_COUNT_ALL).values("n")
            )
            for name, (condition, _order) in desk_sections(today).items()
        }  # fmt: skip
        # Any one row carries the six counts; none at all when there are no referrals.
        row = Referral.objects.order_by().annotate(**counts).values(*counts)[:1]
        return next(iter(row), dict.fromkeys(counts, 0))

    def desk_rows(self, today, rows):
        """The first `rows` referrals of each desk section in its order, by section
        name, in one query: each section's first ids are a subquery, and the rows are
        looked up by them (pk_among) with case, client, partner and coordinator joined.
        Six joined queries spent more time planning than running; as IN subqueries the
        ids made PostgreSQL test every desk referral of the centre (1,300) against them,
        and with the rows joined in the same query it misjudged how many rows it joins
        and hashed the whole directory."""
        sections = desk_sections(today)
        firsts = [
            pk_among(self.filter(condition).order_by(*order).values("pk")[:rows])
            for condition, order in sections.values()
        ]
        section = models.Case(
            *[models.When(condition, then=models.Value(name)) for name, (condition, _order)
              in sections.items()],
            output_field=models.CharField(),
        )  # fmt: skip
        found = (
            Referral.objects.filter(functools.reduce(operator.or_, firsts))
            .annotate(desk_section=section)
            .for_desk()
            .order_by()
        )
        by_section = {name: [] for name in sections}
        for referral in found:
            by_section[referral.desk_section].append(referral)
        for name, (_condition, order) in sections.items():
            for field in reversed(order):  # stable sorts, the last key first
                value = operator.attrgetter(field.lstrip("-"))
                # As PostgreSQL orders: empty dates last going up, first going down.
                by_section[name].sort(
                    key=lambda r, value=value: (value(r) is None, value(r) or 0),
                    reverse=field.startswith("-"),
                )
        return by_section


# COUNT(*) without grouping (Count is an aggregate: in annotate() it groups by the row);
# counting no column lets PostgreSQL count from an index alone.
_COUNT_ALL = Func(template="COUNT(*)", output_field=models.IntegerField())


def upcoming_until(today):
    """The last day of the desk's "coming up" section."""
    return add_business_days(today, UPCOMING_BUSINESS_DAYS)


def desk_sections(today):
    """The coordinator desk's sections, by name: which referrals each holds and in which
    order. The desk lists them; the home page shows the first counts."""
    following = Q(status__in=[Referral.Status.REFERRED, Referral.Status.FOLLOWING_UP])
    since = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=RECENT_DAYS), datetime.time())
    )
    return {
        "waiting": (Q(status=Referral.Status.ASKED), ["asked_at", "pk"]),
        "accepted": (Q(status=Referral.Status.ACCEPTED), ["answered_at", "pk"]),
        "due_today": (following & Q(follow_up_on=today), ["pk"]),
        "overdue": (following & Q(follow_up_on__lt=today), ["follow_up_on", "pk"]),
        "upcoming": (
            following & Q(follow_up_on__gt=today, follow_up_on__lte=upcoming_until(today)),
            ["follow_up_on", "pk"],
        ),
        "recent": (
            Q(status__in=[Referral.Status.COMPLETED, Referral.Status.DECLINED])
            & Q(closed_at__gte=since),
            ["-closed_at", "-pk"],
        ),
    }


class Referral(models.Model):
    """紹介: one case handed to one partner service, with every step on record."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ASKED = "asked", _("Partner asked")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REFERRED = "referred", _("Referred")
        FOLLOWING_UP = "following_up", _("Following up")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class DeclineReason(models.TextChoices):
        NOT_ELIGIBLE = "not_eligible", _("Not eligible")
        NO_CAPACITY = "no_capacity", _("No capacity")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("Resolved")
        SUPPORT_CONTINUES = "support_continues", _("Support continues")
        UNSUCCESSFUL = "unsuccessful", _("Did not work out")
        NO_CONTACT = "no_contact", _("Contact lost")
        REFERRED_ON = "referred_on", _("Referred on elsewhere")

    # The only moves there are; each has its verb below.
    NEXT_STATUSES = {
        Status.DRAFT: [Status.ASKED, Status.CANCELLED],
        Status.ASKED: [Status.ACCEPTED, Status.DECLINED, Status.CANCELLED],
        Status.ACCEPTED: [Status.REFERRED, Status.CANCELLED],
        Status.DECLINED: [],
        Status.REFERRED: [Status.FOLLOWING_UP, Status.COMPLETED, Status.CANCELLED],
        Status.FOLLOWING_UP: [Status.COMPLETED, Status.CANCELLED],
        Status.COMPLETED: [],
        Status.CANCELLED: [],
    }
    OPEN_STATUSES = [
        Status.DRAFT,
        Status.ASKED,
        Status.ACCEPTED,
        Status.REFERRED,
        Status.FOLLOWING_UP,
    ]

    center = models.ForeignKey(
        "accounts.Center", models.PROTECT, related_name="referrals", verbose_name=_("centre")
    )
    case = models.ForeignKey(Case, models.PROTECT, related_name="referrals", verbose_name=_("case"))
    service = models.ForeignKey(
        Service, models.PROTECT, related_name="referrals", verbose_name=_("service")
    )
    # The service's organisation, kept here for the partner record and the consent check.
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="referrals",
        editable=False,
        verbose_name=_("partner"),
    )
    contact = models.ForeignKey(
        Contact,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("contact person"),
    )
    need = models.CharField(
        _("need"),
        max_length=200,
        help_text=_("In one sentence, what the client needs from the partner."),
    )
    is_anonymous = models.BooleanField(
        _("anonymous enquiry"),
        default=False,
        help_text=_("Nothing that identifies the client goes to the partner."),
    )
    consent = models.ForeignKey(
        Consent,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("consent"),
    )
    status = models.CharField(
        _("status"), max_length=15, choices=Status, default=Status.DRAFT, editable=False
    )
    decline_reason = models.CharField(
        _("reason for declining"), max_length=15, choices=DeclineReason, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome, blank=True)
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    appointment_place = models.CharField(_("where"), max_length=200, blank=True)
    appointment_with = models.CharField(_("whom to see"), max_length=100, blank=True)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="coordinated_referrals",
        verbose_name=_("coordinator"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    asked_at = models.DateTimeField(_("asked at"), null=True, blank=True, editable=False)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_anonymous=True) | Q(consent__isnull=False),
                name="referral_consent_or_anonymous",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="referral_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | ~Q(outcome=""),
                name="referral_completed_has_outcome",
            ),
        ]
        indexes = [
            models.Index(
                fields=["center", "status", "follow_up_on"], name="referral_center_status"
            ),
            models.Index(fields=["center", "-closed_at"], name="referral_center_closed"),
            # The desk's long sections, already in their order, so that the first 50
            # rows come without sorting a whole section (see desk_sections).
            models.Index(
                fields=["center", "asked_at"],
                condition=Q(status="asked"),
                name="referral_waiting",
            ),
            models.Index(
                fields=["center", "answered_at"],
                condition=Q(status="accepted"),
                name="referral_accepted",
            ),
            models.Index(
                fields=["center", "follow_up_on"],
                condition=Q(status__in=["referred", "following_up"]),
                name="referral_following_up",
            ),
            models.Index(fields=["organisation", "center"], name="referral_partner"),
        ]

    def __str__(self):
        return f"{self.case.number} → {self.organisation}"

    def save(self, *args, **kwargs):
        if self.service_id and not self.organisation_id:
            self.organisation_id = self.service.organisation_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("referrals:referral-detail", args=[self.pk])

    @property
    def outcome_label(self):
        return choice_label(self.Outcome, self.outcome)

    @property
    def decline_reason_label(self):
        return choice_label(self.DeclineReason, self.decline_reason)

    def audit_subjects(self):
        """The case's: a referral shows and shares the client's details."""
        return self.case.audit_subjects()

    def clean(self):
        if self.contact_id and self.contact.organisation_id != self.service.organisation_id:
            raise ValidationError({"contact": _("Choose a contact of the same partner.")})
        if not self.is_anonymous and not self.consent_id:
            raise ValidationError(
                _(
                    "The client has not agreed to share their details with this partner: "
                    "record the consent, or make it an anonymous enquiry."
                )
            )

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def was_accepted(self):
        return self.answered_at is not None and self.status != self.Status.DECLINED

    def can_move_to(self, status):
        return status in self.NEXT_STATUSES[self.status]

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.follow_up_on is not None and self.follow_up_on < today

    def shared_details(self):
        """The client's details the partner may see, as (label, value) pairs: those the
        consent in force covers; none for an anonymous enquiry or a withdrawn consent."""
        client = self.case.client
        consent = self.consent
        if self.is_anonymous or client is None or consent is None or not consent.is_in_force:
            return []
        details = []
        if consent.shares_name:
            details += [(_("Name"), client.full_name), (_("Reading"), client.full_name_kana)]
        if consent.shares_contact:
            details += [
                (_("Phone"), "、".join(client.phones)),
                (_("When to call"), client.contact_hours),
                (_("E-mail"), client.email),
            ]
        if consent.shares_address:
            place = " ".join(
                str(part)
                for part in (client.prefecture, client.municipality, client.town, client.building)
                if part
            )
            details.append(
                (_("Home address"), f"〒{client.postcode} {place}" if client.postcode else place)
            )
        if consent.shares_age:
            age = client.age_on(timezone.localdate())
            details.append((_("Age"), _("%(age)s years") % {"age": age} if age is not None else ""))
        if consent.shares_work:
            # Only what the client said: an empty choice reads 不明, which tells nothing.
            work = [
                (_("Employment type"), "employment_type"),
                (_("Employment status"), "employment_status"),
                (_("Industry"), "industry"),
                (_("Company size"), "company_size"),
            ]
            details += [
                (label, getattr(client, f"get_{name}_display")())
                for label, name in work
                if getattr(client, name)
            ]
        return [(label, value) for label, value in details if value]

    # The verbs: each checks the move, writes a step and a case timeline entry, and
    # moves the case along (紹介中 when the partner is asked, フォロー中 once referred).

    def refuse_if_use_stopped(self):
        """Raise ValidationError while the client has stopped the use of their data."""
        if self.case.client_id:
            self.case.client.refuse_if_use_stopped()

    @transaction.atomic
    def ask(self, *, by, channel, comment=""):
        self.refuse_if_use_stopped()
        self._move(
            self.Status.ASKED, by=by, channel=channel, comment=comment, asked_at=timezone.now()
        )
        self._advance_case(Case.Status.REFERRING, by=by)

    @transaction.atomic
    def accept(self, *, by=None, channel, comment=""):
        self._move(
            self.Status.ACCEPTED,
            by=by,
            channel=channel,
            comment=comment,
            answered_at=timezone.now(),
        )

    @transaction.atomic
    def decline(self, *, reason, by=None, channel, comment=""):
        if reason not in self.DeclineReason.values:
            raise ValidationError(_("Choose why the partner declined."))
        now = timezone.now()
        self._move(
            self.Status.DECLINED,
            by=by,
            channel=channel,
            comment=comment,
            reason=reason,
            decline_reason=reason,
            answered_at=now,
            closed_at=now,
        )

    @transaction.atomic
    def mark_referred(self, *, by, appointment_at=None, place="", with_whom="", comment=""):
        """The client has been told where to go, when, and whom to see."""
        self.refuse_if_use_stopped()
        self._move(
            self.Status.REFERRED,
            by=by,
            comment=comment,
            referred_at=timezone.now(),
            appointment_at=appointment_at,
            appointment_place=place,
            appointment_with=with_whom,
            follow_up_on=self.default_follow_up_on(timezone.localdate()),
        )
        self._advance_case(Case.Status.FOLLOW_UP, by=by)

    @transaction.atomic
    def add_follow_up(self, *, by=None, done_on, method, spoke_with, note, next_on=None):
        """Record how it went; `next_on` is the next follow-up date (a completed
        referral has none)."""
        self._lock()
        if self.status not in (self.Status.REFERRED, self.Status.FOLLOWING_UP):
            raise ValidationError(_("Follow-ups start once the client has been referred."))
        follow_up = self.follow_ups.create(
            done_on=done_on,
            due_on=self.follow_up_on,
            method=method,
            spoke_with=spoke_with,
            note=note,
            by=by,
            next_on=next_on,
        )
        if self.status == self.Status.REFERRED:
            self._move(self.Status.FOLLOWING_UP, by=by, comment=note, follow_up_on=next_on)
        else:
            self.follow_up_on = next_on
            Referral.objects.filter(pk=self.pk).update(follow_up_on=next_on)
            self._add_case_event(gettext("Follow-up"), by=by, text=note)
        return follow_up

    @transaction.atomic
    def complete(self, *, outcome, by=None, channel="", comment=""):
        if outcome not in self.Outcome.values:
            raise ValidationError(_("Choose the outcome."))
        self._move(
            self.Status.COMPLETED,
            by=by,
            channel=channel,
            comment=comment,
            reason=outcome,
            outcome=outcome,
            follow_up_on=None,
            closed_at=timezone.now(),
        )

    @transaction.atomic
    def cancel(self, *, by, comment=""):
        now = timezone.now()
        self._move(self.Status.CANCELLED, by=by, comment=comment, follow_up_on=None, closed_at=now)
        self.links.filter(revoked_at__isnull=True).update(revoked_at=now)

    def default_follow_up_on(self, day):
        days = self.service.follow_up_days or FOLLOW_UP_BUSINESS_DAYS
        return add_business_days(day, days)

    def _lock(self):
        """Lock the row and check it is as this copy saw it, so that a partner answering
        by link and staff recording a phone answer at the same moment cannot both win."""
        current = Referral.objects.select_for_update().values_list("status", flat=True)
        if current.get(pk=self.pk) != self.status:
            raise ValidationError(_("The referral was changed meanwhile; reload the page."))

    def _move(self, status, *, by, channel="", comment="", reason="", **changes):
        """Check the move, then set the status and `changes`, and write the step and the
        timeline entry. A refused move leaves this instance as it was."""
        self._lock()
        if not self.can_move_to(status):
            raise ValidationError(
                _("A referral cannot go from %(old)s to %(new)s.")
                % {"old": self.get_status_display(), "new": self.Status(status).label}
            )
        old_status = self.status
        for name, value in {"status": status, **changes}.items():
            setattr(self, name, value)
        self.save()
        self.steps.create(
            old_status=old_status,
            status=status,
            by=by,
            channel=channel,
            reason=reason,
            comment=comment,
        )
        self._add_case_event(self.get_status_display(), by=by, text=comment)

    def _add_case_event(self, what, *, by, text):
        """A line in the case's timeline: the partner, and what happened with it."""
        self.case.events.create(
            kind=CaseEvent.Kind.REFERRAL,
            by=by,
            old_value=str(self.organisation)[:150],
            new_value=str(what)[:150],
            text=text,
        )

    def _advance_case(self, status, *, by):
        case = self.case
        if case.status != status and status in case.NEXT_STATUSES[case.status]:
            case.change_status(status, by=by)


class ReferralStep(models.Model):
    """One move of a referral: when, who (nobody for a partner's link), how, and why."""

    referral = models.ForeignKey(
        Referral, models.CASCADE, related_name="steps", verbose_name=_("referral")
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    old_status = models.CharField(_("from"), max_length=15, choices=Referral.Status, blank=True)
    status = models.CharField(_("to"), max_length=15, choices=Referral.Status)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    channel = models.CharField(_("how"), max_length=10, choices=Channel, blank=True)
    reason = models.CharField(_("reason"), max_length=20, blank=True)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("referral step")
        verbose_name_plural = _("referral steps")

    def __str__(self):
        return f"{self.referral_id}: {self.get_status_display()}"

    @property
    def reason_label(self):
        if self.status == Referral.Status.DECLINED and self.reason:
            return Referral.DeclineReason(self.reason).label
        if self.status == Referral.Status.COMPLETED and self.reason:
            return Referral.Outcome(self.reason).label
        return ""


class HandoffSheet(models.Model):
    """申し送り票: what the partner needs to know so the client need not tell it again.

    Drafted from the case, edited by staff and approved once the client has seen it.
    The client's name and contact details are not stored here: the sheet shows those
    the consent lets go, and an anonymous enquiry shows none.
    """

    referral = models.OneToOneField(
        Referral, models.CASCADE, related_name="sheet", verbose_name=_("referral")
    )
    need = models.TextField(_("what the client needs"), max_length=2000)
    history = models.TextField(_("what happened so far"), max_length=4000, blank=True)
    already_tried = models.TextField(_("what was already tried"), max_length=2000, blank=True)
    client_wishes = models.TextField(_("what the client wants"), max_length=2000, blank=True)
    contact_notes = models.TextField(
        _("how to contact the client safely"), max_length=1000, blank=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("updated by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("approval recorded by"),
    )

    TEXT_FIELDS = ["need", "history", "already_tried", "client_wishes", "contact_notes"]

    class Meta:
        verbose_name = _("hand-off sheet")
        verbose_name_plural = _("hand-off sheets")

    def __str__(self):
        return str(self.referral)

    @property
    def is_approved(self):
        return self.approved_at is not None

    @classmethod
    def draft_for(cls, referral, *, by, recent=5):
        """A first draft from the case: the need, the last contacts' summaries and
        what was done, and the client's safe-contact flags."""
        case = referral.case
        consultations = list(case.consultations.order_by("-received_at")[:recent])[::-1]
        history = "\n".join(
            f"{timezone.localdate(c.received_at):%Y/%m/%d} {c.summary}".strip()
            for c in consultations
            if c.summary
        )
        tried = "\n".join(c.action_taken for c in consultations if c.action_taken)
        notes = []
        if case.client_id:
            client = case.client
            notes = [str(label) for label in client.contact_restrictions]
            if client.contact_hours:
                notes.append(client.contact_hours)
            if client.contact_note:
                notes.append(client.contact_note)
        sheet = cls(
            referral=referral,
            need=referral.need,
            history=history,
            already_tried=tried,
            contact_notes="\n".join(notes),
            updated_by=by,
        )
        if referral.is_anonymous:
            sheet.redact_identifiers()
        sheet.save()
        return sheet

    def identifiers(self):
        """What would identify the client if it were written into the sheet: names and
        readings and the e-mail address (as words), and phone numbers (as digits)."""
        client = self.referral.case.client
        if client is None:
            return [], []
        words = [
            client.family_name,
            client.given_name,
            client.alias,
            client.family_name_kana,
            client.given_name_kana,
            client.email,
        ]
        phones = [digits for digits in (client.phone_mobile, client.phone_home) if digits]
        return [word for word in words if len(word) >= 2], phones

    def redact_identifiers(self):
        """Blank out the client's names and contact details from the free text, however
        they were typed: hiragana or katakana, half or full width, digits grouped by
        dashes, dots, spaces or brackets."""
        words, phones = self.identifiers()
        variants = {
            variant
            for word in words
            for variant in (
                word,
                jaconv.kata2hira(word),
                jaconv.hira2kata(word),
                jaconv.z2h(jaconv.hira2kata(word), kana=True, ascii=True, digit=True),
                jaconv.h2z(word, kana=True, ascii=True, digit=True),
            )
        }
        patterns = [re.escape(variant) for variant in sorted(variants, key=len, reverse=True)]
        for digits in phones:
            # Each digit in half or full width, up to two separators between digits.
            patterns.append(PHONE_SEPARATORS.join(f"[{d}{chr(ord(d) + 0xFEE0)}]" for d in digits))
        if not patterns:
            return
        identifying = re.compile("|".join(patterns), re.IGNORECASE)
        for field in self.TEXT_FIELDS:
            setattr(self, field, identifying.sub("〇〇", getattr(self, field)))

    def mentions_identifiers(self):
        """Whether the free text names the client (compared as search keys, so ヤマダ,
        やまだ and half-width ﾔﾏﾀﾞ all count)."""
        words, phones = self.identifiers()
        text = search_key(" ".join(getattr(self, field) for field in self.TEXT_FIELDS))
        digits = "".join(ch for ch in text if ch.isdigit())
        return any(search_key(word) in text for word in words) or any(
            phone in digits for phone in phones
        )

    def save_edit(self, *, by):
        """Save staff's changes to the text: the client approved the old text, not this
        one, so the approval goes."""
        self.updated_by = by
        self.approved_at = None
        self.approved_by = None
        self.save()

    @transaction.atomic
    def approve(self, *, by):
        self.approved_at = timezone.now()
        self.approved_by = by
        self.save(update_fields=["approved_at", "approved_by"])


class PartnerLink(models.Model):
    """A signed, expiring link for one referral, sent to the partner, who answers
    through it without an account and later reports the outcome.

    The token is a signature over the link's id and a random nonce; only the nonce's
    hash is stored, so the database alone cannot rebuild a working link.
    """

    referral = models.ForeignKey(
        Referral, models.CASCADE, related_name="links", verbose_name=_("referral")
    )
    nonce_hash = models.CharField(max_length=64, unique=True, editable=False)
    sent_to = models.EmailField(_("sent to"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now, editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("sent by")
    )
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("partner link")
        verbose_name_plural = _("partner links")

    def __str__(self):
        return f"{self.referral_id} → {self.sent_to}"

    @classmethod
    def issue(cls, referral, *, to, by):
        """A new link and its token; the referral's earlier links stop working."""
        now = timezone.now()
        referral.links.filter(revoked_at__isnull=True).update(revoked_at=now)
        nonce = secrets.token_urlsafe(32)
        link = cls.objects.create(
            referral=referral,
            nonce_hash=_hashed(nonce),
            sent_to=to,
            sent_by=by,
            sent_at=now,
            expires_at=now + datetime.timedelta(days=LINK_VALID_DAYS),
        )
        token = signing.dumps({"link": link.pk, "nonce": nonce}, salt=LINK_SALT, compress=True)
        return link, token

    @classmethod
    def from_token(cls, token):
        """The link the token was made for, or None when it was tampered with, has
        expired or been replaced. Callers audit the None."""
        try:
            payload = signing.loads(
                token, salt=LINK_SALT, max_age=datetime.timedelta(days=LINK_VALID_DAYS)
            )
            link_id, nonce = int(payload["link"]), str(payload["nonce"])
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            return None
        link = (
            cls.objects.select_related("referral__organisation", "referral__center")
            .filter(pk=link_id, nonce_hash=_hashed(nonce))
            .first()
        )
        if link is None or not link.is_usable:
            return None
        return link

    @property
    def is_usable(self):
        return self.revoked_at is None and self.expires_at > timezone.now()

    def mark_used(self):
        self.last_used_at = timezone.now()
        PartnerLink.objects.filter(pk=self.pk).update(last_used_at=self.last_used_at)


def _hashed(nonce):
    return hashlib.sha256(nonce.encode()).hexdigest()


class FollowUp(models.Model):
    """その後の経過: one check on how a referral went."""

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone")
        VISIT = "visit", _("Visit to the centre")
        EMAIL = "email", _("E-mail")
        LINK = "link", _("Partner's report by link")
        OTHER = "other", _("Other")

    class Party(models.TextChoices):
        CLIENT = "client", _("Client")
        PARTNER = "partner", _("Partner")

    referral = models.ForeignKey(
        Referral, models.CASCADE, related_name="follow_ups", verbose_name=_("referral")
    )
    done_on = models.DateField(_("date"), default=timezone.localdate)
    # The follow-up date set before this one, for the statistics of timeliness
    # (done by the date or late); empty where none was set.
    due_on = models.DateField(_("due on"), null=True, blank=True, editable=False)
    method = models.CharField(_("how"), max_length=10, choices=Method)
    spoke_with = models.CharField(_("with whom"), max_length=10, choices=Party)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("what they said"), max_length=2000)
    next_on = models.DateField(_("next follow-up"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["done_on", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        # The statistics' timeliness is by the day due.
        indexes = [models.Index(fields=["due_on", "done_on", "referral"], name="followup_due_on")]

    def __str__(self):
        return f"{self.referral_id} {self.done_on}"


class ProvisionRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Own centre's records, less those of a restricted case the user may not see
        (the recipient alone, a DV shelter say, can say too much)."""
        records = scoped_to_center(self, user)
        if user.has_perm(VIEW_RESTRICTED):
            return records
        return records.filter(
            Q(referral__isnull=True)
            | Q(referral__case__restricted=False)
            | Q(referral__case__assigned_to=user)
        )

    def expired(self, today=None):
        return self.filter(keep_until__lt=today or timezone.localdate())


class ProvisionRecord(models.Model):
    """第三者提供の記録 (個人情報保護法 29条, 規則19–21条): written whenever the client's
    personal data goes to a partner. It never changes, and outlives the case: the
    client's identification is copied in, and it is kept three years."""

    center = models.ForeignKey(
        "accounts.Center", models.PROTECT, related_name="+", verbose_name=_("centre")
    )
    client = models.ForeignKey(
        Client,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="provision_records",
        verbose_name=_("client"),
    )
    referral = models.ForeignKey(
        Referral,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="provision_records",
        verbose_name=_("referral"),
    )
    provided_at = models.DateTimeField(_("provided at"), default=timezone.now)
    recipient = models.CharField(_("recipient"), max_length=300)
    client_identification = models.CharField(_("the person concerned"), max_length=200)
    items = models.CharField(_("items provided"), max_length=300)
    consent_basis = models.CharField(_("consent"), max_length=300)
    channel = models.CharField(_("how"), max_length=10, choices=Channel)
    provided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("provided by"),
    )
    keep_until = models.DateField(_("kept until"))

    objects = ProvisionRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-provided_at", "-pk"]
        verbose_name = _("record of provision")
        verbose_name_plural = _("records of provision")
        permissions = [("export_provisionrecord", _("Can export records of provision"))]
        indexes = [
            models.Index(fields=["client", "-provided_at"], name="provision_client"),
            models.Index(fields=["center", "-provided_at"], name="provision_center"),
        ]

    def __str__(self):
        return f"{self.provided_at:%Y-%m-%d} {self.recipient}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(gettext("A record of provision cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.keep_until >= timezone.localdate():
            raise ValidationError(
                gettext("A record of provision is kept until %(day)s.")
                % {"day": self.keep_until.isoformat()}
            )
        return super().delete(*args, **kwargs)

    @classmethod
    def write(cls, referral, *, by, channel):
        """The record for what this referral's sheet shows the partner, now."""
        client = referral.case.client
        consent = referral.consent
        recipient = f"{referral.organisation} {referral.service.name}"
        if referral.contact_id:
            recipient = f"{recipient}（{referral.contact}）"
        birth = f" {client.birth_date:%Y/%m/%d}生" if client.birth_date else ""
        now = timezone.now()
        return cls.objects.create(
            center_id=referral.center_id,
            client=client,
            referral=referral,
            provided_at=now,
            recipient=recipient[:300],
            client_identification=f"{client.full_name}（{client.full_name_kana}）{birth}"[:200],
            items="、".join(
                [str(gettext("Consultation summary")), *(str(i) for i in consent.items())]
            )[:300],
            consent_basis=str(consent.basis())[:300],
            channel=channel,
            provided_by=by,
            keep_until=timezone.localdate(now) + relativedelta(years=PROVISION_KEEP_YEARS),
        )


class FollowUpReminder(models.Model):
    """That a coordinator's daily reminder went out, so a second cron run sends none."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    sent_on = models.DateField()
    item_count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "sent_on"], name="one_reminder_a_day")
        ]

    def __str__(self):
        return f"{self.user_id} {self.sent_on}"

"""The partner directory: what each partner offers, where, when, and whom to call.

The directory is shared by every centre of the deployment, so nothing here is scoped
to a centre; roles decide who reads and who edits.
"""

import datetime
import re
import uuid
from dataclasses import dataclass
from itertools import islice

from dateutil import rrule
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, Prefetch, Q, Value, When
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.fields import KanaField, PhoneField, PostcodeField
from accounts.japanese import postal_place
from accounts.lists import choice_label, pk_among, url_maker
from accounts.search import search_key, search_terms

from .calendar_jp import closure_reason

# An entry not re-checked for this long is listed for verification.
VERIFICATION_INTERVAL = datetime.timedelta(days=365)
TOPIC_SEARCH_KEYS = "network:topic-search-keys"
TOPIC_SEARCH_KEYS_SECONDS = 60


def web_link(address):
    """`address` as a link target only when it is a web page: a `javascript:` or `data:`
    address that got past the form's URL check is shown as text, never linked."""
    return address if address.lower().startswith(("https://", "http://")) else ""


class Prefecture(models.Model):
    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=10)
    kana = models.CharField(_("reading"), max_length=30, blank=True)
    is_served = models.BooleanField(
        _("in the region served"),
        default=False,
        help_text=_("Its municipalities are offered as areas in the directory search."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("prefecture")
        verbose_name_plural = _("prefectures")

    def __str__(self):
        return self.name


class MunicipalityQuerySet(models.QuerySet):
    def served(self):
        return self.filter(prefecture__is_served=True).select_related("prefecture")


class Municipality(models.Model):
    """A 市区町村 (wards of designated cities included), keyed by its local government code."""

    code = models.CharField(
        _("local government code"),
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^\d{5}$", _("Enter the five-digit code, e.g. 17201."))],
    )
    prefecture = models.ForeignKey(
        Prefecture, models.PROTECT, related_name="municipalities", verbose_name=_("prefecture")
    )
    name = models.CharField(_("name"), max_length=30)
    kana = models.CharField(_("reading"), max_length=60, blank=True)

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return self.name

    @property
    def full_name(self):
        return f"{self.prefecture.name}{self.name}"


class Category(models.Model):
    """Level 1 of the topic taxonomy (相談分野), e.g. W1 職場の悩み・組合づくり."""

    class Domain(models.TextChoices):
        WORK = "work", _("Work")
        LIFE = "life", _("Daily life")
        HEALTH = "health", _("Health")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=4, unique=True)
    domain = models.CharField(_("group"), max_length=10, choices=Domain)
    name = models.CharField(_("name"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("consultation field")
        verbose_name_plural = _("consultation fields")

    def __str__(self):
        return f"{self.code} {self.name}"


class TopicQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def matching_code(self, code):
        """The topic with this code (W1-01), or every topic of a field (W1)."""
        if "-" in code:
            return self.filter(code=code)
        return self.filter(category__code=code)


class Topic(models.Model):
    """Level 2 of the taxonomy, with the columns the statistics roll up by.

    Codes are stable across years; labels may be edited as the national lists drift.
    """

    code = models.CharField(
        _("code"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]\d-\d{2}$", _("Use a code like W1-01."))],
    )
    category = models.ForeignKey(
        Category, models.PROTECT, related_name="topics", verbose_name=_("field")
    )
    name = models.CharField(_("name"), max_length=100)
    rengo_category = models.CharField(_("Rengo major category"), max_length=50, blank=True)
    rengo_item = models.CharField(_("Rengo item"), max_length=100, blank=True)
    mhlw_category = models.CharField(
        _("MHLW civil dispute category"),
        max_length=50,
        blank=True,
        help_text=_("The category in the MHLW tally of individual labour disputes (民事 内訳)."),
    )
    mhlw_separate_count = models.CharField(
        _("MHLW separate count"),
        max_length=50,
        blank=True,
        help_text=_("Where MHLW counts it outside civil disputes: 法違反, 推進法, 均等法 …"),
    )
    poverty_topic = models.CharField(
        _("self-reliance support topic"),
        max_length=50,
        blank=True,
        help_text=_("The matching item of the 生活困窮 intake form (A票)."),
    )
    lsc_field = models.CharField(_("LSC field"), max_length=20, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return f"{self.code} {self.name}"


class OrganisationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def matching_text(self, query):
        """Every word of `query` in the partner's or one of its services' texts.

        Each word's partners are the union of those named by it and those with a service
        it names. PostgreSQL reads the union first, by the trigram indexes, and looks the
        partners up by id (pk_among): as an OR of a LIKE and a subquery, or as IN
        (union), it read all 10,000 partners instead, 4–10 ms for the count and as much
        again for the page."""
        queryset = self
        for term in search_terms(query):
            named = Organisation.objects.filter(search_text__contains=term).order_by()
            serving = Service.objects.matching_text(term).order_by()
            ids = named.values("pk").union(serving.values("organisation"))
            queryset = queryset.filter(pk_among(ids))
        return queryset

    def serving(self, *, topic_code="", area=None):
        """Partners with an active service for the topic (or field) in the area."""
        services = Service.objects.active().serving(topic_code=topic_code, area=area)
        return self.filter(pk__in=services.values("organisation"))

    def open_on(self, day):
        """Partners with a specialist day on `day` (holidays excluded)."""
        return self.filter(
            pk__in=Schedule.objects.occurring_on(day).values("service__organisation")
        )

    def strongest_tie_first(self):
        """Deepest tie first (委託 … 情報交換): a warm hand-off goes where the tie is strong."""
        depth = Case(
            *[When(tie=tie, then=Value(depth)) for depth, tie in enumerate(Organisation.Tie)],
            output_field=models.IntegerField(),
        )
        return self.alias(tie_depth=depth).order_by("-tie_depth", "name_kana", "name", "pk")

    def not_verified_since(self, day):
        return self.filter(Q(verified_on__isnull=True) | Q(verified_on__lt=day))

    def for_results(self, services, *, contacts):
        """The directory search's results (network/_search_results.html) with the given
        services as `listed_services`, their topics' names and their schedules as
        `listed_topics` and `listed_schedules`, and the active contacts as
        `listed_contacts` when `contacts`; of each row only the columns shown."""
        services = services.only(
            "organisation", "name", "fee", "fee_note", "capacity_note"
        ).prefetch_related(
            # Lists (to_attr): a prefetch into the related manager sets up a filtered
            # queryset on each of the 45 or so services, some 40 µs each.
            Prefetch("topics", queryset=Topic.objects.only("name"), to_attr="listed_topics"),
            Prefetch("schedules", to_attr="listed_schedules"),
        )
        queryset = (
            self.select_related("municipality")
            .only("name", "kind", "tie", "phone", "municipality__name")
            .prefetch_related(
                Prefetch("services", queryset=services.order_by("name"), to_attr="listed_services")
            )
        )
        if contacts:
            listed = Contact.objects.active().only("organisation", "name", "qualification", "phone")
            queryset = queryset.prefetch_related(
                Prefetch("contacts", queryset=listed, to_attr="listed_contacts")
            )
        return queryset

    def with_services(self, services=None):
        """Preload the given services (default: the active ones) with topics and schedules."""
        services = services if services is not None else Service.objects.active()
        return self.select_related("municipality").prefetch_related(
            Prefetch(
                "services",
                queryset=services.prefetch_related("topics", "schedules").order_by("name"),
                to_attr="listed_services",
            )
        )


class Organisation(models.Model):
    """A partner (団体) the centre refers clients to."""

    class Kind(models.TextChoices):
        RENGO = "rengo", _("Rengo (union federation)")
        ROFUKUKYO = "rofukukyo", _("Workers' welfare council")
        ROKIN = "rokin", _("Labour bank (Rokin)")
        KOKUMIN_KYOSAI = "kokumin_kyosai", _("Kokumin Kyosai co-op")
        NPO = "npo", _("NPO")
        COOP = "coop", _("Consumer co-op")
        GOVERNMENT = "government", _("Government office")
        PROFESSIONAL = "professional", _("Professional body")
        BUSINESS = "business", _("Business or shop")
        EDUCATION = "education", _("Educational institution")
        MEDICAL = "medical", _("Medical institution")
        SOCIAL_WELFARE_COUNCIL = "shakyo", _("Social welfare council")
        OTHER = "other", _("Other")

    class Tie(models.TextChoices):
        """How deep the tie is, shallowest first: a warm hand-off needs at least REFERRAL."""

        INFORMATION = "information", _("Information exchange")
        REFERRAL = "referral", _("Referral")
        PARTNERSHIP = "partnership", _("Business partnership")
        CONTRACT = "contract", _("Contract")

    hsds_id = models.UUIDField(_("HSDS id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    name_kana = KanaField(_("reading"), max_length=200, blank=True)
    aliases = models.CharField(
        _("other names"),
        max_length=200,
        blank=True,
        help_text=_("Former or common names, e.g. 全労済, 労金; they are found by the search."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    description = models.TextField(_("description"), blank=True)
    postcode = PostcodeField(_("postal code"), max_length=8, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
        help_text=_("Where the partner is; filled in from the postal code when left empty."),
    )
    phone = PhoneField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    tie = models.CharField(_("tie"), max_length=20, choices=Tie, default=Tie.INFORMATION)
    agreement_date = models.DateField(_("agreement date"), null=True, blank=True)
    staff_notes = models.TextField(
        _("notes for staff"),
        blank=True,
        help_text=_("Seen by staff only, never exported to partners."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    search_text = models.TextField(editable=False, default="")

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name_kana", "name"]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        permissions = [
            ("verify_organisation", _("Can mark a directory entry verified")),
            ("exchange_hsds", _("Can import and export the directory as HSDS")),
        ]
        indexes = [
            models.Index(fields=["kind"]),
            models.Index(fields=["tie"]),
            models.Index(fields=["verified_on"]),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = search_key(
            " ".join([self.name, self.name_kana, self.aliases, self.description, self.address])
        )
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("network:organisation-detail", args=[self.pk])

    @property
    def website_link(self):
        return web_link(self.website)

    @property
    def kind_label(self):
        return choice_label(self.Kind, self.kind)

    @property
    def tie_label(self):
        return choice_label(self.Tie, self.tie)

    def clean(self):
        if self.municipality_id is None and self.postcode:
            self.municipality = Municipality.objects.filter(
                code=_municipality_code_for(self.postcode)
            ).first()

    @property
    def needs_verification(self):
        return self.verified_on is None or self.verified_on < verification_cutoff()

    def verify(self, *, by):
        """Record that a member of staff re-checked the entry today."""
        self.verified_on = timezone.localdate()
        self.verified_by = by
        self.save(update_fields=["verified_on", "verified_by", "updated_at"])


def prepare_results(organisations, *, after=None):
    """Give the partners of a page of directory results (OrganisationQuerySet.for_results)
    and their listed services what network/_search_results.html shows besides their
    fields: their links (url_maker), and each service's next specialist day from
    `after` (default today)."""
    organisation_url = url_maker("network:organisation-detail")
    service_url = url_maker("network:service-detail")
    for organisation in organisations:
        organisation.detail_url = organisation_url(organisation.pk)
        for service in organisation.listed_services:
            service.detail_url = service_url(service.pk)
            service.next_days = service.upcoming_days(
                1, after=after, schedules=service.listed_schedules
            )


def verification_cutoff():
    return timezone.localdate() - VERIFICATION_INTERVAL


def _municipality_code_for(postcode):
    place = postal_place(postcode)
    return place.jisx0402 if place else None


class ServiceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Service.Status.ACTIVE)

    def serving(self, *, topic_code="", area=None):
        # Subqueries rather than joins, so a service is listed once however many match.
        queryset = self
        if topic_code:
            topics = Topic.objects.matching_code(topic_code)
            queryset = queryset.filter(
                pk__in=Service.topics.through.objects.filter(topic__in=topics).values("service")
            )
        if area is not None:
            in_area = Service.areas.through.objects.filter(municipality=area).values("service")
            queryset = queryset.filter(Q(serves_all_areas=True) | Q(pk__in=in_area))
        return queryset

    def matching_text(self, term):
        """Services whose texts or topic names contain the search key `term`."""
        topic_ids = [pk for pk, key in topic_search_keys() if term in key]
        by_topic = Service.topics.through.objects.filter(topic__in=topic_ids).values("service")
        return self.filter(Q(search_text__contains=term) | Q(pk__in=by_topic))


def topic_search_keys():
    """(pk, search key of the name) of every topic, for the directory's text search;
    cached like the filters' choices (network/forms.py), as only administrators edit
    topics."""
    keys = cache.get(TOPIC_SEARCH_KEYS)
    if keys is None:
        keys = [(topic.pk, search_key(topic.name)) for topic in Topic.objects.only("name")]
        cache.set(TOPIC_SEARCH_KEYS, keys, TOPIC_SEARCH_KEYS_SECONDS)
    return keys


@receiver([post_save, post_delete], sender=Topic)
def forget_topic_search_keys(**kwargs):
    cache.delete(TOPIC_SEARCH_KEYS)


class Service(models.Model):
    """What a partner offers: a consultation day, a loan, a shelter, a support programme."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Accepting")
        TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")
        INACTIVE = "inactive", _("Ended")

    class Fee(models.TextChoices):
        FREE = "free", _("Free")
        PAID = "paid", _("Paid")

    hsds_id = models.UUIDField(_("HSDS id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="services", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.ACTIVE)
    topics = models.ManyToManyField(
        Topic, related_name="services", verbose_name=_("topics"), blank=True
    )
    serves_all_areas = models.BooleanField(
        _("whole region"), default=False, help_text=_("Serves every area (全域).")
    )
    areas = models.ManyToManyField(
        Municipality, related_name="services", verbose_name=_("areas served"), blank=True
    )
    eligibility = models.TextField(_("who can use it"), blank=True)
    fee = models.CharField(_("fee"), max_length=10, choices=Fee, default=Fee.FREE)
    fee_note = models.CharField(
        _("fee details"), max_length=200, blank=True, help_text=_("e.g. 30分 5,500円")
    )
    how_to_apply = models.TextField(_("how to apply"), blank=True)
    languages = models.CharField(
        _("languages"),
        max_length=200,
        blank=True,
        help_text=_("Separate with 、 e.g. 日本語、英語"),
    )
    capacity_note = models.CharField(
        _("capacity"),
        max_length=200,
        blank=True,
        help_text=_("Whether it can take clients now, e.g. 受入可 / 今月は満員"),
    )
    follow_up_days = models.PositiveSmallIntegerField(
        _("follow up after (business days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("When to check how a referral went; empty for the usual 5 business days."),
    )
    phone = PhoneField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    url = models.URLField(_("web page"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    search_text = models.TextField(editable=False, default="")

    objects = ServiceQuerySet.as_manager()

    class Meta:
        # No ordering through a relation: it would add a join to every query.
        ordering = ["name", "pk"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.CheckConstraint(
                condition=~Q(fee="free") | Q(fee_note=""),
                name="network_service_free_has_no_fee_note",
                violation_error_message=_("A free service has no fee details."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = search_key(
            " ".join([self.name, self.description, self.eligibility, self.languages])
        )
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("network:service-detail", args=[self.pk])

    @property
    def url_link(self):
        return web_link(self.url)

    @property
    def fee_label(self):
        return choice_label(self.Fee, self.fee)

    @property
    def language_list(self):
        return [name for name in re.split(r"[、,，]\s*", self.languages) if name.strip()]

    def upcoming_days(self, count=3, *, after=None, schedules=None):
        """The next `count` specialist days over all schedules, soonest first.

        Uses the given schedules, or `schedules` as preloaded (see
        OrganisationQuerySet.with_services).
        """
        schedules = self.schedules.all() if schedules is None else schedules
        days = [day for schedule in schedules for day in schedule.next_days(count, after=after)]
        return sorted(days, key=lambda day: (day.date, day.opens_at or datetime.time.min))[:count]


class ScheduleQuerySet(models.QuerySet):
    def occurring_on(self, day):
        """Schedules with an occurrence on `day`. The weekday filter narrows the rows in
        the database; the recurrence rule decides in Python."""
        code = WEEKDAY_CODES[day.weekday()]
        candidates = self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
            Q(byday__contains=code) | ~Q(bymonthday=""),
            service__status=Service.Status.ACTIVE,
        )
        return self.filter(pk__in=[s.pk for s in candidates if s.occurs_on(day)])


WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
_BYDAY_TOKEN = re.compile(r"^([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)$")


@dataclass(frozen=True)
class Occurrence:
    date: datetime.date
    opens_at: datetime.time | None
    closes_at: datetime.time | None
    description: str


class Schedule(models.Model):
    """A recurring specialist day, as an iCalendar-like rule (HSDS schedule).

    毎月第2火曜 13:00–16:00 is MONTHLY with byday "2TU"; 毎週水曜 is WEEKLY with "WE";
    毎月10日 is MONTHLY with bymonthday "10".
    """

    class Frequency(models.TextChoices):
        WEEKLY = "WEEKLY", _("Weekly")
        MONTHLY = "MONTHLY", _("Monthly")

    hsds_id = models.UUIDField(_("HSDS id"), default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(
        Service, models.CASCADE, related_name="schedules", verbose_name=_("service")
    )
    freq = models.CharField(_("frequency"), max_length=10, choices=Frequency)
    interval = models.PositiveSmallIntegerField(
        _("every"), default=1, help_text=_("2 with weekly means every other week.")
    )
    byday = models.CharField(
        _("days of the week"),
        max_length=50,
        blank=True,
        help_text=_(
            "MO TU WE TH FR SA SU, separated by commas; monthly: 2TU = second Tuesday, "
            "-1FR = last Friday."
        ),
    )
    bymonthday = models.CharField(
        _("days of the month"), max_length=50, blank=True, help_text=_("Monthly only, e.g. 10,25.")
    )
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    closed_on_holidays = models.BooleanField(
        _("closed on public holidays"),
        default=True,
        help_text=_("Skips public holidays and 29 December – 3 January."),
    )
    description = models.CharField(
        _("description"), max_length=200, blank=True, help_text=_("e.g. 弁護士相談（要予約）")
    )

    objects = ScheduleQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")

    def __str__(self):
        return self.summary

    def clean(self):
        # One spelling ("2TU,FR"), which the "open on a date" filter relies on.
        self.byday = ",".join(t.strip() for t in self.byday.upper().split(",") if t.strip())
        self.bymonthday = ",".join(t.strip() for t in self.bymonthday.split(",") if t.strip())
        errors = {}
        try:
            weekdays = self._weekdays()
        except ValueError:
            errors["byday"] = _("Use day codes such as TU or, for monthly, 2TU or -1FR.")
            weekdays = []
        try:
            monthdays = self._monthdays()
        except ValueError:
            errors["bymonthday"] = _("Use days of the month from 1 to 31 (or -1 for the last day).")
            monthdays = []
        if self.freq == self.Frequency.WEEKLY:
            if any(day.n for day in weekdays):
                errors["byday"] = _("A weekly schedule cannot say which week of the month.")
            if monthdays:
                errors["bymonthday"] = _("A weekly schedule has no days of the month.")
            if not weekdays and "byday" not in errors:
                errors["byday"] = _("Say on which days of the week.")
        elif self.freq == self.Frequency.MONTHLY and not (weekdays or monthdays) and not errors:
            errors["byday"] = _("Say which weekday of the month or which day of the month.")
        if self.interval == 0:
            errors["interval"] = _("Enter 1 or more.")
        elif self.interval > 1 and not self.valid_from:
            errors["valid_from"] = _("Give the first date, so that the rhythm is known.")
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The closing time must be after the opening time.")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The end date must not be before the start date.")
        if errors:
            raise ValidationError(errors)
        # Look where the schedule lives: from its first date, before its last (an ended
        # schedule is still a real one), or from today.
        window = datetime.timedelta(days=800)
        first = self.valid_from or (self.valid_to - window if self.valid_to else None)
        first = first or timezone.localdate()
        if self.freq and not self._dates_between(first, first + window):
            raise ValidationError(
                _("This schedule never falls on a date. Check the days and the dates.")
            )

    def _weekdays(self):
        days = []
        for token in filter(None, (t.strip().upper() for t in self.byday.split(","))):
            match = _BYDAY_TOKEN.match(token)
            if not match:
                raise ValueError(token)
            n = int(match.group(1)) if match.group(1) else None
            if n is not None and not (1 <= abs(n) <= 5):
                raise ValueError(token)
            days.append(rrule.weekday(WEEKDAY_CODES.index(match.group(2)), n))
        return days

    def _monthdays(self):
        days = [int(t) for t in filter(None, (t.strip() for t in self.bymonthday.split(",")))]
        if any(not (1 <= abs(day) <= 31) for day in days):
            raise ValueError(days)
        return days

    def _rule(self, first):
        """The recurrence from the period that holds `first` on.

        Starting near `first` keeps look-ups cheap however old the schedule; whole
        intervals are skipped from valid_from so that "every other week" keeps its rhythm.
        """
        dtstart = first.replace(day=1)
        if self.valid_from and self.valid_from < dtstart:
            if self.freq == self.Frequency.WEEKLY:
                weeks = (first - self.valid_from).days // 7 // self.interval * self.interval
                dtstart = self.valid_from + datetime.timedelta(weeks=weeks)
            else:
                months = (first.year - self.valid_from.year) * 12 + first.month
                months -= self.valid_from.month
                dtstart += relativedelta(months=-(months % self.interval))
        elif self.valid_from:
            dtstart = self.valid_from
        until = datetime.datetime.combine(self.valid_to, datetime.time()) if self.valid_to else None
        return rrule.rrule(
            rrule.WEEKLY if self.freq == self.Frequency.WEEKLY else rrule.MONTHLY,
            dtstart=datetime.datetime.combine(dtstart, datetime.time()),
            interval=self.interval or 1,
            byweekday=self._weekdays() or None,
            bymonthday=self._monthdays() or None,
            until=until,
            cache=False,
        )

    def _dates_between(self, first, last):
        start = datetime.datetime.combine(first, datetime.time())
        end = datetime.datetime.combine(last, datetime.time())
        return [moment.date() for moment in self._rule(first).between(start, end, inc=True)]

    def occurs_on(self, day):
        if self.closed_on_holidays and closure_reason(day):
            return False
        try:
            return bool(self._dates_between(day, day))
        except ValueError:
            return False

    def next_days(self, count=3, *, after=None):
        """The next `count` held days from `after` (default today), holidays skipped."""
        first = max(after or timezone.localdate(), self.valid_from or datetime.date.min)
        try:
            moments = self._rule(first).xafter(
                datetime.datetime.combine(first, datetime.time()), inc=True
            )
        except ValueError:
            return []
        held = (
            moment.date()
            for moment in islice(moments, count + 40)
            if not (self.closed_on_holidays and closure_reason(moment.date()))
        )
        return [
            Occurrence(day, self.opens_at, self.closes_at, self.description)
            for day in islice(held, count)
        ]

    @property
    def summary(self):
        """The rule in words: 毎月第2火曜 13:00〜16:00."""
        try:
            days = [_weekday_label(day) for day in self._weekdays()]
            days += [_monthday_label(day) for day in self._monthdays()]
        except ValueError:
            return self.description
        pattern = {
            (self.Frequency.WEEKLY, 1): _("Every %(days)s"),
            (self.Frequency.WEEKLY, 2): _("Every other week on %(days)s"),
            (self.Frequency.MONTHLY, 1): _("Monthly on %(days)s"),
        }.get((self.freq, self.interval))
        if pattern is None:
            pattern = (
                _("Every %(interval)d weeks on %(days)s")
                if self.freq == self.Frequency.WEEKLY
                else _("Every %(interval)d months on %(days)s")
            )
        text = pattern % {"days": "・".join(days), "interval": self.interval}
        if self.opens_at and self.closes_at:
            text += " " + _("%(opens)s–%(closes)s") % {
                "opens": f"{self.opens_at:%H:%M}",
                "closes": f"{self.closes_at:%H:%M}",
            }
        elif self.opens_at:
            text += " " + _("from %(opens)s") % {"opens": f"{self.opens_at:%H:%M}"}
        return text


WEEKDAY_NAMES = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]


def _weekday_label(day):
    name = WEEKDAY_NAMES[day.weekday]
    if not day.n:
        return str(name)
    if day.n == -1:
        return _("the last %(weekday)s") % {"weekday": name}
    if day.n < 0:
        return _("the %(n)d. %(weekday)s from the end") % {"n": -day.n, "weekday": name}
    return _("the %(n)d. %(weekday)s") % {"n": day.n, "weekday": name}


def _monthday_label(day):
    if day == -1:
        return str(_("the last day"))
    if day < 0:
        return _("the %(n)d. day from the end") % {"n": -day}
    return _("the %(n)d.") % {"n": day}


class ContactQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Contact(models.Model):
    """A person to call at a partner: the 担当者 or an individual specialist."""

    class Qualification(models.TextChoices):
        STAFF = "staff", _("Contact person")
        LAWYER = "lawyer", _("Lawyer")
        JUDICIAL_SCRIVENER = "judicial_scrivener", _("Judicial scrivener")
        LABOUR_CONSULTANT = "labour_consultant", _("Labour and social security attorney")
        TAX_ACCOUNTANT = "tax_accountant", _("Tax accountant")
        SOCIAL_WORKER = "social_worker", _("Certified social worker")
        PSYCHIATRIC_SOCIAL_WORKER = "psychiatric_social_worker", _("Psychiatric social worker")
        FINANCIAL_PLANNER = "financial_planner", _("Financial planner")
        PUBLIC_HEALTH_NURSE = "public_health_nurse", _("Public health nurse")
        CAREER_CONSULTANT = "career_consultant", _("Career consultant")
        ADMINISTRATIVE_SCRIVENER = "administrative_scrivener", _("Administrative scrivener")
        OTHER = "other", _("Other")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        FAX = "fax", _("Fax")
        IN_PERSON = "in_person", _("In person")
        VIA_OFFICE = "via_office", _("Through the office")

    hsds_id = models.UUIDField(_("HSDS id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="contacts", verbose_name=_("organisation")
    )
    service = models.ForeignKey(
        Service,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("service"),
        help_text=_("The service this person handles, if any."),
    )
    name = models.CharField(_("name"), max_length=100)
    name_kana = KanaField(_("reading"), max_length=100, blank=True)
    qualification = models.CharField(
        _("role or qualification"),
        max_length=30,
        choices=Qualification,
        default=Qualification.STAFF,
    )
    title = models.CharField(_("department or title"), max_length=100, blank=True)
    phone = PhoneField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    preferred_channel = models.CharField(
        _("preferred way to be reached"), max_length=20, choices=Channel, default=Channel.PHONE
    )
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("e.g. 平日午後のみ"))
    is_active = models.BooleanField(_("active"), default=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["name_kana", "name", "pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return self.name

    @property
    def qualification_label(self):
        return choice_label(self.Qualification, self.qualification)

    def clean(self):
        if self.service_id and self.service.organisation_id != self.organisation_id:
            raise ValidationError({"service": _("Choose a service of the same organisation.")})

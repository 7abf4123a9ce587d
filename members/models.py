"""The member register: membership types, members, their yearly fees and payments, and
the benefits partner businesses give to members (友の会特典).

Members belong to a centre and are seen by that centre's staff only. Types and benefits
are shared by every centre of the deployment, like the partner directory.
"""

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.fields import KanaField, PhoneField, PostcodeField
from accounts.japanese import postal_place
from accounts.models import Center
from accounts.scoping import scoped_to_center
from accounts.search import search_key, search_terms
from network.models import Municipality, Organisation

from .fiscal import fiscal_year_label, fiscal_year_of, fiscal_year_start, months_into_fiscal_year

# Yen are whole numbers; a negative amount is always a typing mistake.
NOT_NEGATIVE = MinValueValidator(0, message=_("The amount cannot be negative."))
AT_LEAST_ONE_YEN = MinValueValidator(1, message=_("Enter an amount of at least 1 yen."))


class MembershipTypeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def assignable_by(self, user):
        """The types a user may give a member: admin-only types need the manager's right."""
        types = self.active()
        if not user.has_perm("members.assign_admin_only_type"):
            types = types.filter(admin_only=False)
        return types


class MembershipType(models.Model):
    """A tier of membership, with its fee and renewal rules; data, not code.

    `code` is internal and stable. Note that 協力会員 here is a *supporting* member
    (code "supporter"), not the helper of a mutual-aid scheme, who is also called 協力会員.
    """

    class Holder(models.TextChoices):
        PERSON = "person", _("Persons")
        ORGANISATION = "organisation", _("Organisations")

    code = models.SlugField(
        _("code"),
        max_length=30,
        unique=True,
        help_text=_("Internal code in lower-case letters, e.g. supporter. Fixed once in use."),
    )
    name = models.CharField(_("name"), max_length=50, unique=True)
    holder = models.CharField(_("for"), max_length=20, choices=Holder, default=Holder.PERSON)
    annual_fee = models.PositiveIntegerField(
        _("annual fee (yen)"), default=0, validators=[NOT_NEGATIVE]
    )
    expires = models.BooleanField(
        _("renewed every fiscal year"),
        default=True,
        help_text=_("Untick for types that never lapse, such as lifelong membership."),
    )
    grace_months = models.PositiveSmallIntegerField(
        _("grace period (months)"),
        default=3,
        validators=[MaxValueValidator(12, message=_("Enter 0 to 12 months."))],
        help_text=_(
            "Months after 1 April during which an unpaid member is still counted as a member."
        ),
    )
    admin_only = models.BooleanField(
        _("managers only"),
        default=False,
        help_text=_("Only managers may give a member this type (e.g. lifelong membership)."),
    )
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = MembershipTypeQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("membership type")
        verbose_name_plural = _("membership types")
        permissions = [
            ("assign_admin_only_type", _("Can give members a managers-only type")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(grace_months__lte=12), name="membershiptype_grace_at_most_a_year"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def for_organisations(self):
        return self.holder == self.Holder.ORGANISATION


class MemberNumberCounter(models.Model):
    """The last member number given out at a centre: one row per centre, bumped with F()."""

    center = models.OneToOneField(Center, models.CASCADE, related_name="+")
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("member number counter")
        verbose_name_plural = _("member number counters")

    def __str__(self):
        return f"{self.center.code}: {self.last}"

    @classmethod
    @transaction.atomic
    def take(cls, center, *, count=1):
        """Reserve `count` numbers at `center`; returns the first one.

        The UPDATE holds the row's lock until the caller's transaction ends, so two
        registrations at the same moment never get the same number.
        """
        counter, _created = cls.objects.get_or_create(center=center)
        cls.objects.filter(pk=counter.pk).update(last=F("last") + count)
        return cls.objects.values_list("last", flat=True).get(pk=counter.pk) - count + 1

    @classmethod
    def raise_to(cls, center, sequence):
        """Make sure numbers up to `sequence` (e.g. imported ones) are never given again."""
        counter, _created = cls.objects.get_or_create(center=center)
        cls.objects.filter(pk=counter.pk, last__lt=sequence).update(last=sequence)


def member_number(center_code, sequence):
    return f"{center_code}-{sequence:05d}"


class MemberQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scoped_to_center(self, user)

    def for_list(self):
        return self.select_related("membership_type")

    def with_status(self, today=None):
        """Annotate `status` (a Member.Status value) by the rules in `status_conditions`,
        written as one CASE whose branches are tried in order, so that each needs only
        what the ones before it did not rule out: the fee subquery once instead of three
        times (a test compares the two)."""
        today = today or timezone.localdate()
        year = fiscal_year_of(today)
        settled = Exists(Fee.objects.settled().filter(member=OuterRef("pk"), fiscal_year=year))
        return self.annotate(
            status=Case(
                When(left_on__lte=today, then=Value(Member.Status.LEFT)),
                When(joined_on__gte=fiscal_year_start(year), then=Value(Member.Status.NEW)),
                When(
                    Q(membership_type__expires=False) | settled,
                    then=Value(Member.Status.ACTIVE),
                ),
                When(
                    membership_type__grace_months__gt=months_into_fiscal_year(today),
                    then=Value(Member.Status.GRACE),
                ),
                default=Value(Member.Status.LAPSED),
                output_field=models.CharField(),
            )
        )

    def with_status_in(self, statuses, today=None):
        conditions = dict(status_conditions(today))
        query = Q(pk__in=[])
        for status in statuses:
            query |= conditions[status]
        return self.filter(query)

    def current(self, today=None):
        """Members in good standing today: new, active, or unpaid within the grace period."""
        return self.filter(current_condition(today))

    def in_arrears(self, today=None):
        """Members with a fee of this or an earlier fiscal year still outstanding."""
        return self.filter(_owing(today))

    def without_arrears(self, today=None):
        return self.filter(~_owing(today))

    def matching_text(self, query):
        """Every word in the number, name, reading or contact person."""
        queryset = self
        for term in search_terms(query):
            queryset = queryset.filter(search_text__contains=term)
        return queryset


def _owing(today):
    year = fiscal_year_of(today or timezone.localdate())
    return Exists(Fee.objects.outstanding().filter(member=OuterRef("pk"), fiscal_year__lte=year))


def status_conditions(today=None):
    """The status rules, as one condition per status; exactly one holds for a member.

    Why conditions evaluated by the database rather than a stored status: the status
    changes with the calendar (1 April, the end of the grace period) as well as with
    payments, so a stored copy would need a nightly job to stay true and would be wrong
    whenever it did not run. These conditions filter 100,000 members in one query, with
    the index on Fee (member, fiscal_year) for the one subquery.

    - 退会 LEFT: a leaving date on or before today.
    - 新規 NEW: joined in the current fiscal year. The first fee is chased through the
      arrears list: a member who joins in February cannot be late by April's rule.
    - 有効 ACTIVE: joined before, and the type never lapses or this year's fee is settled
      (paid in full or waived).
    - 猶予 GRACE: this year's fee unsettled, within the type's grace period (whole months
      from 1 April: with 3 months, until 30 June).
    - 失効 LAPSED: this year's fee unsettled after the grace period.
    """
    today = today or timezone.localdate()
    year = fiscal_year_of(today)
    settled = Exists(Fee.objects.settled().filter(member=OuterRef("pk"), fiscal_year=year))
    left = Q(left_on__lte=today)
    staying = Q(left_on__isnull=True) | Q(left_on__gt=today)
    joined_before = staying & Q(joined_on__lt=fiscal_year_start(year))
    unpaid = joined_before & Q(membership_type__expires=True) & ~settled
    months = months_into_fiscal_year(today)
    return [
        (Member.Status.LEFT, left),
        (Member.Status.NEW, staying & Q(joined_on__gte=fiscal_year_start(year))),
        (Member.Status.ACTIVE, joined_before & (Q(membership_type__expires=False) | settled)),
        (Member.Status.GRACE, unpaid & Q(membership_type__grace_months__gt=months)),
        (Member.Status.LAPSED, unpaid & Q(membership_type__grace_months__lte=months)),
    ]


def current_condition(today=None):
    """Being current (新規, 有効 or 猶予) as one condition with one subquery: staying, and
    joined this fiscal year, or of a type that never lapses, or this year's fee settled,
    or still within the grace period. The same as the union of those statuses' conditions
    above (joined_on and the type's fields are never null), which built and compiled the
    fee subquery twice on every intake look-up; a test compares the two."""
    today = today or timezone.localdate()
    year = fiscal_year_of(today)
    settled = Exists(Fee.objects.settled().filter(member=OuterRef("pk"), fiscal_year=year))
    staying = Q(left_on__isnull=True) | Q(left_on__gt=today)
    return staying & (
        Q(joined_on__gte=fiscal_year_start(year))
        | Q(membership_type__expires=False)
        | settled
        | Q(membership_type__grace_months__gt=months_into_fiscal_year(today))
    )


class Member(models.Model):
    """A member of the centre: a person or an organisation, by the type's holder."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ACTIVE = "active", _("Active")
        GRACE = "grace", _("Unpaid (grace period)")
        LAPSED = "lapsed", _("Lapsed")
        LEFT = "left", _("Left")

    class LeaveReason(models.TextChoices):
        REQUEST = "request", _("At the member's request")
        UNPAID = "unpaid", _("Fees unpaid")
        MOVED = "moved", _("Moved away")
        DECEASED = "deceased", _("Deceased")
        DISSOLVED = "dissolved", _("Organisation dissolved")
        OTHER = "other", _("Other")

    CURRENT = (Status.NEW, Status.ACTIVE, Status.GRACE)

    center = models.ForeignKey(
        Center, models.PROTECT, related_name="members", verbose_name=_("centre")
    )
    number = models.CharField(_("member number"), max_length=20, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("sequence"), editable=False)
    membership_type = models.ForeignKey(
        MembershipType,
        models.PROTECT,
        related_name="members",
        verbose_name=_("membership type"),
    )
    name = models.CharField(
        _("name of person or organisation"),
        max_length=100,
        help_text=_("Full name, or the organisation's name."),
    )
    name_kana = KanaField(
        _("reading (furigana)"),
        max_length=200,
        blank=True,
        help_text=_("In katakana; hiragana is converted."),
    )
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    contact_person = models.CharField(
        _("contact person"),
        max_length=100,
        blank=True,
        help_text=_("For organisations: whom to contact."),
    )
    postcode = PostcodeField(_("postal code"), max_length=8, blank=True)
    address = models.CharField(
        _("address"),
        max_length=200,
        blank=True,
        help_text=_("Left empty, it is filled in from the postal code."),
    )
    municipality = models.ForeignKey(
        Municipality,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
        editable=False,
    )
    phone = PhoneField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    union = models.CharField(
        _("union affiliation"),
        max_length=100,
        blank=True,
        help_text=_("構成組織・単組, e.g. 電機連合 or UAゼンセン."),
    )
    is_retired = models.BooleanField(_("retired"), default=False)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    leave_reason = models.CharField(
        _("reason for leaving"), max_length=20, choices=LeaveReason, blank=True
    )
    leave_note = models.CharField(_("note on leaving"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    search_text = models.TextField(editable=False, default="")

    objects = MemberQuerySet.as_manager()

    # Set by MemberQuerySet.with_status(); looked up on first use otherwise.
    _status = None

    class Meta:
        ordering = ["center", "sequence"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        permissions = [
            ("export_member", _("Can export the member register")),
            ("import_member", _("Can import a member register")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["center", "sequence"], name="member_center_sequence"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="member_leaves_after_joining",
                violation_error_message=_("A member cannot leave before joining."),
            ),
        ]
        indexes = [
            # The list's filters, all within one centre.
            models.Index(fields=["center", "membership_type", "sequence"], name="member_type"),
            models.Index(fields=["center", "joined_on"], name="member_joined"),
            models.Index(fields=["center", "left_on"], name="member_left"),
            models.Index(fields=["center", "union"], name="member_union"),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("members:member-detail", args=[self.number])

    def audit_subjects(self):
        """Whose data this is, for the audit trail (accounts.audit)."""
        return {"members": [self.number]}

    def build_search_text(self):
        return search_key(" ".join([self.number, self.name, self.name_kana, self.contact_person]))

    def clean(self):
        self.fill_in_address()
        self.check_rules()

    def fill_in_address(self, municipality_ids=None):
        """Address (when empty) and municipality from the postal code.

        `municipality_ids` ({code: id}) saves a query per member in bulk checks.
        """
        if self.postcode and not self.address:
            self.address = address_for(self.postcode)
        if self.postcode:
            code = municipality_code_for(self.postcode)
            if municipality_ids is not None:
                self.municipality_id = municipality_ids.get(code)
            else:
                self.municipality = Municipality.objects.filter(code=code).first()

    def check_rules(self):
        """The rules across fields; raises ValidationError keyed by field."""
        errors = {}
        if self.membership_type_id and self.membership_type.for_organisations and self.birth_date:
            errors["birth_date"] = _("Organisations have no date of birth; leave it empty.")
        if self.left_on and not self.leave_reason:
            errors["leave_reason"] = _("Choose why the member left.")
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            errors["left_on"] = _("A member cannot leave before joining.")
        if errors:
            raise ValidationError(errors)

    def assign_number(self):
        """Give a new member the centre's next number (inside the caller's transaction)."""
        self.sequence = MemberNumberCounter.take(self.center)
        self.number = member_number(self.center.code, self.sequence)

    @property
    def status(self):
        if self._status is None:
            self._status = (
                Member.objects.with_status().values_list("status", flat=True).get(pk=self.pk)
            )
        return self._status

    @status.setter
    def status(self, value):
        self._status = value

    def get_status_display(self):
        return Member.Status(self.status).label

    @property
    def is_current(self):
        return self.status in self.CURRENT

    @property
    def has_left(self):
        return self.left_on is not None and self.left_on <= timezone.localdate()

    def leave(self, *, on, reason, note=""):
        self.left_on, self.leave_reason, self.leave_note = on, reason, note
        self.full_clean()
        self.save(update_fields=["left_on", "leave_reason", "leave_note", "updated_at"])
        self._status = None


def address_for(postcode):
    """都道府県 + 市区町村 + 町域 for a postcode, or "" for an unknown code.

    The lookup fills the address in; it never rejects a code (new codes appear).
    """
    place = postal_place(postcode)
    return f"{place.prefecture}{place.city}{place.neighborhood}" if place else ""


def municipality_code_for(postcode):
    place = postal_place(postcode)
    return getattr(place, "jisx0402", None) or getattr(place, "jis", None)


class FeeQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scoped_to_center(self, user, field="member__center")

    def settled(self):
        return self.filter(Q(waived=True) | Q(paid__gte=F("amount")))

    def outstanding(self):
        return self.filter(waived=False, paid__lt=F("amount"))

    def arrears(self, today=None):
        """Unsettled fees of this and past fiscal years of members who have not left."""
        year = fiscal_year_of(today or timezone.localdate())
        return self.outstanding().filter(fiscal_year__lte=year, member__left_on__isnull=True)

    def totals(self):
        return self.aggregate(amount=Sum("amount", default=0), paid=Sum("paid", default=0))


class Fee(models.Model):
    """What a member owes for one fiscal year, and how much of it is paid.

    `amount` is the type's fee when the dues were created; `paid` is the sum of the
    payments, kept by `refresh_paid()` whenever a payment is recorded.
    """

    member = models.ForeignKey(
        Member, models.PROTECT, related_name="fees", verbose_name=_("member")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    amount = models.PositiveIntegerField(_("amount due (yen)"), validators=[NOT_NEGATIVE])
    paid = models.PositiveIntegerField(_("paid (yen)"), default=0, editable=False)
    waived = models.BooleanField(_("waived"), default=False)
    waive_reason = models.CharField(_("reason for waiving"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = FeeQuerySet.as_manager()

    class Meta:
        ordering = ["member", "-fiscal_year"]
        verbose_name = _("annual fee")
        verbose_name_plural = _("annual fees")
        permissions = [
            ("create_dues", _("Can create a fiscal year's dues for every member")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "fiscal_year"],
                name="fee_one_per_member_and_year",
                violation_error_message=_("This member already has a fee for that fiscal year."),
            ),
        ]
        indexes = [models.Index(fields=["fiscal_year", "waived"], name="fee_year")]

    def __str__(self):
        return f"{self.member.number} {self.fiscal_year_label}"

    @property
    def fiscal_year_label(self):
        return fiscal_year_label(self.fiscal_year)

    @property
    def remaining(self):
        return 0 if self.waived else max(self.amount - self.paid, 0)

    @property
    def is_settled(self):
        return self.waived or self.paid >= self.amount

    def refresh_paid(self):
        self.paid = self.payments.aggregate(total=Sum("amount", default=0))["total"]
        self.save(update_fields=["paid"])

    def waive(self, *, reason):
        self.waived, self.waive_reason = True, reason
        self.save(update_fields=["waived", "waive_reason"])


class Payment(models.Model):
    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        TRANSFER = "transfer", _("Bank transfer")
        DIRECT_DEBIT = "direct_debit", _("Direct debit")
        OTHER = "other", _("Other")

    fee = models.ForeignKey(
        Fee, models.PROTECT, related_name="payments", verbose_name=_("annual fee")
    )
    paid_on = models.DateField(_("paid on"), default=timezone.localdate)
    amount = models.PositiveIntegerField(_("amount (yen)"), validators=[AT_LEAST_ONE_YEN])
    method = models.CharField(_("method"), max_length=20, choices=Method, default=Method.CASH)
    receipt_number = models.CharField(_("receipt number"), max_length=30, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=1), name="payment_amount_positive"),
        ]
        # The statistics' fee income is by the day paid.
        indexes = [models.Index(fields=["paid_on", "fee", "amount"], name="payment_paid_on")]

    def __str__(self):
        return f"{self.paid_on} ¥{self.amount:,}"


class BenefitQuerySet(models.QuerySet):
    def current(self, today=None):
        today = today or timezone.localdate()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=today),
            Q(valid_until__isnull=True) | Q(valid_until__gte=today),
            is_active=True,
            partner__is_active=True,
        )

    def for_type(self, membership_type):
        return self.filter(membership_types=membership_type)


# Partners who can give members a discount: businesses, co-ops, and the labour bodies'
# own businesses (ろうきん, こくみん共済 coop).
BENEFIT_PARTNER_KINDS = [
    Organisation.Kind.BUSINESS,
    Organisation.Kind.COOP,
    Organisation.Kind.ROKIN,
    Organisation.Kind.KOKUMIN_KYOSAI,
    Organisation.Kind.OTHER,
]


class Benefit(models.Model):
    """What a partner business offers to members of some types (友の会特典)."""

    partner = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="member_benefits",
        verbose_name=_("partner"),
        limit_choices_to={"kind__in": BENEFIT_PARTNER_KINDS},
    )
    title = models.CharField(
        _("benefit"),
        max_length=100,
        # xgettext:no-python-format
        help_text=_("e.g. 10% off meals"),
    )
    description = models.TextField(_("details"), blank=True)
    how_to_use = models.CharField(
        _("how to use it"),
        max_length=200,
        blank=True,
        help_text=_("e.g. Show the member card at the till."),
    )
    membership_types = models.ManyToManyField(
        MembershipType, related_name="benefits", verbose_name=_("for members of")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("offered"), default=True)

    objects = BenefitQuerySet.as_manager()

    class Meta:
        ordering = ["partner__name_kana", "title"]
        verbose_name = _("member benefit")
        verbose_name_plural = _("member benefits")

    def __str__(self):
        return f"{self.partner}: {self.title}"

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end date is before the start date.")})


# What the member list keeps between requests (the cache is shared by the workers): a
# centre's number of members and the unions they name, a few ms of PostgreSQL at 30,000
# members, and the membership types for its filter. Forgotten as soon as one is saved or
# deleted (member_import, which creates them in bulk, says so itself), kept a minute
# at most.
LIST_CACHE_SECONDS = 60
MEMBERSHIP_TYPE_CHOICES = "members:membership-type-choices"


def list_cache_keys(center_id):
    return {"count": f"members:count:{center_id}", "unions": f"members:unions:{center_id}"}


def forget_list_cache():
    """Every centre's: the back office can move a member from one centre to another."""
    centres = Center.objects.values_list("pk", flat=True)
    keys = [key for pk in centres for key in list_cache_keys(pk).values()]
    cache.delete_many(keys)
    # Again once the change is committed: a list shown meanwhile may have kept the
    # figures from before it.
    transaction.on_commit(lambda: cache.delete_many(keys))


@receiver([post_save, post_delete], sender=Member)
def forget_member_list_figures(**kwargs):
    forget_list_cache()


@receiver([post_save, post_delete], sender=MembershipType)
def forget_membership_type_choices(**kwargs):
    cache.delete(MEMBERSHIP_TYPE_CHOICES)
    transaction.on_commit(lambda: cache.delete(MEMBERSHIP_TYPE_CHOICES))

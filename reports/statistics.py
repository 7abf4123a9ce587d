"""The dashboard's tables: what the centre heard, from whom, where it sent people and
how that went, and its members. Each table is one aggregate query in SQL.

Consultations are counted one per contact (相談記録). Share tables count each
consultation once, by its main concern (主訴); topic tables count every topic marked,
so a consultation about dismissal and unpaid wages counts under both (延べ).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import Center
from consultations.models import (
    CompanySize,
    Consultation,
    ConsultationTopic,
    EmploymentType,
    Gender,
    Industry,
    WorkplaceUnion,
)
from members.models import Member, MembershipType, Payment
from network.models import Category, Municipality, Organisation, Topic
from referrals.models import FollowUp, Referral

from .periods import Period
from .tables import PERCENT, YEN, Column, Row, Table, hide_shared_totals, share

# 年代: 〜19, 20代 … 70代, 80代以上 (domain-ja §(c)); the band's lowest age, -1 unknown.
AGE_BANDS = [0, 20, 30, 40, 50, 60, 70, 80]
UNKNOWN_AGE = -1


@dataclass(frozen=True)
class Scope:
    """What a report counts: a period, one centre or all (None), and optionally one
    field (相談分野) of the taxonomy."""

    period: Period
    center: Center | None = None
    category: Category | None = None

    def __str__(self):
        parts = [str(self.center) if self.center else _("All centres"), str(self.period)]
        if self.category:
            parts.append(str(self.category))
        return " · ".join(parts)

    def consultations(self):
        start, end = self.period.datetimes()
        consultations = Consultation.objects.filter(received_at__gte=start, received_at__lt=end)
        if self.center:
            consultations = consultations.filter(center=self.center)
        if self.category:
            consultations = consultations.filter(
                Exists(
                    ConsultationTopic.objects.filter(
                        consultation=OuterRef("pk"), topic__category=self.category
                    )
                )
            )
        return consultations.order_by()

    def topic_links(self):
        """The topics marked on the consultations in scope (one row per topic, 延べ),
        found by their own copies of the consultation's centre and time."""
        start, end = self.period.datetimes()
        links = ConsultationTopic.objects.filter(received_at__gte=start, received_at__lt=end)
        if self.center:
            links = links.filter(center=self.center)
        if self.category:
            links = links.filter(consultation__in=self.consultations())
        return links.order_by()

    def referrals(self):
        referrals = Referral.objects.order_by()
        if self.center:
            referrals = referrals.filter(center=self.center)
        if self.category:
            referrals = referrals.filter(
                Exists(
                    ConsultationTopic.objects.filter(
                        case=OuterRef("case"), topic__category=self.category
                    )
                )
            )
        return referrals

    def members(self):
        members = Member.objects.order_by()
        if self.center:
            members = members.filter(center=self.center)
        return members


def one_column_table(
    slug, title, label_header, counts, labels, *, chart="bar", note="", wide=False
):
    """A table of counts by one attribute, with each value's share and a total row.

    `counts` maps stored values to counts, `labels` lists (value, label) in the order
    to show; values with no count are shown as 0, so the table always has every row.
    """
    total = sum(counts.values())
    rows = [
        Row(str(label), [counts.get(value, 0), share(counts.get(value, 0), total)])
        for value, label in labels
    ]
    rows.append(Row(_("Total"), [total, share(total, total)], is_total=True))
    return Table(
        slug=slug,
        title=title,
        label_header=label_header,
        columns=[Column(_("Number of consultations")), Column(_("Share"), PERCENT)],
        rows=rows,
        chart=chart,
        note=note,
        wide=wide,
    )


def _counts(queryset, field):
    # COUNT(*): the row's id is not in every index the count can be read from.
    return dict(queryset.values_list(field).annotate(n=Count("*")).values_list(field, "n"))


def consultations_by_month(scope):
    counts = dict(
        scope.consultations()
        .annotate(month=TruncMonth("received_at", output_field=DateField()))
        .values_list("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    # Months still to come are left out rather than shown as nothing heard.
    this_month = timezone.localdate().replace(day=1)
    labels = [
        (month, _("%(year)d-%(month)02d") % {"year": month.year, "month": month.month})
        for month in scope.period.months()
        if month <= this_month
    ]
    return one_column_table(
        "by-month", _("Consultations by month"), _("Month"), counts, labels, chart="line", wide=True
    )


def consultations_by_field(scope):
    """By the field (相談分野) of the main concern; consultations without one apart."""
    counts = _counts(scope.topic_links().filter(is_main=True), "topic__category")
    with_main = sum(counts.values())
    counts[None] = scope.consultations().count() - with_main
    labels = [(category.pk, category) for category in Category.objects.all()]
    labels.append((None, _("No main concern recorded")))
    return one_column_table(
        "by-field",
        _("Consultations by field (main concern)"),
        _("Field"),
        counts,
        labels,
        note=_("Each consultation is counted once, under the field of its main concern."),
        wide=True,
    )


def topics_marked(scope):
    """Every topic marked (延べ), most frequent first; only topics that occur."""
    counts = _counts(scope.topic_links(), "topic")
    topics = Topic.objects.filter(pk__in=counts).select_related("category")
    labels = sorted(((topic.pk, topic) for topic in topics), key=lambda t: -counts[t[0]])
    return one_column_table(
        "by-topic",
        _("Topics (counted for every topic marked)"),
        _("Topic"),
        counts,
        labels,
        chart="",
        note=_(
            "A consultation about several topics counts under each of them (延べ), so the "
            "total is larger than the number of consultations."
        ),
    )


def consultations_by_choice(scope, field, choices, slug, title, label_header, chart="bar"):
    counts = _counts(scope.consultations(), field)
    # 不明 last, as published tallies put it.
    labels = sorted(choices, key=lambda choice: choice[0] == "")
    return one_column_table(slug, title, label_header, counts, labels, chart=chart)


def consultations_by_channel(scope):
    return consultations_by_choice(
        scope,
        "channel",
        Consultation.Channel.choices,
        "by-channel",
        _("Consultations by channel"),
        _("Channel"),
        chart="doughnut",
    )


def consultations_by_gender(scope):
    return consultations_by_choice(
        scope,
        "gender",
        Gender.choices,
        "by-gender",
        _("Consultations by gender"),
        _("Gender"),
        chart="doughnut",
    )


def consultations_by_employment_type(scope):
    return consultations_by_choice(
        scope,
        "employment_type",
        EmploymentType.choices,
        "by-employment-type",
        _("Consultations by employment type"),
        _("Employment type"),
    )


def consultations_by_industry(scope):
    return consultations_by_choice(
        scope,
        "industry",
        Industry.choices,
        "by-industry",
        _("Consultations by industry"),
        _("Industry"),
    )


def consultations_by_company_size(scope):
    return consultations_by_choice(
        scope,
        "company_size",
        CompanySize.choices,
        "by-company-size",
        _("Consultations by company size"),
        _("Company size"),
    )


def consultations_by_union(scope):
    return consultations_by_choice(
        scope,
        "workplace_union",
        WorkplaceUnion.choices,
        "by-union",
        _("Consultations by union at work"),
        _("Union at work"),
        chart="doughnut",
    )


def age_band():
    """The band's lowest age (0 for under 20), or UNKNOWN_AGE, as an SQL expression."""
    whens = [When(age__isnull=True, then=Value(UNKNOWN_AGE))]
    upper_bounds = AGE_BANDS[1:]
    whens += [
        When(age__lt=upper, then=Value(lower))
        for lower, upper in zip(AGE_BANDS, upper_bounds, strict=False)
    ]
    return Case(*whens, default=Value(AGE_BANDS[-1]), output_field=IntegerField())


def age_band_labels():
    labels = [(0, _("19 or under"))]
    labels += [(lower, _("%(decade)ds") % {"decade": lower}) for lower in AGE_BANDS[1:-1]]
    labels += [(AGE_BANDS[-1], _("80 or over")), (UNKNOWN_AGE, _("Unknown"))]
    return labels


def consultations_by_age_band(scope):
    counts = dict(
        scope.consultations()
        .annotate(band=age_band())
        .values_list("band")
        .annotate(n=Count("pk"))
        .values_list("band", "n")
    )
    return one_column_table(
        "by-age-band", _("Consultations by age band"), _("Age band"), counts, age_band_labels()
    )


def consultations_by_municipality(scope):
    """Municipalities of residence that occur, most frequent first, then unknown."""
    counts = _counts(scope.consultations(), "municipality")
    places = Municipality.objects.filter(pk__in=[pk for pk in counts if pk]).select_related(
        "prefecture"
    )
    labels = sorted(((place.pk, place) for place in places), key=lambda p: -counts[p[0]])
    labels.append((None, _("Unknown")))
    return one_column_table(
        "by-municipality",
        _("Consultations by municipality of residence"),
        _("Municipality"),
        counts,
        labels,
        chart="",
    )


def referrals_by_partner_kind(scope):
    """Partners asked in the period, by kind, and how they answered."""
    start, end = scope.period.datetimes()
    answered = Q(answered_at__isnull=False)
    rows = {
        kind: (asked, accepted, declined, waiting)
        for kind, asked, accepted, declined, waiting in scope.referrals()
        .filter(asked_at__gte=start, asked_at__lt=end)
        .values_list("organisation__kind")
        .annotate(
            asked=Count("pk"),
            accepted=Count("pk", filter=answered & ~Q(status=Referral.Status.DECLINED)),
            declined=Count("pk", filter=Q(status=Referral.Status.DECLINED)),
            waiting=Count("pk", filter=Q(status=Referral.Status.ASKED)),
        )
        .values_list("organisation__kind", "asked", "accepted", "declined", "waiting")
    }
    table_rows = []
    totals = [0, 0, 0, 0]
    for kind, label in Organisation.Kind.choices:
        if kind not in rows:
            continue
        asked, accepted, declined, waiting = rows[kind]
        totals = [a + b for a, b in zip(totals, rows[kind], strict=True)]
        table_rows.append(
            Row(
                str(label),
                [asked, accepted, declined, waiting, share(accepted, accepted + declined)],
            )
        )
    asked, accepted, declined, waiting = totals
    table_rows.append(
        Row(
            _("Total"),
            [asked, accepted, declined, waiting, share(accepted, accepted + declined)],
            is_total=True,
        )
    )
    return Table(
        slug="referrals-by-kind",
        title=_("Referrals by kind of partner"),
        label_header=_("Kind of partner"),
        columns=[
            Column(_("Asked")),
            Column(_("Accepted")),
            Column(_("Declined")),
            Column(_("Waiting for an answer")),
            Column(_("Acceptance rate"), PERCENT),
        ],
        rows=table_rows,
        chart="bar",
        note=_(
            "Partners asked in the period. The acceptance rate is accepted out of answered; "
            "referrals still waiting are not in it."
        ),
    )


def referral_outcomes(scope):
    """Referrals completed in the period, by outcome (解決・継続支援・不調・連絡不通 …)."""
    start, end = scope.period.datetimes()
    counts = _counts(
        scope.referrals().filter(
            status=Referral.Status.COMPLETED, closed_at__gte=start, closed_at__lt=end
        ),
        "outcome",
    )
    return one_column_table(
        "referral-outcomes",
        _("Outcomes of referrals completed"),
        _("Outcome"),
        counts,
        list(Referral.Outcome.choices),
        chart="doughnut",
    )


def follow_up_timeliness(scope):
    """Follow-ups due in the period, by kind of partner: done by the date, done late,
    or still not done (the date has passed and the referral is open)."""
    first, last = scope.period.first_day, scope.period.last_day
    today = timezone.localdate()
    done = {
        kind: (on_time, late)
        for kind, on_time, late in FollowUp.objects.filter(
            referral__in=scope.referrals(), due_on__gte=first, due_on__lte=last
        )
        .order_by()
        .values_list("referral__organisation__kind")
        .annotate(
            on_time=Count("pk", filter=Q(done_on__lte=F("due_on"))),
            late=Count("pk", filter=Q(done_on__gt=F("due_on"))),
        )
        .values_list("referral__organisation__kind", "on_time", "late")
    }
    missed = _counts(
        scope.referrals()
        .open()
        .filter(follow_up_on__gte=first, follow_up_on__lte=last, follow_up_on__lt=today),
        "organisation__kind",
    )
    rows, totals = [], [0, 0, 0]
    for kind, label in Organisation.Kind.choices:
        on_time, late = done.get(kind, (0, 0))
        not_done = missed.get(kind, 0)
        if not (on_time or late or not_done):
            continue
        totals = [totals[0] + on_time, totals[1] + late, totals[2] + not_done]
        due = on_time + late + not_done
        rows.append(Row(str(label), [on_time, late, not_done, due, share(on_time, due)]))
    due = sum(totals)
    rows.append(Row(_("Total"), [*totals, due, share(totals[0], due)], is_total=True))
    return Table(
        slug="follow-up-timeliness",
        title=_("Follow-ups done by their date"),
        label_header=_("Kind of partner"),
        columns=[
            Column(_("By the date")),
            Column(_("Late")),
            Column(_("Not done yet")),
            Column(_("Due")),
            Column(_("Done by the date"), PERCENT),
        ],
        rows=rows,
        sums_across=True,
        chart="bar",
        note=_("Follow-ups whose date fell in the period. 'Not done yet' are past their date."),
    )


def members_and_fees(scope):
    """By membership type: members at the end of the period, joined and left in it,
    and the fees paid in it."""
    first, last = scope.period.first_day, scope.period.last_day
    members = {
        type_pk: (current, joined, left)
        for type_pk, current, joined, left in scope.members()
        .values_list("membership_type")
        .annotate(
            current=Count(
                "pk",
                filter=Q(joined_on__lte=last) & (Q(left_on__isnull=True) | Q(left_on__gt=last)),
            ),
            joined=Count("pk", filter=Q(joined_on__gte=first, joined_on__lte=last)),
            left=Count("pk", filter=Q(left_on__gte=first, left_on__lte=last)),
        )
        .values_list("membership_type", "current", "joined", "left")
    }
    payments = Payment.objects.filter(paid_on__gte=first, paid_on__lte=last).order_by()
    if scope.center:
        payments = payments.filter(fee__member__center=scope.center)
    income = dict(
        payments.values_list("fee__member__membership_type")
        .annotate(total=Sum("amount"))
        .values_list("fee__member__membership_type", "total")
    )
    rows, totals = [], [0, 0, 0, 0]
    for membership_type in MembershipType.objects.all():
        values = [*members.get(membership_type.pk, (0, 0, 0)), income.get(membership_type.pk, 0)]
        if not any(values):
            continue
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        rows.append(Row(membership_type.name, values))
    rows.append(Row(_("Total"), totals, is_total=True))
    return Table(
        slug="members",
        title=_("Members and fee income"),
        label_header=_("Membership type"),
        columns=[
            Column(_("Members at the end of the period")),
            Column(_("Joined")),
            Column(_("Left")),
            Column(_("Fees paid"), YEN),
        ],
        rows=rows,
        chart="bar",
        note=_("Fees are counted by the day they were paid, whatever year they were for."),
    )


# The dashboard's tables in page order, by the slug their Table carries (and the
# export URLs use).
DASHBOARD = {
    "by-month": consultations_by_month,
    "by-field": consultations_by_field,
    "by-topic": topics_marked,
    "by-municipality": consultations_by_municipality,
    "by-channel": consultations_by_channel,
    "by-gender": consultations_by_gender,
    "by-age-band": consultations_by_age_band,
    "by-union": consultations_by_union,
    "by-employment-type": consultations_by_employment_type,
    "by-industry": consultations_by_industry,
    "by-company-size": consultations_by_company_size,
    "referrals-by-kind": referrals_by_partner_kind,
    "referral-outcomes": referral_outcomes,
    "follow-up-timeliness": follow_up_timeliness,
    "members": members_and_fees,
}

# Tables that count the same consultations, so each shows the same total.
SHARING_THE_TOTAL = [
    "by-month",
    "by-field",
    "by-municipality",
    "by-channel",
    "by-gender",
    "by-age-band",
    "by-union",
    "by-employment-type",
    "by-industry",
    "by-company-size",
]


def dashboard_tables(scope):
    """Every dashboard table by slug. Where one table must withhold the year's total
    from viewers, all do: shown in another, it would give the hidden counts back."""
    tables = {slug: build(scope) for slug, build in DASHBOARD.items()}
    hide_shared_totals([tables[slug] for slug in SHARING_THE_TOTAL])
    return tables


def cached_dashboard_tables(scope):
    """(when counted, dashboard_tables(scope)), kept in the cache for
    settings.REPORTS_CACHE_SECONDS: counting a year of the region takes about half a
    second of SQL at a million consultations.

    The tables are cached as counted, before any user's small counts are hidden: each
    request hides them for its user (views.dashboard.shown_tables). The key names the
    whole scope, and the language of the titles.
    """
    key = _dashboard_key(scope)
    cached = cache.get(key)
    if cached is None:
        cached = (timezone.now(), dashboard_tables(scope))
        cache.set_many(
            {key: cached, f"{key}:counted-at": cached[0]}, settings.REPORTS_CACHE_SECONDS
        )
    return cached


def dashboard_counted_at(scope):
    """When the scope's cached tables were counted, read without the tables: a page
    whose rendered tables are cached needs only this (unpickling the tables themselves
    took 0.4 ms of the dashboard's 7.6)."""
    counted_at = cache.get(f"{_dashboard_key(scope)}:counted-at")
    return counted_at if counted_at is not None else cached_dashboard_tables(scope)[0]


def _dashboard_key(scope):
    return "reports:dashboard:" + ":".join(
        str(part)
        for part in (
            get_language(),
            scope.period.kind,
            scope.period.year,
            scope.period.month,
            scope.center.pk if scope.center else "all",
            scope.category.pk if scope.category else "any",
        )
    )


def dashboard_table(scope, slug):
    """One dashboard table, its counts hidden as the page hides them."""
    if slug not in SHARING_THE_TOTAL:
        return DASHBOARD[slug](scope)
    tables = [DASHBOARD[other](scope) for other in SHARING_THE_TOTAL]
    hide_shared_totals(tables)
    return tables[SHARING_THE_TOTAL.index(slug)]

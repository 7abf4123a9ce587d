"""The handbook's self-assessment (地域自主福祉ネット チェックシート): its 27 questions in
the handbook's order, grouped by the STEP of the handbook they come from, and the
evidence the centre's own records give for the questions they can answer.

The check sheet itself has only the questions and 「□YES □NO → 参照ページ」; the
references kept here are the handbook's sections, with a page only where the handbook
text gives one (広報 p.18, NPO等とのネットワーク p.25, STEP 4 p.32). The evidence
shows what the app records and nothing else: where it holds no data (space, training,
the centre's accounts) the question has none, or says plainly that the app cannot tell.
"""

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.audit import log_action
from accounts.japanese import postal_place
from accounts.models import AuditEvent, Role, User
from consultations.models import Consultation, EmploymentType
from members.models import Benefit, MembershipType
from network.calendar_jp import closure_reason
from network.models import VERIFICATION_INTERVAL, Category, Contact, Organisation, Service

from . import statistics
from .models import SelfAssessment, SelfAssessmentAnswer
from .periods import Period
from .statistics import Scope
from .tables import (
    PERCENT,
    SMALL,
    UNDER_THREE,
    WITHHELD,
    Cell,
    Column,
    Row,
    Table,
    format_number,
    share,
)

# The centre's weekday opening hours, for "consultations outside office hours".
OPENS_AT_HOUR = 9
CLOSES_AT_HOUR = 17
# Consulters who are not in work: the handbook's point that consulters of a centre open
# to local residents are not only workers.
NOT_IN_WORK = [
    EmploymentType.JOB_SEEKING,
    EmploymentType.PENSIONER,
    EmploymentType.STUDENT,
    EmploymentType.NOT_WORKING,
]
# A tie at least this deep is a working partnership, not only an exchange of information.
DEEP_TIES = [Organisation.Tie.PARTNERSHIP, Organisation.Tie.CONTRACT]
# The handbook's 生活相談: the fields of daily life and health (L*, H*).
LIFE_DOMAINS = [Category.Domain.LIFE, Category.Domain.HEALTH]
LIST_SEPARATOR = pgettext_lazy("list separator", ", ")


@dataclass(frozen=True)
class Evidence:
    text: str
    # True where the sentence says that the app does not hold the data.
    missing: bool = False


class CentreYear:
    """The figures the evidence is drawn from, for one centre and fiscal year.

    Each figure is one aggregate query (or one of the dashboard's tables), run the first
    time a question asks for it, so the whole check sheet costs a fixed number of
    queries however many records there are.

    With `suppress` (viewers), small counts are hidden as on the dashboard. Figures the
    dashboard also shows are taken from its tables as shown, and a sum of them is given
    only when none of its parts is hidden, so that the two pages together give no hidden
    count away. Staff, partner and benefit counts are not about consulters or members
    and are shown as they are.
    """

    def __init__(self, center, fiscal_year, *, suppress, today=None):
        self.center = center
        self.period = Period(Period.FISCAL_YEAR, fiscal_year)
        self.scope = Scope(period=self.period, center=center)
        self.suppress = suppress
        self.today = today or timezone.localdate()
        self.is_current_year = self.period.first_day <= self.today <= self.period.last_day

    # Showing counts -------------------------------------------------------------

    def count(self, number):
        """One count on its own (not part of a sum that is also shown)."""
        if self.suppress and number < SMALL:
            return str(UNDER_THREE)
        return format_number(number, None)

    def parts(self, numbers):
        """Cells for counts that add up to the last of them, which the page shows anyway
        (the year's consultations), hidden as the dashboard hides a table's counts; where
        the tables would withhold the total, every part is withheld instead."""
        rows = [Row(str(i), [n]) for i, n in enumerate(numbers[:-1])]
        rows.append(Row("total", [numbers[-1]], is_total=True))
        table = Table(slug="", title="", label_header="", columns=[Column("")], rows=rows)
        cells = [cells[0] for _row, cells in table.display_rows(suppress=self.suppress)]
        total = numbers[-1]
        if cells[-1].hidden and total >= SMALL:
            withheld = Cell(None, str(WITHHELD), True)
            cells = [cell if cell.hidden else withheld for cell in cells[:-1]]
            cells.append(Cell(total, format_number(total, None)))
        return cells

    def listing(self, labels, cells):
        """'label 12, label 3': a 0 is left out unless hidden (viewers see it as 「3未満」
        on the dashboard too)."""
        return LIST_SEPARATOR.join(
            f"{label} {cell.text}"
            for label, cell in zip(labels, cells, strict=True)
            if cell.hidden or cell.value
        )

    def sum_of(self, cells):
        """A cell for the sum of shown cells; withheld if any of them is hidden."""
        if any(cell.hidden for cell in cells):
            return Cell(None, str(WITHHELD), True)
        number = sum(cell.value for cell in cells)
        return Cell(number, format_number(number, None))

    def share_of(self, cell, total):
        """The cell's share of total, or "—" where the cell is hidden."""
        if cell.hidden:
            return "—"
        return format_number(share(cell.value, total), PERCENT)

    def shown(self, table, *, total_public=False):
        """{row label: cells} of one of the dashboard's tables as this user sees it, in
        order, the total row under "total".

        `total_public`: the table's total is the year's consultations, which this page
        (and the dashboard's other tables) show anyway; where the table withholds it,
        its shown counts are withheld instead, as `parts` does.
        """
        rows = table.display_rows(suppress=self.suppress)
        total_row, total_cells = rows[-1]
        total = total_row.values[0]
        if total_public and total_cells[0].hidden and total >= SMALL:
            withheld = Cell(None, str(WITHHELD), True)
            rows = [
                (row, [cells[0] if cells[0].hidden else withheld, *cells[1:]])
                for row, cells in rows[:-1]
            ]
            rows.append((total_row, [Cell(total, format_number(total, None)), *total_cells[1:]]))
        return {"total" if row.is_total else row.label: cells for row, cells in rows}

    # The figures -----------------------------------------------------------------

    @cached_property
    def staff(self):
        """Active counter staff and coordinators of the centre, now."""
        return User.objects.filter(center=self.center, is_active=True).aggregate(
            counter=Count("pk", filter=Q(groups__name=Role.COUNTER), distinct=True),
            coordinators=Count("pk", filter=Q(groups__name=Role.COORDINATOR), distinct=True),
        )

    @cached_property
    def consultations(self):
        """Totals of the year's consultations: who consulted, when, and by whom taken."""
        first, last = self.period.first_day, self.period.last_day
        days = (first + datetime.timedelta(days=n) for n in range((last - first).days + 1))
        closed_weekdays = [day for day in days if day.weekday() < 5 and closure_reason(day)]
        out_of_hours = (
            Q(weekday__gte=6)
            | Q(hour__lt=OPENS_AT_HOUR)
            | Q(hour__gte=CLOSES_AT_HOUR)
            | Q(day__in=closed_weekdays)
        )
        return (
            self.scope.consultations()
            .annotate(
                weekday=ExtractIsoWeekDay("received_at"),
                hour=ExtractHour("received_at"),
                day=TruncDate("received_at"),
            )
            .aggregate(
                total=Count("pk"),
                anonymous=Count("pk", filter=Q(client__isnull=True)),
                members=Count("pk", filter=Q(client__member__isnull=False)),
                out_of_hours=Count("pk", filter=out_of_hours),
                staff=Count("taken_by", distinct=True),
            )
        )

    @cached_property
    def routes(self):
        """{route: Cell} for every way consulters found the centre, unknown ("")
        included, and "total": they add up to the year's consultations."""
        counts = dict(self.scope.consultations().values_list("route").annotate(n=Count("pk")))
        values = [value for value, _label in Consultation.Route.choices]
        numbers = [counts.get(value, 0) for value in values]
        cells = self.parts([*numbers, sum(numbers)])
        return dict(zip([*values, "total"], cells, strict=True))

    @cached_property
    def channels(self):
        return self.shown(statistics.consultations_by_channel(self.scope), total_public=True)

    @cached_property
    def fields(self):
        """The dashboard's consultations by field of the main concern, by field code."""
        shown = self.shown(statistics.consultations_by_field(self.scope), total_public=True)
        # The fields' rows are labelled "W1 職場の悩み・組合づくり" (Category.__str__).
        return {label.split(" ", 1)[0]: cells[0] for label, cells in shown.items()}

    @cached_property
    def life_fields(self):
        """{code: name} of the fields of daily life and health (L*, H*), in order."""
        categories = Category.objects.filter(domain__in=LIFE_DOMAINS)
        return dict(categories.values_list("code", "name"))

    @cached_property
    def employment(self):
        return self.shown(
            statistics.consultations_by_employment_type(self.scope), total_public=True
        )

    @cached_property
    def prefecture(self):
        """(code, name) of the centre's prefecture, from its postal code; None if unknown."""
        place = postal_place(self.center.postcode) if self.center.postcode else None
        code = getattr(place, "jisx0402", None)
        return (code[:2], place.prefecture) if code else None

    @property
    def area(self):
        return self.prefecture[1] if self.prefecture else _("all areas")

    def partners(self):
        """Active partners in the centre's prefecture or serving it (or every area)."""
        partners = Organisation.objects.active().order_by()
        if self.prefecture:
            code = self.prefecture[0]
            serving = Service.objects.active().filter(
                Q(serves_all_areas=True) | Q(areas__prefecture__code=code)
            )
            partners = partners.filter(
                Q(municipality__prefecture__code=code) | Q(pk__in=serving.values("organisation"))
            )
        return partners

    @cached_property
    def directory(self):
        """{kind: (partners, verified in the last 12 months, with a deep tie)}, now."""
        verified_since = self.today - VERIFICATION_INTERVAL
        rows = (
            self.partners()
            .values_list("kind")
            .annotate(
                n=Count("pk"),
                verified=Count("pk", filter=Q(verified_on__gte=verified_since)),
                deep=Count("pk", filter=Q(tie__in=DEEP_TIES)),
            )
        )
        return {kind: (n, verified, deep) for kind, n, verified, deep in rows}

    @cached_property
    def specialists(self):
        """{qualification: count} of the partners' active contacts who are specialists."""
        return dict(
            Contact.objects.active()
            .filter(organisation__in=self.partners())
            .exclude(qualification=Contact.Qualification.STAFF)
            .order_by()
            .values_list("qualification")
            .annotate(n=Count("pk"))
        )

    @cached_property
    def referrals(self):
        """The dashboard's partners asked in the year, by kind of partner (label)."""
        return self.shown(statistics.referrals_by_partner_kind(self.scope))

    @cached_property
    def members(self):
        """The dashboard's members and fees by membership type (name), "total" last."""
        return self.shown(statistics.members_and_fees(self.scope))

    @cached_property
    def retired(self):
        """[(type name, retired members on the books at the end of the year)] of the
        types in use, in order."""
        last = self.period.last_day
        retired = (
            Q(members__center=self.center, members__is_retired=True)
            & Q(members__joined_on__lte=last)
            & (Q(members__left_on__isnull=True) | Q(members__left_on__gt=last))
        )
        return list(
            MembershipType.objects.annotate(n=Count("members", filter=retired))
            .filter(Q(is_active=True) | Q(n__gt=0))
            .order_by("sort_order", "pk")
            .values_list("name", "n")
        )

    @cached_property
    def benefits(self):
        return Benefit.objects.current(min(self.period.last_day, self.today)).count()


# Evidence, question by question ------------------------------------------------------


def _no_consultations():
    return [Evidence(_("No consultations are recorded for this fiscal year."))]


def centre_name(facts):
    return [Evidence(_("Registered name of the centre: %(name)s.") % {"name": facts.center.name})]


def coordinators_now(facts):
    count = facts.staff["coordinators"]
    return [Evidence(_("Coordinators active at the centre now: %(count)s.") % {"count": count})]


def consultation_staff(facts):
    staff = facts.staff
    return [
        Evidence(
            _(
                "Staff active at the centre now: %(counter)s counter staff, "
                "%(coordinators)s coordinators."
            )
            % {"counter": staff["counter"], "coordinators": staff["coordinators"]}
        ),
        Evidence(
            _("Staff who took consultations in this fiscal year: %(count)s.")
            % {"count": facts.consultations["staff"]}
        ),
    ]


def directory_freshness(facts):
    n = sum(n for n, _verified, _deep in facts.directory.values())
    verified = sum(verified for _n, verified, _deep in facts.directory.values())
    return [
        Evidence(
            _(
                "Active partners in the directory for %(area)s, now: %(count)s; verified in "
                "the last 12 months: %(verified)s; not verified for over a year: %(stale)s."
            )
            % {"area": facts.area, "count": n, "verified": verified, "stale": n - verified}
        )
    ]


def publicity(facts):
    if not facts.consultations["total"]:
        return _no_consultations()
    routes = facts.routes
    return [
        Evidence(
            _(
                "Consultations in this fiscal year: %(total)s; of them through publicity, the "
                "website or leaflets: %(publicity)s; through consultation events: %(events)s."
            )
            % {
                "total": routes["total"].text,
                "publicity": routes[Consultation.Route.PUBLICITY].text,
                "events": routes[Consultation.Route.EVENT].text,
            }
        )
    ]


def publicity_routes(facts):
    named = [value for value, _label in Consultation.Route.choices if value]
    if all(facts.routes[value].value == 0 for value in named):
        return [Evidence(_("How consulters found the centre is not recorded for this year."))]
    # The unknown ones last, after the routes the consulters named.
    labels = [*[Consultation.Route(value).label for value in named], _("Unknown")]
    cells = [*[facts.routes[value] for value in named], facts.routes[""]]
    return [
        Evidence(
            _("How consulters found the centre (consultations): %(routes)s.")
            % {"routes": facts.listing(labels, cells)}
        )
    ]


def labour_consultations(facts):
    total = facts.consultations["total"]
    if not total:
        return _no_consultations()
    work = facts.fields["W1"]
    values = {"count": work.text, "total": facts.count(total), "share": facts.share_of(work, total)}
    return [
        Evidence(
            _(
                "Consultations whose main concern is workplace problems and union organising "
                "(W1): %(count)s of %(total)s (%(share)s)."
            )
            % values
        )
    ]


def life_consultations(facts):
    total = facts.consultations["total"]
    if not total:
        return _no_consultations()
    codes = list(facts.life_fields)
    cells = [facts.fields[code] for code in codes]
    life = facts.sum_of(cells)
    values = {"count": life.text, "total": facts.count(total), "share": facts.share_of(life, total)}
    evidence = [
        Evidence(
            _(
                "Consultations whose main concern is daily life or health (L and H fields): "
                "%(count)s of %(total)s (%(share)s)."
            )
            % values
        )
    ]
    labels = [f"{code} {name}" for code, name in facts.life_fields.items()]
    listing = facts.listing(labels, cells)
    if listing:
        evidence.append(Evidence(_("By field: %(fields)s.") % {"fields": listing}))
    return evidence


def open_to_residents(facts):
    figures = facts.consultations
    total = figures["total"]
    if not total:
        return _no_consultations()
    anonymous, members = figures["anonymous"], figures["members"]
    cells = facts.parts([anonymous, total - anonymous - members, members, total])
    not_in_work = facts.sum_of(
        [facts.employment[str(EmploymentType(value).label)][0] for value in NOT_IN_WORK]
    )
    return [
        Evidence(
            _(
                "Of %(total)s consultations: anonymous %(anonymous)s, named people who are "
                "not members %(non_members)s, members %(members)s."
            )
            % {
                "total": cells[3].text,
                "anonymous": cells[0].text,
                "non_members": cells[1].text,
                "members": cells[2].text,
            }
        ),
        Evidence(
            _(
                "Consultations from people not in work (looking for work, on a pension, "
                "students and others): %(count)s."
            )
            % {"count": not_in_work.text}
        ),
    ]


def channels_and_hours(facts):
    figures = facts.consultations
    total = figures["total"]
    if not total:
        return _no_consultations()
    channels = [(label, cells[0]) for label, cells in facts.channels.items() if label != "total"]
    cells = facts.parts([figures["out_of_hours"], total - figures["out_of_hours"], total])
    return [
        Evidence(
            _("Consultations by channel: %(channels)s.")
            % {"channels": facts.listing(*zip(*channels, strict=True))}
        ),
        Evidence(
            _(
                "Consultations outside weekday office hours (before %(opens)d:00, from "
                "%(closes)d:00, weekends and holidays): %(count)s of %(total)s."
            )
            % {
                "opens": OPENS_AT_HOUR,
                "closes": CLOSES_AT_HOUR,
                "count": cells[0].text,
                "total": cells[2].text,
            }
        ),
    ]


# Kinds of partner the handbook names as helpers (協力者: NPO・生協 and specialists),
# and those of each 連携 question.
HELPER_KINDS = [Organisation.Kind.NPO, Organisation.Kind.COOP, Organisation.Kind.PROFESSIONAL]
NPO_KINDS = [Organisation.Kind.NPO, Organisation.Kind.COOP]
GOVERNMENT_KINDS = [Organisation.Kind.GOVERNMENT]
BUSINESS_KINDS = [Organisation.Kind.BUSINESS]
EDUCATION_KINDS = [Organisation.Kind.EDUCATION]
# 医療機関、社会福祉協議会、福祉施設 … and the professional bodies (弁護士会, 税理士会).
OTHER_KINDS = [
    Organisation.Kind.MEDICAL,
    Organisation.Kind.SOCIAL_WELFARE_COUNCIL,
    Organisation.Kind.PROFESSIONAL,
    Organisation.Kind.OTHER,
]


def helpers(facts):
    kinds = [
        (Organisation.Kind(kind).label, facts.directory.get(kind, (0, 0, 0))[0])
        for kind in HELPER_KINDS
    ]
    evidence = []
    if any(n for _label, n in kinds):
        listing = LIST_SEPARATOR.join(f"{label} {n}" for label, n in kinds if n)
        evidence.append(
            Evidence(
                _("Partners who can help, in the directory for %(area)s now: %(kinds)s.")
                % {"area": facts.area, "kinds": listing}
            )
        )
    else:
        evidence.append(
            Evidence(
                _("No NPO, co-op or professional partner is in the directory for %(area)s.")
                % {"area": facts.area}
            )
        )
    qualifications = [
        (label, facts.specialists[value])
        for value, label in Contact.Qualification.choices
        if facts.specialists.get(value)
    ]
    if qualifications:
        listing = LIST_SEPARATOR.join(f"{label} {n}" for label, n in qualifications)
        evidence.append(
            Evidence(
                _("Specialists among the partners' contacts: %(specialists)s.")
                % {"specialists": listing}
            )
        )
    return evidence


def working_with(kinds):
    """The evidence for a 連携 question: the year's referrals to partners of `kinds` as
    the dashboard shows them (asked and accepted), and the partners of those kinds in
    the directory."""

    def evidence(facts):
        labels = [str(Organisation.Kind(kind).label) for kind in kinds]
        names = LIST_SEPARATOR.join(labels)
        asked = [
            _("%(kind)s asked %(asked)s, accepted %(accepted)s")
            % {"kind": label, "asked": cells[0].text, "accepted": cells[1].text}
            for label in labels
            if (cells := facts.referrals.get(label))
        ]
        if asked:
            referrals = _("Partners asked to take a referral in this fiscal year: %(kinds)s.") % {
                "kinds": LIST_SEPARATOR.join(asked)
            }
        else:
            referrals = _(
                "No partner of these kinds (%(kinds)s) was asked to take a referral in this "
                "fiscal year."
            ) % {"kinds": names}
        partners = sum(facts.directory.get(kind, (0, 0, 0))[0] for kind in kinds)
        deep = sum(facts.directory.get(kind, (0, 0, 0))[2] for kind in kinds)
        return [
            Evidence(referrals),
            Evidence(
                _(
                    "Partners in the directory for %(area)s now (%(kinds)s): %(count)s; with "
                    "a business partnership or contract: %(deep)s."
                )
                % {"kinds": names, "area": facts.area, "count": partners, "deep": deep}
            ),
        ]

    return evidence


def _member_types(facts):
    """[(type name, cells)] of the dashboard's members table, without the total."""
    return [(name, cells) for name, cells in facts.members.items() if name != "total"]


def membership(facts):
    if not _member_types(facts):
        return [Evidence(_("No members are on the register."))]
    current, joined, left = (cell.text for cell in facts.members["total"][:3])
    values = {"current": current, "joined": joined, "left": left}
    if facts.is_current_year:
        text = _(
            "Members this fiscal year, as things stand: %(current)s; joined: %(joined)s; "
            "left: %(left)s."
        )
    else:
        text = _(
            "Members at the end of the fiscal year: %(current)s; joined in the year: "
            "%(joined)s; left: %(left)s."
        )
    return [Evidence(text % values)]


def membership_types(facts):
    types = _member_types(facts)
    evidence = []
    listing = facts.listing([name for name, _cells in types], [cells[0] for _n, cells in types])
    if listing:
        evidence.append(Evidence(_("Members by membership type: %(types)s.") % {"types": listing}))
    else:
        evidence.append(Evidence(_("No members are on the register.")))
    evidence.append(
        Evidence(_("Member benefits offered by partners: %(count)s.") % {"count": facts.benefits})
    )
    return evidence


def retired_members(facts):
    names = [name for name, _n in facts.retired]
    numbers = [n for _name, n in facts.retired]
    if not sum(numbers):
        return [Evidence(_("No retired members are on the register."))]
    cells = facts.parts([*numbers, sum(numbers)])
    return [
        Evidence(
            _("Retired members: %(count)s; by membership type: %(types)s.")
            % {"count": cells[-1].text, "types": facts.listing(names, cells[:-1])}
        )
    ]


def income_sources(facts):
    types = _member_types(facts)
    fees = facts.members["total"][3]
    evidence = [
        Evidence(
            _("Membership fees received in this fiscal year: %(total)s.") % {"total": fees.text}
        )
    ]
    listing = facts.listing([name for name, _cells in types], [cells[3] for _n, cells in types])
    if listing:
        evidence.append(Evidence(_("By membership type: %(types)s.") % {"types": listing}))
    evidence.append(
        Evidence(
            _(
                "Contributions, grants, donations, commissioned work and business income are "
                "not recorded in the app, so it cannot tell whether there are several sources "
                "of income."
            ),
            missing=True,
        )
    )
    return evidence


def balance(facts):
    return [
        Evidence(
            _(
                "The app records membership fees only, not the centre's other income or its "
                "spending, so it cannot show the balance."
            ),
            missing=True,
        )
    ]


def business_income(facts):
    return [
        Evidence(
            _("Business income is not recorded in the app (it holds membership fees only)."),
            missing=True,
        )
    ]


# The questions ---------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    number: int
    # English msgid; its Japanese is the check sheet's own wording.
    text: str
    step: int
    # The handbook section the question comes from, and its page where the handbook
    # gives one.
    section: str
    # The handbook's advice on the point, in a sentence.
    hint: str
    page: int | None = None
    evidence: object = None

    @property
    def reference(self):
        values = {"step": self.step, "section": self.section, "page": self.page}
        if self.page:
            return _("Handbook STEP %(step)s, “%(section)s”, p. %(page)s") % values
        return _("Handbook STEP %(step)s, “%(section)s”") % values

    def evidence_for(self, facts):
        return self.evidence(facts) if self.evidence else []


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    questions: list


SPACE = gettext_lazy("Securing a space")
NAMING = gettext_lazy("A friendly name")
KEY_PERSON = gettext_lazy("Finding the key person who runs it")
STAFF = gettext_lazy("Securing staff for consultations")
LOCAL_INFORMATION = gettext_lazy("Gathering local information")
PUBLICITY = gettext_lazy("Publicity and PR")
LABOUR_TO_LIFE = gettext_lazy("From labour consultations to everyday-life consultations")
ONE_STOP = gettext_lazy("Building a one-stop consultation system")
TEN_RULES = gettext_lazy("Ten rules for handling consultations")
NPO_NETWORK = gettext_lazy("Networking with NPOs and similar groups")
GOVERNMENT = gettext_lazy("Working with government")
BUSINESS = gettext_lazy("Working with businesses")
EDUCATION = gettext_lazy("Working with educational institutions")
OTHER_BODIES = gettext_lazy("Working with other bodies")
MENUS = gettext_lazy("Examples of service menus")
PEOPLE = gettext_lazy("Developing people")
ORGANISATION = gettext_lazy("Building the organisation")
FINANCES = gettext_lazy("Building a financial base")

STEPS = [
    Step(
        1,
        gettext_lazy("Where to start"),
        [
            Question(
                1,
                gettext_lazy("Is there a space to receive consultations?"),
                1,
                SPACE,
                gettext_lazy(
                    "Start with what fits: a corner of the regional council's office will do. "
                    "Make it easy to walk into, with a private corner for consultations."
                ),
            ),
            Question(
                2,
                gettext_lazy("Has the centre's name been decided?"),
                1,
                NAMING,
                gettext_lazy("Choose a friendly name that matches what the centre does."),
                evidence=centre_name,
            ),
            Question(
                3,
                gettext_lazy("Is there a key person at the centre of running it?"),
                1,
                KEY_PERSON,
                gettext_lazy(
                    "The key person is a coordinator who sees the whole, likes looking after "
                    "people and knows the area well; the others support them."
                ),
                evidence=coordinators_now,
            ),
            Question(
                4,
                gettext_lazy("Are there staff to handle consultations?"),
                1,
                STAFF,
                gettext_lazy(
                    "Start within your means: full-time staff, the four bodies' officers and "
                    "part-time staff; set days for specialist consultations and announce them."
                ),
                evidence=consultation_staff,
            ),
            Question(
                5,
                gettext_lazy("Is there information about the area?"),
                1,
                LOCAL_INFORMATION,
                gettext_lazy(
                    "Share what the unions and welfare bodies already know, and build channels "
                    "for exchanging information with government and NPO staff."
                ),
                evidence=directory_freshness,
            ),
            Question(
                6,
                gettext_lazy("Is the centre doing publicity and PR?"),
                1,
                PUBLICITY,
                gettext_lazy(
                    "Get the word out through leaflets, the website, the press, local papers, "
                    "the organisations' newsletters and word of mouth."
                ),
                page=18,
                evidence=publicity,
            ),
            Question(
                7,
                gettext_lazy("Is it using several means of publicity?"),
                1,
                PUBLICITY,
                gettext_lazy(
                    "Combine several means, and use the unions' organising strength and the "
                    "help of retired members."
                ),
                page=18,
                evidence=publicity_routes,
            ),
        ],
    ),
    Step(
        2,
        LABOUR_TO_LIFE,
        [
            Question(
                8,
                gettext_lazy("Are labour consultations being handled?"),
                2,
                LABOUR_TO_LIFE,
                gettext_lazy(
                    "The work starts with labour consultations: where they are not yet well "
                    "established, establish them first."
                ),
                evidence=labour_consultations,
            ),
            Question(
                9,
                gettext_lazy(
                    "Has it widened from labour consultations to everyday-life consultations?"
                ),
                2,
                LABOUR_TO_LIFE,
                gettext_lazy(
                    "Build on the experience of labour consultations to take on welfare and "
                    "care, childcare and education, health and other everyday questions."
                ),
                evidence=life_consultations,
            ),
            Question(
                10,
                gettext_lazy("Is it a consultation desk open to local residents?"),
                2,
                LABOUR_TO_LIFE,
                gettext_lazy(
                    "Consulters are not only workers: make it a desk that local residents "
                    "also feel free to drop in to."
                ),
                evidence=open_to_residents,
            ),
            Question(
                11,
                gettext_lazy("Does it adapt its approach and hours to the people it serves?"),
                2,
                LABOUR_TO_LIFE,
                gettext_lazy(
                    "Older people and parents with small children need other hours and other "
                    "ways: adapt the approach, the hours and even the name to them."
                ),
                evidence=channels_and_hours,
            ),
            Question(
                12,
                gettext_lazy("Are there helpers such as NPOs, co-ops and professionals?"),
                2,
                ONE_STOP,
                gettext_lazy(
                    "Build trust with NPOs, co-ops and professionals (lawyers, tax accountants, "
                    "labour and social security attorneys, social workers) before you need them."
                ),
                evidence=helpers,
            ),
            Question(
                13,
                gettext_lazy("Are the rules for handling consultations understood?"),
                2,
                TEN_RULES,
                gettext_lazy(
                    "Share the ten rules among all staff, and write a consultation manual of "
                    "your own."
                ),
            ),
        ],
    ),
    Step(
        3,
        gettext_lazy("Widening the network"),
        [
            Question(
                14,
                gettext_lazy("Is it working with NPOs and similar groups?"),
                3,
                NPO_NETWORK,
                gettext_lazy(
                    "Learn about the local NPOs and their character, deal with them as equals, "
                    "and make full use of intermediary support organisations."
                ),
                page=25,
                evidence=working_with(NPO_KINDS),
            ),
            Question(
                15,
                gettext_lazy("Is it working with government?"),
                3,
                GOVERNMENT,
                gettext_lazy(
                    "Think of municipalities, the prefecture and the state each; know the "
                    "departments in charge, and their staffing and budgets."
                ),
                evidence=working_with(GOVERNMENT_KINDS),
            ),
            Question(
                16,
                gettext_lazy("Does it work with businesses?"),
                3,
                BUSINESS,
                gettext_lazy(
                    "Show businesses and shopping streets what they gain, and agree on each "
                    "side's role and responsibility."
                ),
                evidence=working_with(BUSINESS_KINDS),
            ),
            Question(
                17,
                gettext_lazy("Does it work with universities and other educational institutions?"),
                3,
                EDUCATION,
                gettext_lazy(
                    "Invite university teachers to the steering committee, study local problems "
                    "together, and run courses on work and employment."
                ),
                evidence=working_with(EDUCATION_KINDS),
            ),
            Question(
                18,
                gettext_lazy("Does it work with other bodies?"),
                3,
                OTHER_BODIES,
                gettext_lazy(
                    "Work with the bodies the consultations concern, such as hospitals, social "
                    "welfare councils, welfare and educational facilities, and gather "
                    "information widely."
                ),
                evidence=working_with(OTHER_KINDS),
            ),
        ],
    ),
    Step(
        4,
        MENUS,
        [
            Question(
                19,
                gettext_lazy("Does it have a concrete menu of services to develop?"),
                4,
                MENUS,
                gettext_lazy(
                    "Turn the needs that consultations bring to light into services, choosing "
                    "from the examples what suits the area."
                ),
                page=32,
            ),
        ],
    ),
    Step(
        5,
        gettext_lazy("Towards lasting work"),
        [
            Question(
                20,
                gettext_lazy("Is it developing people?"),
                5,
                PEOPLE,
                gettext_lazy(
                    "People are grown, not only found: put coordination skills first and use "
                    "the training of universities and NPOs."
                ),
            ),
            Question(
                21,
                gettext_lazy("Is there a membership organisation?"),
                5,
                ORGANISATION,
                gettext_lazy(
                    "Set up a membership scheme, such as supporting and sustaining members, so "
                    "that people and groups back the centre."
                ),
                evidence=membership,
            ),
            Question(
                22,
                gettext_lazy("Is there a scheme such as a friends' club?"),
                5,
                ORGANISATION,
                gettext_lazy(
                    "A friends' club gives members discounts at partner businesses for their "
                    "fee, and is a way into the centre's work."
                ),
                evidence=membership_types,
            ),
            Question(
                23,
                gettext_lazy("Is it making “lifelong union members”?"),
                5,
                ORGANISATION,
                gettext_lazy(
                    "Welcome retired union members as lifelong members and invite them to take "
                    "part."
                ),
                evidence=retired_members,
            ),
            Question(
                24,
                gettext_lazy("Does it have several sources of income?"),
                5,
                FINANCES,
                gettext_lazy(
                    "Do not lean on one source: contributions, fees, donations and business "
                    "income, in balance."
                ),
                evidence=income_sources,
            ),
            Question(
                25,
                gettext_lazy("Are income and spending in balance?"),
                5,
                FINANCES,
                gettext_lazy(
                    "Watch the balance of income and spending, so that the work stands as an "
                    "undertaking of its own."
                ),
                evidence=balance,
            ),
            Question(
                26,
                gettext_lazy("Does it have business income?"),
                5,
                FINANCES,
                gettext_lazy(
                    "Aim for steady income from the centre's own work: commissioned work goes "
                    "to those with a record."
                ),
                evidence=business_income,
            ),
            Question(
                27,
                gettext_lazy("Is it always getting information out?"),
                5,
                FINANCES,
                gettext_lazy(
                    "Raise the quality of the work and make its results known at every opportunity."
                ),
            ),
        ],
    ),
]
QUESTIONS = [question for step in STEPS for question in step.questions]
QUESTION_NUMBERS = [question.number for question in QUESTIONS]
QUESTIONS_BY_NUMBER = {question.number: question for question in QUESTIONS}


# Saving ----------------------------------------------------------------------------


@transaction.atomic
def self_assessment_save(*, center, fiscal_year, answers, by, request=None):
    """Save a centre's answers for a fiscal year: `answers` maps each question number to
    (answer, note). Creates the assessment on the first save, records who saved it and
    writes the audit entry; returns the assessment."""
    assessment, created = SelfAssessment.objects.select_for_update().get_or_create(
        center=center, fiscal_year=fiscal_year
    )
    saved = {answer.question: answer for answer in assessment.answers.all()}
    new, changed = [], []
    for number, (answer, note) in answers.items():
        row = saved.get(number)
        if row is None:
            if answer or note:
                new.append(
                    SelfAssessmentAnswer(
                        assessment=assessment, question=number, answer=answer, note=note
                    )
                )
        elif (row.answer, row.note) != (answer, note):
            row.answer, row.note = answer, note
            changed.append(row)
    SelfAssessmentAnswer.objects.bulk_create(new)
    SelfAssessmentAnswer.objects.bulk_update(changed, ["answer", "note"])
    assessment.updated_by = by
    assessment.save(update_fields=["updated_by", "updated_at"])
    log_action(
        action=AuditEvent.Action.CHANGE,
        user=by,
        request=request,
        obj=assessment,
        center_id=center.pk,
        fiscal_year=fiscal_year,
        created=created,
        questions=sorted(row.question for row in [*new, *changed]),
    )
    return assessment

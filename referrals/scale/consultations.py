"""Clients, cases and their consultations: when (growth, seasons, office days), by
which channel, on which topics, with whose attributes, and each case's status."""

import datetime

from dateutil.relativedelta import relativedelta

from accounts.search import search_key
from consultations import demo
from consultations.models import (
    Case,
    CaseNumberSequence,
    Client,
    Consultation,
    ConsultationTopic,
    EmploymentStatus,
    EmploymentType,
    WorkplaceUnion,
)
from consultations.search import bigram_vector
from network.calendar_jp import closure_reason, is_business_day
from referrals.models import Referral

from .base import FAMILY_NAMES, GIVEN_NAMES, Picker

GROWTH = 1.06  # a year's growth of the work
# April (new jobs, contracts ended in March) and the weeks after New Year are busiest.
MONTH_LOAD = {1: 11, 2: 10, 3: 11, 4: 13, 5: 11, 6: 10, 7: 10, 8: 8, 9: 10, 10: 10, 11: 10, 12: 8}
NEW_YEAR_BUMP = 1.3  # 4–20 January
WEEKDAY_LOAD = [13, 10, 10, 10, 9, 1.5, 0.3]
CLOSED_DAY_LOAD = 0.05  # holidays and the year-end break: the odd e-mail or event
GAP_DAYS = 10  # mean days between two contacts of a case
SETTLED_DAYS = 60  # a case quiet for longer is mostly closed

GENDERS = Picker(demo.GENDERS)
AGES = Picker(demo.AGE_BANDS)
FIRST_CHANNELS = Picker(demo.CHANNELS)
LATER_CHANNELS = Picker(demo.FOLLOW_UP_CHANNELS)
CONSULTERS = Picker(demo.CONSULTERS)
ROUTES = Picker(demo.ROUTES)
WORK_EMPLOYMENT = Picker(demo.WORK_EMPLOYMENT)
LIFE_EMPLOYMENT = Picker(demo.LIFE_EMPLOYMENT)
EMPLOYMENT_STATUS = Picker({"employed": 70, "leaving": 8, "left": 15, "": 7})
INDUSTRIES = Picker(demo.INDUSTRIES)
SIZES = Picker(demo.SIZES)
UNIONS = Picker(demo.UNIONS)
TOPIC_COUNT = Picker({1: 55, 2: 30, 3: 15})
OUTCOMES = Picker(
    {
        Consultation.Outcome.ADVICE: 40,
        Consultation.Outcome.INFORMATION: 22,
        Consultation.Outcome.CONTINUING: 28,
        Consultation.Outcome.RESOLVED: 6,
        Consultation.Outcome.OTHER: 4,
    }
)
CLOSED_REASONS = Picker(
    {
        Case.ClosedReason.RESOLVED: 25,
        Case.ClosedReason.ADVICE_GIVEN: 50,
        Case.ClosedReason.NO_CONTACT: 12,
        Case.ClosedReason.WITHDRAWN: 5,
        Case.ClosedReason.OTHER: 3,
        Case.ClosedReason.REFERRED: 5,
    }
)
# Attributes an anonymous caller leaves unsaid (不明) more often.
UNSAID = ("gender", "employment_type", "industry", "company_size", "workplace_union")


class ClientPlan:
    __slots__ = (
        "age",
        "birth_date",
        "center",
        "created_at",
        "created_by",
        "family",
        "gender",
        "given",
        "id",
        "phone_home",
        "phone_mobile",
        "profile",
        "stated_age",
        "stated_age_on",
    )


class CasePlan:
    __slots__ = (
        "age",
        "assigned_to",
        "center",
        "client",
        "closed_at",
        "closed_reason",
        "consulter",
        "contacts",
        "created_by",
        "events",
        "id",
        "main",
        "number",
        "profile",
        "referrals",
        "restricted",
        "slots",
        "status",
        "story",
    )


class ContactPlan:
    __slots__ = ("action", "at", "case", "channel", "id", "outcome", "summary", "taker", "topics")


# ── planning ────────────────────────────────────────────────────────────────────────


def plan(g):
    """Clients, cases and contacts, planned; contacts' ids in the order received."""
    g.days = _day_picker(g)
    clients = _plan_clients(g)
    cases = _plan_cases(g, clients)
    contacts = _plan_contacts(g, cases)
    return clients, cases, contacts


def _day_picker(g):
    """Every day of the data, weighted by the year's growth, the month, the weekday and
    whether offices are closed."""
    weights = {}
    day = g.first_day
    while day < g.today:
        years_ago = (g.today - day).days / 365.25
        weight = GROWTH**-years_ago * MONTH_LOAD[day.month] * WEEKDAY_LOAD[day.weekday()]
        if day.month == 1 and 4 <= day.day <= 20:
            weight *= NEW_YEAR_BUMP
        if closure_reason(day):
            weight *= CLOSED_DAY_LOAD
        weights[day] = weight
        day += datetime.timedelta(days=1)
    return Picker(weights)


def _plan_clients(g):
    rng = g.rng
    clients = []
    for _ in range(g.scale.clients):
        client = ClientPlan()
        client.center = g.centre_picker(rng)
        client.family = rng.choice(FAMILY_NAMES)
        client.gender = GENDERS(rng)
        given_names = GIVEN_NAMES.get(client.gender) or GIVEN_NAMES[rng.choice(["female", "male"])]
        client.given = rng.choice(given_names)
        low, high = AGES(rng)
        client.age = rng.randint(low, high)
        client.phone_mobile = (
            f"{rng.choice(['090', '080', '070'])}{rng.randrange(10**8):08d}"
            if g.chance(0.85)
            else ""
        )
        client.phone_home = f"076{rng.randrange(10**7):07d}" if g.chance(0.2) else ""
        clients.append(client)
    return clients


def _plan_cases(g, clients):
    """Every client's case (a fifth of them with more than one), then the anonymous
    callers' cases; each with its main concern and the times of its contacts."""
    rng, scale = g.rng, g.scale
    named = scale.cases - scale.anonymous_cases
    owners = list(range(len(clients)))
    owners += [rng.randrange(len(clients)) for _ in range(named - len(clients))]
    owners += [None] * scale.anonymous_cases
    cases = []
    for owner in owners:
        case = CasePlan()
        case.client = owner
        case.center = clients[owner].center if owner is not None else g.centre_picker(rng)
        case.main = g.topic_picker(rng)
        case.restricted = owner is not None and g.chance(demo.RESTRICTED.get(case.main, 0))
        case.story = _story(g.topics[case.main])
        case.slots = None
        case.referrals = []
        case.events = []
        cases.append(case)
    for case, count in zip(cases, _contact_counts(g, cases, named), strict=True):
        case.contacts = _contact_times(g, count)
    return cases


def _contact_counts(g, cases, named):
    """One or two contacts for anonymous callers; the rest spread over the named cases
    with a long tail (some run to dozens), adding up to the consultations asked for."""
    rng = g.rng
    counts = [1 if c.client is not None or g.chance(0.88) else 2 for c in cases]
    target = g.scale.consultations - sum(counts[named:])
    mean_extra = max(target / named - 1, 0.01)
    for i in range(named):
        counts[i] = 1 + int(rng.expovariate(1 / mean_extra))
    difference = target - sum(counts[:named])
    while difference > 0:
        counts[rng.randrange(named)] += 1
        difference -= 1
    while difference < 0:
        i = rng.randrange(named)
        if counts[i] > 1:
            counts[i] -= 1
            difference += 1
    return counts


def _contact_times(g, count):
    rng = g.rng
    day = g.days(rng)
    times = [g.at(day, rng.randint(9, 18))]
    for _ in range(count - 1):
        previous = times[-1]
        day = previous.date() + datetime.timedelta(days=int(rng.expovariate(1 / GAP_DAYS)) + 1)
        while not is_business_day(day) and day < g.today:
            day += datetime.timedelta(days=1)
        moment = g.at(day, rng.randint(9, 18))
        if moment >= g.end or moment <= previous:
            # Squeeze what is left of the story between the last contact and today.
            moment = previous + (g.end - previous) * rng.uniform(0.05, 0.5)
        times.append(moment)
    return times


def _plan_contacts(g, cases):
    """Every contact's channel, taker, outcome and topics (the texts come when the case
    is written); ids in the order received, as the intake would have given them."""
    rng = g.rng
    contacts = []
    for case in cases:
        planned = []
        takers = g.takers[case.center]
        for position, moment in enumerate(case.contacts):
            contact = ContactPlan()
            contact.case = case
            contact.at = moment
            contact.channel = (FIRST_CHANNELS if position == 0 else LATER_CHANNELS)(rng)
            contact.taker = rng.choice(takers)
            contact.outcome = OUTCOMES(rng)
            same = position == 0 or g.chance(0.9)
            contact.topics = _topics(g, case.main if same else None)
            contact.summary = contact.action = None
            planned.append(contact)
        case.contacts = planned
        case.created_by = planned[0].taker
        contacts.extend(planned)
    contacts.sort(key=lambda contact: contact.at)
    first = g.writer.first_id(Consultation)
    for offset, contact in enumerate(contacts):
        contact.id = first + offset
    return contacts


def _topics(g, main):
    """1–3 topics, the main concern (主訴) first; the others related or of its field."""
    rng = g.rng
    main = main or g.topic_picker(rng)
    topics = [main]
    related = demo.RELATED.get(main, [])
    field_picker = g.field_pickers[g.topics[main].category.code]
    for _ in range(TOPIC_COUNT(rng) - 1):
        code = rng.choice(related) if related and g.chance(0.7) else field_picker(rng)
        if code not in topics:
            topics.append(code)
    return topics


def _profile(g, main, gender, *, anonymous):
    """The statistical attributes heard at a first contact (不明 where not asked)."""
    rng = g.rng
    work = g.topics[main].category.domain == "work"
    employment = (WORK_EMPLOYMENT if work else LIFE_EMPLOYMENT)(rng)
    in_work = employment not in demo.NOT_IN_WORK
    status = ""
    if in_work:
        status = EMPLOYMENT_STATUS(rng)
    elif employment == EmploymentType.JOB_SEEKING:
        status = EmploymentStatus.LEFT.value
    union = UNIONS(rng) if in_work else ""
    profile = {
        "gender": gender,
        "employment_type": employment,
        "employment_status": status,
        "industry": INDUSTRIES(rng) if in_work or status else "",
        "company_size": SIZES(rng) if in_work else "",
        "workplace_union": union,
        "workplace_union_name": (
            rng.choice(demo.UNION_NAMES) if union == WorkplaceUnion.YES else ""
        ),
        "municipality_id": None,
    }
    if anonymous:
        for name in UNSAID:
            if g.chance(0.3):
                profile[name] = ""
    return profile


def _texts(g, case, position):
    """What was said and what was done, from the demo's texts for the topic."""
    rng = g.rng
    if case.slots is None:
        case.slots = slots(rng)
    if position == 0:
        summary, action = rng.choice(demo.FIRST_CONTACTS[case.main])
    else:
        summary = rng.choice(demo.FOLLOW_UPS[case.story])
        action = rng.choice(demo.FOLLOW_UP_ACTIONS)
    return summary.format(**case.slots), action.format(**case.slots)


def _story(topic):
    """The kind of story a case on `topic` follows, as the demo tells it."""
    for story, codes in demo.STORIES.items():
        if topic.code in codes.split():
            return story
    return demo.STORY_OF_FIELD.get(topic.category.code, "life")


def slots(rng):
    """The details a case's texts are filled with (consultations.demo's slots)."""
    industry = rng.choice(list(demo.WORKPLACES))
    return {
        "workplace": rng.choice(demo.WORKPLACES[industry]),
        "boss": rng.choice(demo.BOSSES),
        "years": rng.randint(2, 20),
        "months": rng.randint(2, 10),
        "weeks": rng.randint(2, 6),
        "soon": rng.randint(1, 3),
        "amount": rng.choice([12, 18, 25, 30, 38, 45, 60, 80, 120]),
        "small": rng.randint(2, 5),
        "wage": rng.choice([850, 880, 900, 920, 950]),
        "overtime": rng.choice([40, 50, 60, 70, 80, 100]),
        "days": rng.randint(3, 20),
        "debt": rng.choice([80, 120, 150, 230, 300, 450, 600]),
        "lenders": rng.randint(3, 7),
        "arrears": rng.randint(2, 6),
        "relative": rng.choice(demo.RELATIVES),
        "kids": rng.randint(1, 3),
        "child_age": rng.randint(1, 5),
        "parent_age": rng.randint(72, 92),
        "town": "金沢",
    }


# ── the cases' status, once their referrals are planned ─────────────────────────────


def settle(g, cases):
    """Each case's status as the verbs leave it (asking a partner makes it 紹介中,
    referring the client フォロー中), its assignee, and the closing of quiet cases that
    have no referral open."""
    settled_before = g.end - datetime.timedelta(days=SETTLED_DAYS)
    for case in cases:
        status = Case.Status.RECEIVED if len(case.contacts) == 1 else Case.Status.IN_PROGRESS
        moves, last, still_open = [], case.contacts[-1].at, False
        for life in case.referrals:
            referral = life.referral
            if referral["asked_at"]:
                moves.append((referral["asked_at"], Case.Status.REFERRING))
            if referral["referred_at"]:
                moves.append((referral["referred_at"], Case.Status.FOLLOW_UP))
            if referral["closed_at"] and referral["closed_at"] > last:
                last = referral["closed_at"]
            still_open = still_open or referral["status"] in Referral.OPEN_STATUSES
        if moves:
            status = max(moves, key=lambda move: move[0])[1]
        case.assigned_to = case.created_by
        if case.referrals:
            case.assigned_to = case.referrals[-1].referral["coordinator_id"]
        case.closed_at, case.closed_reason = None, ""
        if not still_open and last < settled_before and g.chance(0.95):
            status = _close(g, case, status, last)
        case.status = status.value


def _close(g, case, status, last):
    reason = CLOSED_REASONS(g.rng)
    completed = any(life.status == Referral.Status.COMPLETED for life in case.referrals)
    if completed and g.chance(0.7):
        reason = Case.ClosedReason.REFERRED.value
    case.closed_reason = reason
    case.closed_at = last + datetime.timedelta(days=g.rng.uniform(1, 30))
    case.events.append(
        {
            "kind": "status",
            "at": case.closed_at,
            "by_id": case.assigned_to,
            "old_value": status.value,
            "new_value": Case.Status.CLOSED.value,
            "reason": reason,
            "text": "",
        }
    )
    return Case.Status.CLOSED


# ── writing ─────────────────────────────────────────────────────────────────────────


def write(g, clients, cases, contacts):
    # Stable on ties, so the numbering is the same on every run.
    g.cases_by_opening = sorted(cases, key=lambda case: case.contacts[0].at)
    g.clients, g.cases = clients, cases
    _write_clients(g, clients)
    _write_cases(g, clients)
    links = _write_contacts(g, contacts)
    return {
        "clients": len(clients),
        "cases": len(cases),
        "consultations": len(contacts),
        "topics": links,
    }


def _write_clients(g, clients):
    """Clients as their first contact left them: its date and taker, the age then, and
    the attributes heard (which their later contacts repeat)."""
    rng = g.rng
    first_case = {}
    for case in g.cases_by_opening:
        if case.client is not None and case.client not in first_case:
            first_case[case.client] = case
    order = sorted(range(len(clients)), key=lambda i: (first_case[i].contacts[0].at, i))
    next_id = g.writer.first_id(Client)
    for offset, index in enumerate(order):
        clients[index].id = next_id + offset
    rows = []
    for index in order:
        client, case = clients[index], first_case[index]
        first = case.contacts[0]
        first_on = first.at.date()
        client.created_at, client.created_by = first.at, first.taker
        client.birth_date = client.stated_age = client.stated_age_on = None
        if g.chance(0.55):
            client.birth_date = first_on - relativedelta(years=client.age, days=rng.randint(0, 364))
        elif g.chance(0.8):
            client.stated_age, client.stated_age_on = client.age, first_on
        client.profile = _profile(g, case.main, client.gender, anonymous=False)
        home = g.centres[client.center].municipality.pk
        client.profile["municipality_id"] = home if g.chance(0.55) else g.residence(rng)
        (family, family_kana), (given, given_kana) = client.family, client.given
        rows.append(
            {
                "id": client.id,
                "center_id": g.centres[client.center].pk,
                "family_name": family,
                "given_name": given,
                "family_name_kana": family_kana,
                "given_name_kana": given_kana,
                "birth_date": client.birth_date,
                "stated_age": client.stated_age,
                "stated_age_on": client.stated_age_on,
                "phone_mobile": client.phone_mobile,
                "phone_home": client.phone_home,
                "prefecture_id": g.centres[client.center].municipality.prefecture_id,
                "search_kana": search_key(family_kana + given_kana),
                "search_name": search_key(family + given),
                "created_at": client.created_at,
                "created_by_id": client.created_by,
                **client.profile,
            }
        )
    g.writer.write(Client, rows)


def _write_cases(g, clients):
    """Cases in the order they opened, numbered per centre and year as the intake
    numbers them, with the search text of their title, client and summaries."""
    sequences = CaseNumberSequence.objects.filter(center__in=g.centres)
    last_numbers = {
        (centre, year): last
        for centre, year, last in sequences.values_list("center", "year", "last_number")
    }
    next_id = g.writer.first_id(Case)
    rows = []
    for offset, case in enumerate(g.cases_by_opening):
        case.id = next_id + offset
        centre = g.centres[case.center]
        opened = case.contacts[0].at
        key = (centre.pk, opened.year)
        last_numbers[key] = last_numbers.get(key, 0) + 1
        case.number = f"{opened.year}-{last_numbers[key]:06d}"
        client = clients[case.client] if case.client is not None else None
        _hear(g, case, client)
        title = g.topics[case.main].name[:100]
        parts = [title]
        if client is not None:
            parts += [
                search_key(client.family[0] + client.given[0]),
                search_key(client.family[1] + client.given[1]),
            ]
        for position, contact in enumerate(case.contacts):
            contact.summary, contact.action = _texts(g, case, position)
            parts.append(contact.summary)
        search_text = " ".join(search_key(part) for part in parts)
        rows.append(
            {
                "id": case.id,
                "center_id": centre.pk,
                "number": case.number,
                "client_id": client.id if client is not None else None,
                "title": title,
                "status": case.status,
                "closed_reason": case.closed_reason,
                "closed_at": case.closed_at,
                "assigned_to_id": case.assigned_to,
                "restricted": case.restricted,
                "main_topic_id": g.topics[case.main].pk,
                "opened_at": opened,
                "last_contact_at": case.contacts[-1].at,
                "search_text": search_text,
                # COPY writes what it is given: the bigrams that save() would compute.
                "search_bigrams": bigram_vector(search_text),
                "created_by_id": case.created_by,
            }
        )
    g.writer.write(Case, rows)
    for (centre_id, year), last in sorted(last_numbers.items()):
        CaseNumberSequence.objects.update_or_create(
            center_id=centre_id, year=year, defaults={"last_number": last}
        )


def _hear(g, case, client):
    """Who consulted and what they said of themselves: a client's attributes, or an
    anonymous caller's own."""
    rng = g.rng
    if client is not None:
        case.profile, case.age = client.profile, None
    else:
        case.profile = _profile(g, case.main, GENDERS(rng), anonymous=True)
        case.profile["municipality_id"] = g.residence(rng) if g.chance(0.6) else None
        low, high = AGES(rng)
        case.age = rng.randint(low, high) if g.chance(0.75) else None
    kind = CONSULTERS(rng)
    relation = ""
    if kind == "family":
        relation = rng.choice(demo.RELATIVES)
    elif kind == "agency":
        relation = rng.choice(demo.AGENCY_RELATIONS)
    case.consulter = (kind, relation, ROUTES(rng))


def _write_contacts(g, contacts):
    """Consultations in the order received, then their topics (延べ)."""
    g.writer.write(Consultation, (_consultation(g, contact) for contact in contacts))
    topic_ids = {code: topic.pk for code, topic in g.topics.items()}
    return g.writer.write(
        ConsultationTopic,
        (
            {
                "consultation_id": contact.id,
                "case_id": contact.case.id,
                "center_id": g.centres[contact.case.center].pk,
                "received_at": contact.at,
                "topic_id": topic_ids[code],
                "is_main": position == 0,
            }
            for contact in contacts
            for position, code in enumerate(contact.topics)
        ),
    )


def _consultation(g, contact):
    rng, case = g.rng, contact.case
    received_on = contact.at.date()
    client = g.clients[case.client] if case.client is not None else None
    age = age_on(client, received_on) if client is not None else case.age
    low, high = demo.DURATIONS[contact.channel]
    minutes = rng.randint(low, high) if g.chance(0.9) else None
    work = g.topics[case.main].category.domain == "work"
    kind, relation, route = case.consulter
    return {
        "id": contact.id,
        "center_id": g.centres[case.center].pk,
        "case_id": case.id,
        "client_id": client.id if client is not None else None,
        "received_at": contact.at,
        "channel": contact.channel,
        "taken_by_id": contact.taker,
        "duration_minutes": minutes,
        "consulter_type": kind,
        "consulter_relation": relation,
        "route": route,
        "age": age,
        "summary": contact.summary,
        "action_taken": contact.action,
        "outcome": contact.outcome,
        "next_action_on": (
            received_on + datetime.timedelta(days=7)
            if contact.outcome == Consultation.Outcome.CONTINUING
            else None
        ),
        "counts_for_rengo": g.chance(0.95 if work else 0.85),
        "created_at": contact.at + datetime.timedelta(minutes=minutes or 5),
        **case.profile,
    }


def age_on(client, day):
    """Client.age_on for a planned client: from the date of birth, or the age given
    and when."""
    born = client.birth_date or client.stated_age_on
    if born is None:
        return None
    years = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return years if client.birth_date else years + client.stated_age

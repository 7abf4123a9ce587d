"""Referrals, lived through by the verbs' rules up to the end of the data: asked,
answered (accepted or declined), referred, followed up until an outcome is known, or
cancelled on the way; with their consents, hand-off sheets, steps, follow-ups, records
of provision and the lines they write in their cases' timelines."""

import bisect
import datetime
import itertools
import random

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext

from consultations import demo
from consultations.models import CaseEvent, Consent, Consultation
from network.calendar_jp import add_business_days
from referrals.models import (
    PROVISION_KEEP_YEARS,
    Channel,
    FollowUp,
    HandoffSheet,
    ProvisionRecord,
    Referral,
    ReferralStep,
)

from .base import NAME_WORDS, Picker, plain
from .consultations import slots

S = Referral.Status
ASK_CHANNELS = Picker({Channel.PHONE: 60, Channel.FAX: 12, Channel.IN_PERSON: 13, Channel.LINK: 15})
ANSWER_CHANNELS = Picker({Channel.PHONE: 65, Channel.EMAIL: 10, Channel.LINK: 25})
DECLINE_REASONS = Picker({"not_eligible": 35, "no_capacity": 45, "other": 20})
OUTCOMES = Picker(
    {
        "resolved": 40,
        "support_continues": 25,
        "unsuccessful": 10,
        "no_contact": 12,
        "referred_on": 13,
    }
)
FOLLOW_UP_METHODS = Picker(
    {
        FollowUp.Method.PHONE: 60,
        FollowUp.Method.VISIT: 15,
        FollowUp.Method.EMAIL: 10,
        FollowUp.Method.LINK: 10,
        FollowUp.Method.OTHER: 5,
    }
)
NEED = "{topic}について、専門の窓口で相談を受けたい。"
WISHES = [
    "できれば平日の夕方に相談したい。",
    "同じ話を何度もしなくて済むようにしてほしい。",
    "費用がかからない方法を知りたい。",
    "",
]
ANONYMOUS_CALLERS = 0.06  # referrals of anonymous callers' cases (always anonymous)
ANONYMOUS_ENQUIRIES = 0.12  # named clients' cases asked about without their details
# Follow-up notes are filled with one set of details (the cases' own come later).
FOLLOW_UP_NOTE_SLOTS = slots(random.Random(0))  # noqa: S311 (invented data, not secrets)


class ReferralLife:
    """A referral's rows as its verbs would have left them."""

    def __init__(self, case, referral, partner):
        self.case = case
        self.referral = referral
        (_service, _organisation, self.org_name, self.service_name, _days, self.kind) = partner
        self.steps = []  # ReferralStep rows, and the follow-ups' timeline lines
        self.follow_ups = []
        self.ask_channel = None

    @property
    def status(self):
        return self.referral["status"]

    def move(self, at, status, *, by, channel="", reason="", comment="", **changes):
        """Referral._move: the step, the new status and the fields the verb sets."""
        self.steps.append(
            {
                "at": at,
                "old_status": self.status,
                "status": status.value,
                "by_id": by,
                "channel": plain(channel),
                "reason": reason,
                "comment": comment,
            }
        )
        self.referral.update(status=status.value, **changes)

    def follow_up_line(self, at, *, by, comment):
        """The case timeline's line for a follow-up that moves no status."""
        self.steps.append({"follow_up_line": True, "at": at, "by_id": by, "comment": comment})


# ── planning ────────────────────────────────────────────────────────────────────────


def plan(g, cases):
    """Referrals of cases at one of their contacts (longer stories are likelier to need
    a partner), each lived through up to the end of the data."""
    rng = g.rng
    named = [case for case in cases if case.client is not None]
    anonymous = [case for case in cases if case.client is None]
    weights = list(itertools.accumulate(min(len(case.contacts), 6) for case in named))
    for _ in range(g.scale.referrals):
        if anonymous and g.chance(ANONYMOUS_CALLERS):
            case = rng.choice(anonymous)
        else:
            case = named[bisect.bisect_right(weights, rng.random() * weights[-1])]
        position = min(int(rng.expovariate(0.8)), len(case.contacts) - 1)
        contact = case.contacts[position]
        contact.outcome = Consultation.Outcome.REFERRED.value
        created = contact.at + datetime.timedelta(minutes=rng.randint(15, 180))
        if created >= g.end:
            created = contact.at + (g.end - contact.at) / 2
        case.referrals.append(_live(g, case, created))


def _live(g, case, created):
    """The referral's moves from `created` on, until the data ends."""
    rng = g.rng
    field_code = g.topics[case.main].category.code
    partner = rng.choice(g.services_by_field.get(field_code) or g.all_services)
    service, organisation, org_name, _name, follow_days, _kind = partner
    coordinator = rng.choice(g.coordinators[case.center])
    life = ReferralLife(
        case,
        {
            "center_id": g.centres[case.center].pk,
            "service_id": service,
            "organisation_id": organisation,
            "contact_id": g.contacts_of.get(organisation) if g.chance(0.6) else None,
            "need": NEED.format(topic=g.topics[case.main].name)[:200],
            "is_anonymous": case.client is None or g.chance(ANONYMOUS_ENQUIRIES),
            "status": S.DRAFT.value,
            "follow_up_on": None,
            "coordinator_id": coordinator,
            "created_at": created,
            "created_by_id": coordinator,
            "asked_at": None,
            "answered_at": None,
            "referred_at": None,
            "closed_at": None,
        },
        partner,
    )
    # Draft → asked: the same day or the next, rarely dropped before asking.
    asked = created + datetime.timedelta(hours=rng.uniform(0.2, 30))
    if g.chance(0.02):
        _cancel(g, life, created + datetime.timedelta(days=rng.uniform(1, 10)), coordinator)
        return life
    if asked >= g.end:
        return life
    life.ask_channel = ASK_CHANNELS(rng)
    life.move(asked, S.ASKED, by=coordinator, channel=life.ask_channel, asked_at=asked)
    # The partner answers within days; a few never do and the coordinator gives up.
    answered = asked + datetime.timedelta(days=min(rng.expovariate(1 / 1.5), 14))
    if g.chance(0.02):
        _cancel(g, life, asked + datetime.timedelta(days=rng.uniform(20, 40)), coordinator)
        return life
    if answered >= g.end:
        return life
    channel = ANSWER_CHANNELS(rng)
    # A partner answering through its link is nobody of the centre.
    answered_by = None if channel == Channel.LINK else coordinator
    if g.chance(0.1):
        reason = DECLINE_REASONS(rng)
        life.move(
            answered,
            S.DECLINED,
            by=answered_by,
            channel=channel,
            reason=reason,
            decline_reason=reason,
            answered_at=answered,
            closed_at=answered,
        )
        return life
    life.move(answered, S.ACCEPTED, by=answered_by, channel=channel, answered_at=answered)
    referred = answered + datetime.timedelta(days=rng.expovariate(1 / 1.5))
    if g.chance(0.03):
        _cancel(g, life, referred, coordinator)
        return life
    if referred >= g.end:
        return life
    appointment_day = referred.date() + datetime.timedelta(days=rng.randint(2, 14))
    life.move(
        referred,
        S.REFERRED,
        by=coordinator,
        referred_at=referred,
        appointment_at=g.at(appointment_day, rng.randint(10, 16), 0),
        appointment_place=f"{org_name}（{rng.choice(NAME_WORDS)}町）",
        appointment_with="担当の相談員",
        follow_up_on=add_business_days(referred.date(), follow_days or 5),
    )
    _follow_up(g, life, coordinator)
    return life


def _cancel(g, life, at, coordinator):
    if at < g.end:
        life.move(at, S.CANCELLED, by=coordinator, follow_up_on=None, closed_at=at)


def _follow_up(g, life, coordinator):
    """その後の経過: checks around each date set, until an outcome is known; a few are
    forgotten and stay overdue."""
    rng, referral = g.rng, life.referral
    last_day = g.today - datetime.timedelta(days=1)
    for round_number in range(4):
        due = referral["follow_up_on"]
        if g.chance(0.01):
            return
        if g.chance(0.72):
            done_on = due - datetime.timedelta(days=rng.randint(0, 2))
        else:
            done_on = due + datetime.timedelta(days=rng.randint(1, 10))
        done_on = max(done_on, referral["referred_at"].date())
        if done_on > last_day:
            return
        done_at = g.office_time(done_on)
        if done_at <= referral["referred_at"]:
            done_at = referral["referred_at"] + datetime.timedelta(minutes=30)
        method = FOLLOW_UP_METHODS(rng)
        by_partner = method == FollowUp.Method.LINK
        finished = round_number == 3 or (round_number >= 1 and g.chance(0.55))
        finished = finished or (round_number == 0 and g.chance(0.25))
        next_on = None
        if not finished:
            next_on = add_business_days(done_on, rng.choice([5, 10, 10, 15, 20]))
        note = rng.choice(demo.FOLLOW_UPS[life.case.story]).format(**FOLLOW_UP_NOTE_SLOTS)
        by = None if by_partner else coordinator
        life.follow_ups.append(
            {
                "done_on": done_on,
                "due_on": due,
                "method": method,
                "spoke_with": "partner" if by_partner or g.chance(0.2) else "client",
                "by_id": by,
                "note": note,
                "next_on": next_on,
                "created_at": done_at,
            }
        )
        if life.status == S.REFERRED:
            life.move(done_at, S.FOLLOWING_UP, by=by, comment=note, follow_up_on=next_on)
        else:
            referral["follow_up_on"] = next_on
            life.follow_up_line(done_at, by=by, comment=note)
        if finished:
            outcome = OUTCOMES(rng)
            closed = done_at + datetime.timedelta(minutes=5)
            life.move(
                closed,
                S.COMPLETED,
                by=by,
                reason=outcome,
                outcome=outcome,
                follow_up_on=None,
                closed_at=closed,
            )
            return


# ── writing ─────────────────────────────────────────────────────────────────────────


def write(g):
    """Referrals in the order they were made, with everything that hangs on them, and
    the cases' timeline entries (closings and referral lines) in time order."""
    lives = sorted(
        (life for case in g.cases for life in case.referrals),
        key=lambda life: life.referral["created_at"],
    )
    ids = {model: g.writer.first_id(model) for model in (Referral, Consent)}
    rows = {
        model: []
        for model in (Consent, Referral, HandoffSheet, ReferralStep, FollowUp, ProvisionRecord)
    }
    events = [dict(event, case_id=case.id) for case in g.cases for event in case.events]
    follow_up_label = gettext("Follow-up")
    for life in lives:
        referral, case = life.referral, life.case
        referral_id = ids[Referral] + len(rows[Referral])
        referral.update(id=referral_id, case_id=case.id, consent_id=None)
        if not referral["is_anonymous"]:
            client = g.clients[case.client]
            consent = _consent(g, ids[Consent] + len(rows[Consent]), client, life)
            rows[Consent].append(consent)
            referral["consent_id"] = consent["id"]
            if referral["asked_at"] is not None:
                rows[ProvisionRecord].append(_record(g, consent, client, life))
        rows[Referral].append(referral)
        rows[HandoffSheet].append(_sheet(g, life))
        for step in life.steps:
            if step.get("follow_up_line"):
                new_value = follow_up_label
            else:
                rows[ReferralStep].append(dict(step, referral_id=referral_id))
                new_value = g.label(S(step["status"]))
            events.append(
                {
                    "case_id": case.id,
                    "kind": CaseEvent.Kind.REFERRAL.value,
                    "at": step["at"],
                    "by_id": step["by_id"],
                    "old_value": life.org_name[:150],
                    "new_value": new_value[:150],
                    "text": step["comment"],
                }
            )
        rows[FollowUp] += [dict(row, referral_id=referral_id) for row in life.follow_ups]
    for model, model_rows in rows.items():
        g.writer.write(model, model_rows)
    events.sort(key=lambda event: event["at"])
    g.writer.write(CaseEvent, events)
    return {
        "referrals": len(rows[Referral]),
        "steps": len(rows[ReferralStep]),
        "follow_ups": len(rows[FollowUp]),
        "consents": len(rows[Consent]),
        "records": len(rows[ProvisionRecord]),
        "events": len(events),
    }


def _consent(g, consent_id, client, life):
    """The client's consent to share with the partner (or every partner of its kind),
    given when the referral was made."""
    rng, referral = g.rng, life.referral
    method = Consent.Method.ORAL.value if g.chance(0.65) else Consent.Method.WRITTEN.value
    for_kind = g.chance(0.1)
    return {
        "id": consent_id,
        "client_id": client.id,
        "organisation_id": None if for_kind else referral["organisation_id"],
        "kind": plain(life.kind) if for_kind else "",
        "purpose": str(Consent._meta.get_field("purpose").get_default()),
        "shares_address": g.chance(0.2),
        "shares_sensitive": life.case.restricted and g.chance(0.5),
        "method": method,
        "given_on": referral["created_at"].date(),
        "document_ref": f"同意書{rng.randrange(10**5):05d}" if method == "written" else "",
        "recorded_by_id": referral["coordinator_id"],
        "recorded_at": referral["created_at"],
    }


def _sheet(g, life):
    """The hand-off sheet drafted from the case; most approved once the partner was asked."""
    referral = life.referral
    first = life.case.contacts[0]
    approved = referral["asked_at"] is not None and g.chance(0.7)
    return {
        "referral_id": referral["id"],
        "need": referral["need"],
        "history": first.summary,
        "already_tried": first.action,
        "client_wishes": g.rng.choice(WISHES),
        "updated_by_id": referral["coordinator_id"],
        "approved_at": referral["created_at"] + datetime.timedelta(minutes=10)
        if approved
        else None,
        "approved_by_id": referral["coordinator_id"] if approved else None,
    }


def _record(g, consent, client, life):
    """第三者提供の記録 as ProvisionRecord.write leaves it when the partner is asked."""
    referral = life.referral
    items = [
        str(Consent._meta.get_field(name).verbose_name)
        for name in Consent.ITEM_FIELDS
        if consent.get(name, Consent._meta.get_field(name).get_default())
    ]
    coordinator = referral["coordinator_id"]
    basis = gettext("Consent of the client (%(method)s, %(day)s, recorded by %(by)s)") % {
        "method": g.label(Consent.Method(consent["method"])),
        "day": consent["given_on"].isoformat(),
        "by": g.staff_names[coordinator],
    }
    (family, family_kana), (given, given_kana) = client.family, client.given
    birth = f" {client.birth_date:%Y/%m/%d}生" if client.birth_date else ""
    provided = referral["asked_at"]
    return {
        "center_id": referral["center_id"],
        "client_id": client.id,
        "referral_id": referral["id"],
        "provided_at": provided,
        "recipient": f"{life.org_name} {life.service_name}"[:300],
        "client_identification": f"{family} {given}（{family_kana} {given_kana}）{birth}"[:200],
        "items": "、".join([gettext("Consultation summary"), *items])[:300],
        "consent_basis": basis[:300],
        "channel": plain(life.ask_channel),
        "provided_by_id": coordinator,
        "keep_until": provided.date() + relativedelta(years=PROVISION_KEEP_YEARS),
    }

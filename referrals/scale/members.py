"""The member register: members of every type over twenty years, their fee for each
fiscal year of the data and the payments that settled them (some waived, some owed)."""

import datetime

from dateutil.relativedelta import relativedelta
from django.db.models import Max

from accounts.search import search_key
from members.demo import TYPE_WEIGHTS, UNIONS
from members.fiscal import fiscal_year_of, fiscal_year_start
from members.models import Fee, Member, MemberNumberCounter, MembershipType, Payment

from .base import FAMILY_NAMES, NAME_WORDS, Picker

HISTORY_YEARS = 20  # the register is older than the consultation records
LEAVE_REASONS = Picker(
    {
        Member.LeaveReason.REQUEST: 50,
        Member.LeaveReason.UNPAID: 20,
        Member.LeaveReason.MOVED: 15,
        Member.LeaveReason.DECEASED: 10,
        Member.LeaveReason.OTHER: 5,
    }
)
PAYMENT_METHODS = Picker(
    {
        Payment.Method.TRANSFER: 45,
        Payment.Method.DIRECT_DEBIT: 30,
        Payment.Method.CASH: 25,
    }
)
ORGANISATION_SUFFIXES = ["労働組合", "株式会社", "協同組合", "ユニオン", "協会"]
UNPAID_THIS_YEAR = 0.28  # some pay late in the year
UNPAID_BEFORE = 0.04  # arrears of past years
WAIVED = 0.03


def generate(g):
    """Write the members, fees and payments, numbered on from each centre's counter."""
    rng = g.rng
    types = Picker({g.types[code].pk: weight for code, weight in TYPE_WEIGHTS.items()})
    type_of = {t.pk: t for t in g.types.values()}
    counters = dict(
        MemberNumberCounter.objects.filter(center__in=g.centres).values_list("center", "last")
    )
    sequences = {
        index: max(counters.get(centre.pk, 0), _last_sequence(centre))
        for index, centre in enumerate(g.centres)
    }
    history_start = g.today - relativedelta(years=HISTORY_YEARS)
    span = (g.today - history_start).days
    members, fees, payments = [], [], []
    ids = {model: g.writer.first_id(model) for model in (Member, Fee, Payment)}
    for _ in range(g.scale.members):
        index = g.centre_picker(rng)
        centre = g.centres[index]
        membership_type = type_of[types(rng)]
        sequences[index] += 1
        number = f"{centre.code}-{sequences[index]:05d}"
        # Later years brought more members (growth), so joining dates lean recent.
        joined = history_start + datetime.timedelta(days=int(span * rng.random() ** 0.7))
        joined = min(joined, g.today - datetime.timedelta(days=1))
        left_on, leave_reason = None, ""
        if g.chance(0.18):
            left_on = joined + datetime.timedelta(days=rng.randint(30, 365 * 8))
            if left_on >= g.today:
                left_on = None
            else:
                leave_reason = LEAVE_REASONS(rng)
        person = membership_type.holder == MembershipType.Holder.PERSON
        if person:
            (family, family_kana), (given, given_kana) = g.person()
            name, kana, contact = f"{family} {given}", f"{family_kana} {given_kana}", ""
        else:
            name = f"{rng.choice(NAME_WORDS)}{rng.choice(ORGANISATION_SUFFIXES)}"
            kana, contact = "", rng.choice(FAMILY_NAMES)[0]
        birth = None
        if person and g.chance(0.7):
            birth = joined - relativedelta(years=rng.randint(22, 70), days=rng.randint(0, 364))
        member_id = ids[Member] + len(members)
        members.append(
            {
                "id": member_id,
                "center_id": centre.pk,
                "number": number,
                "sequence": sequences[index],
                "membership_type_id": membership_type.pk,
                "name": name,
                "name_kana": kana,
                "birth_date": birth,
                "contact_person": contact,
                "municipality_id": g.residence(rng),
                "phone": f"090{rng.randrange(10**8):08d}" if g.chance(0.8) else "",
                "union": rng.choice(UNIONS) if person and g.chance(0.4) else "",
                "is_retired": membership_type.code == "lifetime",
                "joined_on": joined,
                "left_on": left_on,
                "leave_reason": leave_reason,
                "search_text": search_key(" ".join([number, name, kana, contact])),
            }
        )
        if membership_type.expires:
            for fee, payment in _fees(g, membership_type, joined, left_on, leave_reason):
                fee.update(id=ids[Fee] + len(fees), member_id=member_id)
                fees.append(fee)
                if payment:
                    payment.update(
                        id=ids[Payment] + len(payments),
                        fee_id=fee["id"],
                        recorded_by_id=rng.choice(g.takers[index]),
                    )
                    payments.append(payment)
    g.writer.write(Member, members)
    g.writer.write(Fee, fees)
    g.writer.write(Payment, payments)
    for index, centre in enumerate(g.centres):
        MemberNumberCounter.raise_to(centre, sequences[index])
    return {"members": len(members), "fees": len(fees), "payments": len(payments)}


def _last_sequence(centre):
    return Member.objects.filter(center=centre).aggregate(last=Max("sequence"))["last"] or 0


def _fees(g, membership_type, joined, left_on, leave_reason):
    """(fee, payment or None) for each fiscal year of the data the member was in.
    Those who left for not paying owe their last two years."""
    this_year = fiscal_year_of(g.today - datetime.timedelta(days=1))
    last_year = fiscal_year_of(left_on) if left_on else this_year
    for year in range(max(fiscal_year_of(joined), fiscal_year_of(g.first_day)), last_year + 1):
        unpaid = UNPAID_THIS_YEAR if year == this_year else UNPAID_BEFORE
        if leave_reason == Member.LeaveReason.UNPAID and year >= last_year - 1:
            unpaid = 1
        yield _fee(g, membership_type, year, joined, unpaid)


def _fee(g, membership_type, year, joined, unpaid):
    rng = g.rng
    amount = membership_type.annual_fee
    fee = {"fiscal_year": year, "amount": amount, "paid": 0}
    draw = rng.random()
    if amount == 0 or draw < WAIVED:
        fee.update(waived=True, waive_reason="会費免除（生活困窮）" if amount else "")
        return fee, None
    if draw < WAIVED + unpaid:
        return fee, None
    start = max(fiscal_year_start(year), joined)
    paid_on = start + datetime.timedelta(days=int(rng.expovariate(1 / 25)))
    paid_on = min(paid_on, g.today - datetime.timedelta(days=1))
    method = PAYMENT_METHODS(rng)
    fee["paid"] = amount
    payment = {
        "paid_on": paid_on,
        "amount": amount,
        "method": method,
        "receipt_number": f"R{year}-{rng.randrange(10**6):06d}" if method == "cash" else "",
    }
    return fee, payment

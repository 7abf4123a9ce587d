import datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from members.models import Fee, Member, Payment
from members.services import member_register, member_renew, members_import, payment_record
from members.tests.factories import FeeFactory, MemberFactory

D = datetime.date


@pytest.fixture
def member(center, general):
    return MemberFactory(center=center, membership_type=general)


def test_register_numbers_the_member_creates_its_fee_and_audits(center, friends, manager):
    member = member_register(
        member=Member(
            center=center, membership_type=friends, name="山田 花子", joined_on=D(2027, 2, 10)
        ),
        by=manager,
    )
    assert member.number == "KNZ-00001"
    assert list(member.fees.values_list("fiscal_year", "amount")) == [(2026, 1000)]
    assert AuditEvent.objects.filter(action="create", object_id=str(member.pk)).exists()


def test_register_rolls_back_everything_on_a_bad_member(center, friends, manager):
    with pytest.raises(ValidationError):
        member_register(
            member=Member(center=center, membership_type=friends, name="", joined_on=D(2026, 5, 1)),
            by=manager,
        )
    assert not Member.objects.exists()
    assert not AuditEvent.objects.filter(action="create").exists()


def test_payment_creates_the_years_fee_at_the_types_rate(member, coordinator):
    payment = payment_record(
        member=member,
        fiscal_year=2026,
        paid_on=D(2026, 5, 1),
        amount=1000,
        method=Payment.Method.TRANSFER,
        receipt_number="R-9",
        by=coordinator,
    )
    fee = payment.fee
    assert (fee.fiscal_year, fee.amount, fee.paid, fee.remaining) == (2026, 3000, 1000, 2000)


@pytest.mark.parametrize("amount", [0, -1, 3001])
def test_payments_outside_what_is_owed_are_refused(member, coordinator, amount):
    with pytest.raises(ValidationError):
        payment_record(
            member=member,
            fiscal_year=2026,
            paid_on=D(2026, 5, 1),
            amount=amount,
            method="cash",
            by=coordinator,
        )
    assert not Payment.objects.exists()
    assert not AuditEvent.objects.filter(action="create").exists()


def test_renew_refuses_an_existing_year(member, coordinator, general):
    FeeFactory(member=member, fiscal_year=2027)
    with pytest.raises(ValidationError):
        member_renew(member=member, fiscal_year=2027, membership_type=general, by=coordinator)


def test_renew_changes_the_type_and_audits_it(member, coordinator, friends):
    fee = member_renew(member=member, fiscal_year=2027, membership_type=friends, by=coordinator)
    assert fee.amount == 1000
    event = AuditEvent.objects.get(action="change")
    assert event.detail["fields"] == ["membership_type"]


def test_import_is_all_or_nothing(center, general, manager):
    MemberFactory(center=center)  # takes sequence 1
    rows = [
        {
            "line": 2,
            "sequence": None,
            "membership_type": general.pk,
            "municipality": None,
            "fee": None,
            "name": "新しい 人",
            "name_kana": "",
            "contact_person": "",
            "postcode": "",
            "address": "",
            "phone": "",
            "email": "",
            "union": "",
            "notes": "",
            "birth_date": None,
            "is_retired": False,
            "joined_on": "2020-04-01",
            "left_on": None,
            "leave_reason": "",
            "leave_note": "",
        },
    ]
    taken = [dict(rows[0], line=3, sequence=1)]
    with pytest.raises(ValidationError):
        members_import(center=center, rows=rows + taken, by=manager)
    assert Member.objects.count() == 1
    assert members_import(center=center, rows=rows, by=manager) == 1
    assert Member.objects.order_by("sequence").last().number == "KNZ-00002"
    assert not Fee.objects.exists()

"""Fiscal years and the status rules."""

import datetime

import pytest

from members.fiscal import (
    fiscal_year_end,
    fiscal_year_label,
    fiscal_year_of,
    fiscal_year_start,
    months_into_fiscal_year,
)
from members.models import Member, MemberNumberCounter
from members.services import payment_record
from members.tests.factories import FeeFactory, MemberFactory, MembershipTypeFactory

D = datetime.date
S = Member.Status


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (D(2026, 3, 31), 2025),
        (D(2026, 4, 1), 2026),
        (D(2026, 12, 31), 2026),
        (D(2027, 1, 1), 2026),
        (D(2027, 3, 31), 2026),
    ],
)
def test_the_fiscal_year_runs_from_april_to_march(day, year):
    assert fiscal_year_of(day) == year
    assert fiscal_year_start(year) <= day <= fiscal_year_end(year)


def test_fiscal_year_helpers():
    assert fiscal_year_start(2026) == D(2026, 4, 1)
    assert fiscal_year_end(2026) == D(2027, 3, 31)
    assert months_into_fiscal_year(D(2026, 4, 30)) == 0
    assert months_into_fiscal_year(D(2026, 7, 1)) == 3
    assert months_into_fiscal_year(D(2027, 3, 31)) == 11
    assert fiscal_year_label(2026) in {"2026年度", "FY2026"}


def status(member, today):
    return Member.objects.with_status(today).get(pk=member.pk).status


def statuses_filtered(member, today):
    """The statuses under which the list's SQL filter finds the member."""
    return [s for s in S if Member.objects.with_status_in([s], today).filter(pk=member.pk)]


@pytest.fixture
def member(db, general):
    return MemberFactory(membership_type=general, joined_on=D(2020, 5, 1))


@pytest.mark.parametrize(
    ("paid_on", "today", "expected"),
    [
        # Paid on 31 March: that settles FY2025, not FY2026.
        (D(2026, 3, 31), D(2026, 3, 31), S.ACTIVE),
        (D(2026, 3, 31), D(2026, 4, 1), S.GRACE),
        # Paid on 1 April: FY2026 is settled from that day.
        (D(2026, 4, 1), D(2026, 4, 1), S.ACTIVE),
        (D(2026, 4, 1), D(2027, 3, 31), S.ACTIVE),
        (D(2026, 4, 1), D(2027, 4, 1), S.GRACE),
    ],
)
def test_a_payment_counts_for_the_fiscal_year_of_its_date(
    member, coordinator, paid_on, today, expected
):
    payment_record(
        member=member,
        fiscal_year=fiscal_year_of(paid_on),
        paid_on=paid_on,
        amount=3000,
        method="cash",
        by=coordinator,
    )
    assert status(member, today) == expected
    assert statuses_filtered(member, today) == [expected]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 4, 1), S.GRACE),
        (D(2026, 6, 30), S.GRACE),  # the last day of three months' grace
        (D(2026, 7, 1), S.LAPSED),
        (D(2027, 3, 31), S.LAPSED),
    ],
)
def test_an_unpaid_member_is_in_grace_then_lapses(member, today, expected):
    FeeFactory(member=member, fiscal_year=2026)
    assert status(member, today) == expected
    assert statuses_filtered(member, today) == [expected]


def test_no_grace_period_lapses_on_1_april(db):
    member = MemberFactory(membership_type__grace_months=0, joined_on=D(2020, 4, 1))
    assert status(member, D(2026, 4, 1)) == S.LAPSED


def test_a_partial_payment_does_not_settle_the_fee_but_a_waiver_does(member, coordinator):
    fee = FeeFactory(member=member, fiscal_year=2026)
    payment_record(
        member=member,
        fiscal_year=2026,
        paid_on=D(2026, 4, 10),
        amount=1000,
        method="cash",
        by=coordinator,
    )
    assert status(member, D(2026, 8, 1)) == S.LAPSED
    fee.refresh_from_db()
    fee.waive(reason="災害による免除")
    assert status(member, D(2026, 8, 1)) == S.ACTIVE


def test_new_members_are_new_for_the_fiscal_year_they_join(db, general):
    member = MemberFactory(membership_type=general, joined_on=D(2027, 2, 1))
    assert status(member, D(2027, 3, 31)) == S.NEW
    assert status(member, D(2027, 4, 1)) == S.GRACE


def test_types_that_never_lapse_stay_active_unpaid(db, lifetime):
    member = MemberFactory(membership_type=lifetime, joined_on=D(2015, 4, 1))
    assert status(member, D(2026, 11, 1)) == S.ACTIVE


@pytest.mark.parametrize(
    ("today", "expected"), [(D(2026, 9, 29), S.ACTIVE), (D(2026, 9, 30), S.LEFT)]
)
def test_a_member_who_left_is_left_from_the_day_of_leaving(member, today, expected):
    FeeFactory(member=member, fiscal_year=2026, paid=3000)
    member.leave(on=D(2026, 9, 30), reason=Member.LeaveReason.REQUEST)
    assert status(member, today) == expected


def test_current_members_are_new_active_or_in_grace(db, general):
    today = D(2026, 5, 1)
    new = MemberFactory(membership_type=general, joined_on=D(2026, 4, 20))
    grace = MemberFactory(membership_type=general)
    lapsed = MemberFactory(membership_type=MembershipTypeFactory(grace_months=0))
    left = MemberFactory(membership_type=general, left_on=D(2026, 4, 2), leave_reason="moved")
    assert set(Member.objects.current(today)) == {new, grace}
    assert {lapsed, left}.isdisjoint(Member.objects.current(today))


TODAYS = [D(2026, 4, 1), D(2026, 6, 15), D(2026, 8, 1), D(2027, 3, 31)]


def every_kind_of_member(today, kinds):
    """A member for each type, joining date, leaving date and state of this year's fee."""
    for kind in kinds:
        for joined in [D(2020, 5, 1), D(2026, 4, 1), D(2026, 7, 1)]:
            for left in [None, D(2026, 5, 1), D(2030, 1, 1)]:
                for fee in [None, "unpaid", "paid", "waived"]:
                    if left and left <= joined:
                        continue
                    member = MemberFactory(
                        membership_type=kind,
                        joined_on=joined,
                        left_on=left,
                        leave_reason="moved" if left else "",
                    )
                    if fee:
                        FeeFactory(
                            member=member,
                            fiscal_year=fiscal_year_of(today),
                            paid=member.membership_type.annual_fee if fee == "paid" else 0,
                            waived=fee == "waived",
                        )


@pytest.mark.parametrize("today", TODAYS)
def test_current_is_the_union_of_new_active_and_grace(db, general, lifetime, today):
    """Member.objects.current() is written as one condition: it finds exactly the members
    whose status is one of Member.CURRENT, whatever the dates, type and fee."""
    every_kind_of_member(today, [general, lifetime, MembershipTypeFactory(grace_months=0)])
    by_status = Member.objects.with_status_in(Member.CURRENT, today)
    assert set(Member.objects.current(today)) == set(by_status)
    assert 0 < by_status.count() < Member.objects.count()


@pytest.mark.parametrize("today", TODAYS)
def test_the_status_shown_is_the_one_the_filters_find(db, general, lifetime, today):
    """with_status() (one CASE, its branches in order) gives each member the status whose
    condition in status_conditions() holds, whatever the dates, type and fee."""
    every_kind_of_member(today, [general, lifetime, MembershipTypeFactory(grace_months=0)])
    shown = dict(Member.objects.with_status(today).values_list("pk", "status"))
    found = {}
    for status in Member.Status:
        for pk in Member.objects.with_status_in([status], today).values_list("pk", flat=True):
            found.setdefault(pk, []).append(status)
    assert found == {pk: [status] for pk, status in shown.items()}
    assert len(set(shown.values())) >= 4


def test_is_current_asks_the_database_once_when_not_annotated(member, django_assert_num_queries):
    member = Member.objects.get(pk=member.pk)
    with django_assert_num_queries(1):
        assert member.is_current in (True, False)
        assert member.get_status_display()


def test_arrears_are_unsettled_fees_of_this_and_past_years(member):
    FeeFactory(member=member, fiscal_year=2024, paid=3000)
    FeeFactory(member=member, fiscal_year=2025, waived=True)
    assert not Member.objects.in_arrears(D(2026, 5, 1)).exists()
    FeeFactory(member=member, fiscal_year=2026, paid=1000)
    assert list(Member.objects.in_arrears(D(2026, 5, 1))) == [member]
    assert not Member.objects.without_arrears(D(2026, 5, 1)).exists()
    # Next year's dues are not arrears yet.
    assert not Member.objects.in_arrears(D(2026, 3, 1)).exists()


def test_member_numbers_carry_the_centre_code_and_count_per_centre(center, other_center):
    first = MemberFactory(center=center)
    second = MemberFactory(center=center)
    elsewhere = MemberFactory(center=other_center)
    assert (first.number, second.number) == ("KNZ-00001", "KNZ-00002")
    assert elsewhere.number == "KMT-00001"
    assert first.get_absolute_url() == "/members/KNZ-00001/"


def test_the_counter_never_gives_a_number_below_an_imported_one(center):
    MemberNumberCounter.raise_to(center, 500)
    MemberNumberCounter.raise_to(center, 20)
    assert MemberNumberCounter.take(center) == 501


def test_the_address_is_filled_from_the_postal_code(db, general, center):
    member = Member(
        center=center, membership_type=general, name="山田 花子", postcode="〒９２０－０８５３"
    )
    member.full_clean(exclude=["number", "sequence"])
    assert member.postcode == "920-0853"
    assert member.address == "石川県金沢市本町"
    assert member.municipality.code == "17201"


def test_organisations_have_no_birth_date(db, center):
    organisation = MembershipTypeFactory(holder="organisation")
    member = Member(
        center=center, membership_type=organisation, name="株式会社北陸", birth_date=D(1990, 1, 1)
    )
    with pytest.raises(Exception, match="birth"):
        member.full_clean(exclude=["number", "sequence"])


def test_leaving_needs_a_reason_and_a_date_after_joining(member):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        member.leave(on=D(2019, 1, 1), reason="")
    assert {"leave_reason", "left_on"} <= set(error.value.message_dict)

"""Business days as Japanese offices keep them: the follow-up dates of referrals count them."""

import datetime

import pytest

from network.calendar_jp import add_business_days, closure_reason, is_business_day


def d(month, day, year=2026):
    return datetime.date(year, month, day)


def test_five_business_days_after_a_friday_skip_the_weekend_and_labour_thanksgiving():
    # Fri 20 Nov 2026; Mon 23 Nov is 勤労感謝の日.
    assert add_business_days(d(11, 20), 5) == d(11, 30)
    assert not is_business_day(d(11, 23))
    assert closure_reason(d(11, 23)) == "勤労感謝の日"


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        # Golden Week 2026: 29 Apr 昭和の日 (Wed); 3 May (Sun) to 5 May, 6 May 振替休日.
        (d(4, 28), 1, d(4, 30)),
        (d(4, 28), 2, d(5, 1)),
        (d(4, 30), 2, d(5, 7)),
        (d(5, 1), 1, d(5, 7)),
        (d(4, 24), 5, d(5, 7)),
        # The year-end break, 29 Dec to 3 Jan, runs into a Sunday in 2027.
        (d(12, 25), 1, d(12, 28)),
        (d(12, 28), 1, d(1, 4, 2027)),
        (d(12, 25), 5, d(1, 7, 2027)),
        (d(12, 30), 1, d(1, 4, 2027)),
        # Silver Week 2026: 敬老の日, a 国民の休日 sandwiched in, 秋分の日.
        (d(9, 18), 1, d(9, 24)),
        # 成人の日 2027 is Monday 11 Jan.
        (d(1, 8, 2027), 1, d(1, 12, 2027)),
    ],
)
def test_holidays_and_the_year_end_are_skipped(start, count, expected):
    assert add_business_days(start, count) == expected


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (d(11, 21), 1, d(11, 24)),  # Saturday, and Monday is a holiday
        (d(11, 28), 5, d(12, 4)),  # Saturday: Monday to Friday
        (d(11, 29), 1, d(11, 30)),  # Sunday
        (d(1, 1, 2027), 1, d(1, 4, 2027)),  # a holiday in the break
    ],
)
def test_a_start_on_a_closed_day_counts_from_the_next_open_one(start, count, expected):
    assert add_business_days(start, count) == expected


def test_no_days_is_the_start_itself():
    assert add_business_days(d(11, 21), 0) == d(11, 21)


def test_the_result_is_always_a_business_day_and_skips_exactly_count_of_them():
    start = d(12, 1)
    for count in range(1, 60):
        end = add_business_days(start, count)
        assert is_business_day(end)
        span = [start + datetime.timedelta(days=n) for n in range(1, (end - start).days + 1)]
        assert sum(is_business_day(day) for day in span) == count


@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (d(4, 29), False),  # 昭和の日
        (d(5, 6), False),  # 振替休日
        (d(5, 2), False),  # Saturday
        (d(5, 7), True),
        (d(9, 22), False),  # 国民の休日
        (d(12, 28), True),
        (d(12, 29), False),
        (d(12, 31), False),
        (d(1, 2, 2027), False),
        (d(1, 3, 2027), False),
        (d(1, 4, 2027), True),
    ],
)
def test_is_business_day(day, open_):
    assert is_business_day(day) is open_


def test_the_year_end_days_are_named():
    assert closure_reason(d(12, 29)) != ""
    assert closure_reason(d(1, 3, 2027)) != ""
    assert closure_reason(d(1, 1, 2027)) == "元日"
    assert closure_reason(d(12, 28)) == ""
    assert closure_reason(d(1, 4, 2027)) == ""

"""Days on which Japanese offices are closed: public holidays and the year-end break.

Specialist days skip them, and later the follow-up dates of referrals count business
days with them.
"""

import datetime
from functools import lru_cache

import holidays
from django.utils.translation import gettext as _


@lru_cache(maxsize=32)
def _public_holidays(year: int):
    return holidays.Japan(years=year, language="ja")


def closure_reason(day: datetime.date) -> str:
    """The holiday's name (元日, 成人の日 …) or "年末年始" (29 Dec – 3 Jan); "" on other days."""
    name = _public_holidays(day.year).get(day)
    if name:
        return name
    if (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3):
        return _("Year-end holidays")
    return ""


def is_business_day(day: datetime.date) -> bool:
    """Monday to Friday, not a public holiday, not in the year-end break."""
    return day.weekday() < 5 and not closure_reason(day)


def add_business_days(day: datetime.date, count: int) -> datetime.date:
    """The `count`-th business day after `day` (5 after Friday 20 Nov 2026 is Monday
    30 Nov, as Monday 23 Nov is 勤労感謝の日)."""
    while count > 0:
        day += datetime.timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day

"""Fiscal years (年度), April to March, as the centre, its funders and the unions count them."""

import datetime

from django.utils.translation import gettext as _

# The first month of a fiscal year.
APRIL = 4


def fiscal_year_of(day: datetime.date) -> int:
    """The fiscal year a date falls in: 2026-03-31 is in 2025, 2026-04-01 in 2026."""
    return day.year if day.month >= APRIL else day.year - 1


def fiscal_year_start(year: int) -> datetime.date:
    return datetime.date(year, APRIL, 1)


def fiscal_year_end(year: int) -> datetime.date:
    return datetime.date(year + 1, APRIL, 1) - datetime.timedelta(days=1)


def months_into_fiscal_year(day: datetime.date) -> int:
    """Whole months since the fiscal year began: 0 in April, 11 in March."""
    return (day.month - APRIL) % 12


def fiscal_year_label(year: int) -> str:
    """2026年度 (in English: FY2026)."""
    return _("FY%(year)d") % {"year": year}

import datetime
import zoneinfo

import pytest
from django.utils import translation

from reports.periods import Period, era_year

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("period", "title"),
    [
        (Period(Period.FISCAL_YEAR, 2026), "令和8年度(2026年度)"),
        # April 2019 was still Heisei, but the fiscal year is named 令和元年度.
        (Period(Period.FISCAL_YEAR, 2019), "令和元年度(2019年度)"),
        (Period(Period.FISCAL_YEAR, 2018), "平成30年度(2018年度)"),
        (Period(Period.YEAR, 2026), "令和8年(2026年)"),
        (Period(Period.YEAR, 1989), "平成元年(1989年)"),
        (Period(Period.MONTH, 2019, 4), "平成31年(2019年)4月"),
        (Period(Period.MONTH, 2019, 5), "令和元年(2019年)5月"),
    ],
)
def test_titles_give_the_era_first_and_the_western_year_in_brackets(period, title):
    with translation.override("ja"):
        assert str(period) == title


def test_english_titles():
    with translation.override("en"):
        assert str(Period(Period.FISCAL_YEAR, 2026)) == "Reiwa 8 fiscal year (FY2026)"
        assert era_year(datetime.date(2019, 5, 1)) == "Reiwa 1st year"


def test_a_fiscal_year_runs_from_april_to_march_in_tokyo_time():
    start, end = Period(Period.FISCAL_YEAR, 2025).datetimes()
    assert start == datetime.datetime(2025, 4, 1, tzinfo=TOKYO)
    assert end == datetime.datetime(2026, 4, 1, tzinfo=TOKYO)
    assert Period(Period.FISCAL_YEAR, 2025).last_day == datetime.date(2026, 3, 31)
    assert len(Period(Period.FISCAL_YEAR, 2025).months()) == 12
    assert Period(Period.FISCAL_YEAR, 2025).months()[-1] == datetime.date(2026, 3, 1)


def test_month_and_calendar_year_bounds():
    assert Period(Period.MONTH, 2028, 2).last_day == datetime.date(2028, 2, 29)
    start, end = Period(Period.MONTH, 2026, 12).datetimes()
    assert (start.date(), end.date()) == (datetime.date(2026, 12, 1), datetime.date(2027, 1, 1))
    assert Period(Period.YEAR, 2026).months()[0] == datetime.date(2026, 1, 1)
    assert [p.slug for p in (Period("fiscal_year", 2026), Period("year", 2026))] == [
        "fy2026",
        "2026",
    ]
    assert Period(Period.MONTH, 2026, 4).slug == "2026-04"

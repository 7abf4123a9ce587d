"""The periods statistics are counted over: a month, a calendar year (連合 counts
January to December) or a fiscal year (年度, April to March, as MHLW and funders do).

Titles show the Japanese era first with the Western year in brackets, as official
documents now do: 令和8年度(2026年度).
"""

import calendar
import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.fiscal import fiscal_year_end, fiscal_year_of, fiscal_year_start

# (first day, name) of each era, newest first.
ERAS = [
    (datetime.date(2019, 5, 1), gettext_lazy("Reiwa")),
    (datetime.date(1989, 1, 8), gettext_lazy("Heisei")),
    (datetime.date(1926, 12, 25), gettext_lazy("Showa")),
]


def era_year(day: datetime.date) -> str:
    """令和8年 for 2026-01-01; the first year of an era is 元年 (令和元年)."""
    for first_day, name in ERAS:
        if day >= first_day:
            number = day.year - first_day.year + 1
            if number == 1:
                return _("%(era)s 1st year") % {"era": name}
            return _("%(era)s %(year)d") % {"era": name, "year": number}
    return str(day.year)


@dataclass(frozen=True)
class Period:
    MONTH = "month"
    YEAR = "year"
    FISCAL_YEAR = "fiscal_year"
    KINDS = [
        (FISCAL_YEAR, gettext_lazy("Fiscal year (April–March)")),
        (YEAR, gettext_lazy("Calendar year")),
        (MONTH, gettext_lazy("Month")),
    ]

    kind: str
    year: int
    month: int = 1

    @classmethod
    def current_fiscal_year(cls, today=None):
        return cls(cls.FISCAL_YEAR, fiscal_year_of(today or timezone.localdate()))

    @property
    def first_day(self) -> datetime.date:
        if self.kind == self.FISCAL_YEAR:
            return fiscal_year_start(self.year)
        return datetime.date(self.year, self.month if self.kind == self.MONTH else 1, 1)

    @property
    def last_day(self) -> datetime.date:
        if self.kind == self.FISCAL_YEAR:
            return fiscal_year_end(self.year)
        if self.kind == self.YEAR:
            return datetime.date(self.year, 12, 31)
        return datetime.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def datetimes(self):
        """[start, end) as aware datetimes in the centre's time zone, for indexed filters."""
        start = datetime.datetime.combine(self.first_day, datetime.time())
        end = datetime.datetime.combine(self.last_day + datetime.timedelta(days=1), datetime.time())
        zone = timezone.get_current_timezone()
        return timezone.make_aware(start, zone), timezone.make_aware(end, zone)

    def months(self):
        """The first day of every month in the period, in order."""
        day, months = self.first_day, []
        while day <= self.last_day:
            months.append(day)
            day = (day + datetime.timedelta(days=32)).replace(day=1)
        return months

    def __str__(self):
        """令和8年度(2026年度), 令和8年(2026年) or 令和8年(2026年)4月."""
        if self.kind == self.FISCAL_YEAR:
            # A fiscal year takes the era name of its calendar year: April 2019 was still
            # Heisei, but FY2019 is 令和元年度.
            era = era_year(datetime.date(self.year, 12, 31))
            return _("%(era)s fiscal year (FY%(year)d)") % {"era": era, "year": self.year}
        era = era_year(self.last_day)
        if self.kind == self.YEAR:
            return _("%(era)s (%(year)d)") % {"era": era, "year": self.year}
        return _("%(era)s (%(year)d) month %(month)d") % {
            "era": era,
            "year": self.year,
            "month": self.month,
        }

    @property
    def slug(self):
        """For file names: fy2026, 2026, 2026-04."""
        if self.kind == self.FISCAL_YEAR:
            return f"fy{self.year}"
        if self.kind == self.YEAR:
            return str(self.year)
        return f"{self.year}-{self.month:02d}"

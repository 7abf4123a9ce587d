"""Turning HSDS values into ours: dates, times, phone numbers, areas, topics.

Each reader raises ValueError with a message for staff when the value cannot be used.
"""

import datetime
import re
import unicodedata
import uuid
import zoneinfo
from collections import defaultdict

from django.utils.translation import gettext as _

from ..models import Municipality, Topic
from .ids import TAXONOMY_ID, TAXONOMY_NAME, term_id

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
ALL_AREAS = "全域"

_TIME = re.compile(
    r"^(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?"
    r"(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ].*)?$")
_OUR_CODE = re.compile(r"^[A-Z]\d(?:-\d{2})?$")


def read_date(value) -> datetime.date:
    """A date from "2025-04-01" (a date-time's date part is taken too)."""
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        return datetime.date.fromisoformat(value[:10])
    except (TypeError, ValueError):
        raise ValueError(_("Enter a date as YYYY-MM-DD, e.g. 2025-04-01.")) from None


def _offset(zone):
    if zone.upper() == "Z":
        return datetime.UTC
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:] or 0)
    return datetime.timezone(sign * datetime.timedelta(minutes=minutes))


def read_time(value, hours_offset=None) -> datetime.time:
    """A Japan time from "13:00", "13:00:00", "13:00+09:00" or "04:00Z".

    A time without an offset is Japan time unless the schedule's `timezone` (hours from
    UTC) says otherwise.
    """
    match = _TIME.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(_("Enter a time as HH:MM, e.g. 13:00 or 13:00+09:00."))
    try:
        local = datetime.time(int(match["hour"]), int(match["minute"]), int(match["second"] or 0))
    except ValueError:
        raise ValueError(_("Enter a time as HH:MM, e.g. 13:00 or 13:00+09:00.")) from None
    try:
        if match["zone"]:
            zone = _offset(match["zone"])
        elif hours_offset is not None:
            zone = datetime.timezone(datetime.timedelta(hours=hours_offset))
        else:
            return local
    except ValueError:  # an offset of a day or more
        raise ValueError(_("Enter the time zone as hours from UTC, e.g. 9 or +09:00.")) from None
    moment = datetime.datetime.combine(datetime.date(2025, 1, 6), local, tzinfo=zone)
    return moment.astimezone(TOKYO).time()


def read_phone(value) -> str:
    """The number as dialled in Japan: "+81 76-123-4567" becomes "076-123-4567".

    The model's PhoneField checks and normalises the rest."""
    number = unicodedata.normalize("NFKC", value or "").strip()
    if number.startswith("+81"):
        number = "0" + number[3:].lstrip(" -()")
    return number


def read_interval(value) -> int:
    if isinstance(value, bool) or not float(value).is_integer() or value < 1:
        raise ValueError(_("Enter a whole number of 1 or more."))
    return int(value)


class Areas:
    """Municipalities by code, by 都道府県+市区町村 name and by a name unique nationwide.

    Loads all of them at once (one query, about 1,900 rows).
    """

    def __init__(self):
        self.by_code = {}
        self.by_full_name = {}
        self.by_name = defaultdict(list)
        for municipality in Municipality.objects.select_related("prefecture"):
            self.by_code[municipality.code] = municipality
            self.by_full_name[municipality.full_name] = municipality
            self.by_name[municipality.name].append(municipality)

    def by_local_code(self, code):
        try:
            return self.by_code[code]
        except KeyError:
            raise ValueError(
                _("Unknown local government code “%(code)s”.") % {"code": code}
            ) from None

    def named(self, name):
        """The municipality called `name` ("石川県白山市" or "白山市")."""
        key = "".join(unicodedata.normalize("NFKC", name).split())
        if key in self.by_full_name:
            return self.by_full_name[key]
        found = self.by_name.get(key, [])
        if len(found) == 1:
            return found[0]
        if found:
            raise ValueError(
                _(
                    "More than one municipality is called “%(name)s”: write its prefecture "
                    "too, e.g. 東京都府中市."
                )
                % {"name": name}
            )
        raise ValueError(
            _(
                "No municipality is called “%(name)s”. Write it as in 石川県白山市 or give "
                "its jp_municipality_code."
            )
            % {"name": name}
        )

    def in_address(self, state_province, city):
        """The municipality of an address, or None when its city cannot be told."""
        try:
            return self.named(f"{state_province or ''}{city}") if city else None
        except ValueError:
            return None


def is_all_areas(name) -> bool:
    return "".join(unicodedata.normalize("NFKC", name or "").split()) == ALL_AREAS


class Terms:
    """Topics by code and by our term id; tells our taxonomy's terms from others'."""

    def __init__(self):
        topics = list(Topic.objects.all())
        self.by_code = {topic.code: topic for topic in topics}
        self.by_term_id = {term_id(topic.code): topic for topic in topics}

    @staticmethod
    def taxonomy_of(term):
        """(is ours, taxonomy name) for a nested taxonomy_term.

        Ours by taxonomy id or name; a term naming no taxonomy is ours when its code is
        shaped like ours (W1-01)."""
        detail = term.get("taxonomy_detail") or {}
        ids = {term.get("taxonomy_id"), detail.get("id")} - {None}
        names = {term.get("taxonomy"), detail.get("name")} - {None, ""}
        if not (ids or names):
            return looks_like_our_code(term.get("code")), "?"
        ours = str(TAXONOMY_ID) in ids or TAXONOMY_NAME in names
        return ours, detail.get("name") or term.get("taxonomy") or next(iter(ids), "?")

    def topic_for(self, attribute):
        """(topic, None) for a term of ours, (None, taxonomy name) for another's term.

        Raises ValueError for a term of our taxonomy with a code we do not know."""
        term = attribute.get("taxonomy_term") or {}
        if not term:
            topic = self.by_term_id.get(attribute.get("taxonomy_term_id"))
            return (topic, None) if topic else (None, "?")
        ours, name = self.taxonomy_of(term)
        if not ours:
            return None, name
        code = term.get("code") or ""
        topic = self.by_code.get(code) or (None if code else self.by_term_id.get(term.get("id")))
        if topic is None:
            raise ValueError(
                _("Unknown topic code “%(code)s” in our taxonomy.")
                % {"code": code or term.get("id")}
            )
        return topic, None


def is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def looks_like_our_code(code) -> bool:
    return bool(_OUR_CODE.match(code or ""))

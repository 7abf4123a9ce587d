"""Reading an existing member register from CSV, for a dry run and then the real import.

Japanese offices keep their registers in Excel and save CSV as Shift_JIS (cp932), or as
UTF-8 with a BOM: both are read. Every row is checked as the member form checks it, and
every problem is reported with its line and column; the import itself
(`services.members_import`) writes all rows or none.
"""

import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Member, MembershipType, member_number

MAX_UPLOAD_BYTES = 5 * 1024 * 1024

# (field, the header our export writes, other headers registers use)
COLUMNS = [
    ("number", "会員番号", ["番号", "number"]),
    ("membership_type", "会員種別", ["種別", "membership_type"]),
    ("name", "氏名・団体名", ["氏名", "団体名", "名前", "name"]),
    ("name_kana", "フリガナ", ["ふりがな", "カナ", "name_kana"]),
    ("birth_date", "生年月日", ["birth_date"]),
    ("contact_person", "担当者", ["contact_person"]),
    ("postcode", "郵便番号", ["〒", "postcode"]),
    ("address", "住所", ["address"]),
    ("phone", "電話番号", ["電話", "phone"]),
    ("email", "メールアドレス", ["メール", "email"]),
    ("union", "構成組織・単組", ["単組", "構成組織", "所属組合", "union"]),
    ("is_retired", "退職者", ["is_retired"]),
    ("joined_on", "入会日", ["joined_on"]),
    ("left_on", "退会日", ["left_on"]),
    ("leave_reason", "退会理由", ["leave_reason"]),
    ("notes", "備考", ["notes"]),
]
COLUMN_HEADERS = {key: header for key, header, _others in COLUMNS}
HEADERS = {
    unicodedata.normalize("NFKC", name).casefold(): key
    for key, header, others in COLUMNS
    for name in [header, *others]
}
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
YES = {"1", "はい", "○", "〇", "yes", "true", "y", "退職", "退職者"}
NO = {"", "0", "いいえ", "×", "no", "false", "n"}


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, size, no header)."""


def decode(data: bytes) -> str:
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(_("The file is larger than 5 MB. Split it and import each part."))
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("Save the file as CSV in UTF-8 or Shift_JIS and try again."))


class JapaneseDateField(forms.DateField):
    input_formats = DATE_FORMATS


class MemberImportRow(forms.ModelForm):
    """One CSV row, checked like the member form: same fields, normalisation and rules."""

    membership_type = forms.CharField(label=gettext_lazy("membership type"))
    is_retired = forms.CharField(label=gettext_lazy("retired"), required=False)
    leave_reason = forms.CharField(label=gettext_lazy("reason for leaving"), required=False)
    birth_date = JapaneseDateField(label=gettext_lazy("date of birth"), required=False)
    joined_on = JapaneseDateField(label=gettext_lazy("joined on"))
    left_on = JapaneseDateField(label=gettext_lazy("left on"), required=False)

    class Meta:
        model = Member
        fields = [
            "membership_type",
            "name",
            "name_kana",
            "birth_date",
            "contact_person",
            "postcode",
            "address",
            "phone",
            "email",
            "union",
            "is_retired",
            "joined_on",
            "left_on",
            "leave_reason",
            "notes",
        ]

    def __init__(self, *args, types, **kwargs):
        self.types = types
        super().__init__(*args, **kwargs)

    def clean_membership_type(self):
        value = unicodedata.normalize("NFKC", self.cleaned_data["membership_type"]).strip()
        membership_type = self.types.get(value.casefold())
        if membership_type is None:
            raise forms.ValidationError(
                _("Unknown membership type “%(value)s”.") % {"value": value}, code="unknown_type"
            )
        return membership_type

    def clean_is_retired(self):
        value = unicodedata.normalize("NFKC", self.cleaned_data["is_retired"]).strip().casefold()
        if value in YES:
            return True
        if value in NO:
            return False
        raise forms.ValidationError(_("Write はい or いいえ."), code="invalid_flag")

    def clean_leave_reason(self):
        value = self.cleaned_data["leave_reason"].strip()
        if not value:
            return ""
        for reason in Member.LeaveReason:
            if value in (reason.value, str(reason.label)):
                return reason.value
        # Registers write free text: keep it as a note under "other".
        self.cleaned_data["leave_note"] = value[:200]
        return Member.LeaveReason.OTHER


@dataclass
class RowError:
    line: int
    column: str
    message: str


@dataclass
class ImportCheck:
    """The dry run's result: rows ready to import (as JSON-able dicts) and every error."""

    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    ignored_columns: list = field(default_factory=list)
    total: int = 0


def check_file(data: bytes, center) -> ImportCheck:
    """Read and check every row; nothing is written. Raises ImportFileError."""
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise ImportFileError(_("The file is empty.")) from error
    keys = [HEADERS.get(unicodedata.normalize("NFKC", name).strip().casefold()) for name in header]
    missing = {"membership_type", "name", "joined_on"} - set(keys)
    if missing:
        labels = [h for key, h, _others in COLUMNS if key in missing]
        raise ImportFileError(
            _("The header row lacks the columns: %(columns)s") % {"columns": "、".join(labels)}
        )
    result = ImportCheck(
        ignored_columns=[h for h, key in zip(header, keys, strict=True) if not key]
    )
    types = _types_by_name()
    existing = set(Member.objects.filter(center=center).values_list("sequence", flat=True))
    seen = {}
    try:
        for values in reader:
            line = reader.line_num
            if not any(value.strip() for value in values):
                continue
            result.total += 1
            row = {key: value.strip() for key, value in zip(keys, values, strict=False) if key}
            checked = _check_row(row, line, center, types, existing, seen, result.errors)
            if checked is not None:
                result.rows.append(checked)
    except csv.Error as error:
        result.errors.append(RowError(reader.line_num, "", _("The CSV is malformed: %s") % error))
    if result.total == 0:
        raise ImportFileError(_("The file has a header but no members."))
    return result


def _types_by_name():
    types = {}
    for membership_type in MembershipType.objects.active():
        types[membership_type.name.casefold()] = membership_type
        types[membership_type.code.casefold()] = membership_type
    return types


def _check_row(row, line, center, types, existing, seen, errors):
    number = row.pop("number", "")
    form = MemberImportRow(row, types=types)
    ok = form.is_valid()
    for name, messages in form.errors.items():
        column = COLUMN_HEADERS.get(name, "")
        errors.extend(RowError(line, column, message) for message in messages)
    sequence, problem = _parse_number(number, center)
    if problem:
        errors.append(RowError(line, COLUMN_HEADERS["number"], problem))
        ok = False
    elif sequence in existing:
        errors.append(
            RowError(
                line,
                COLUMN_HEADERS["number"],
                _("Member number %(number)s is already in use.")
                % {"number": member_number(center.code, sequence)},
            )
        )
        ok = False
    elif sequence and sequence in seen:
        errors.append(
            RowError(
                line,
                COLUMN_HEADERS["number"],
                _("Member number %(number)s is also on line %(line)d.")
                % {"number": member_number(center.code, sequence), "line": seen[sequence]},
            )
        )
        ok = False
    if sequence:
        seen.setdefault(sequence, line)
    if not ok:
        return None
    member = form.instance
    return {
        "line": line,
        "sequence": sequence,
        "membership_type": member.membership_type_id,
        "municipality": member.municipality_id,
        "leave_note": form.cleaned_data.get("leave_note", ""),
        **{
            name: value.isoformat() if isinstance(value, datetime.date) else value
            for name in MemberImportRow.Meta.fields
            if name not in ("membership_type",)
            for value in [getattr(member, name)]
        },
    }


def _parse_number(text, center):
    """(sequence or None, error or None) from "KNZ-00042", "00042" or "42"."""
    text = unicodedata.normalize("NFKC", text or "").strip().upper()
    if not text:
        return None, None
    match = re.fullmatch(r"(?:([A-Z][A-Z0-9]{1,9})-)?0*(\d{1,9})", text)
    if not match or int(match[2]) == 0:
        return None, _("Write the member number as %(example)s or as digits only.") % {
            "example": member_number(center.code, 42)
        }
    if match[1] and match[1] != center.code:
        return None, _("The number %(number)s belongs to another centre.") % {"number": text}
    return int(match[2]), None


def build_member(center, row):
    """An unsaved Member from a checked row (`ImportCheck.rows`)."""
    values = {
        name: value
        for name, value in row.items()
        if name not in ("line", "sequence", "membership_type", "municipality")
    }
    for name in ("birth_date", "joined_on", "left_on"):
        if values[name]:
            values[name] = datetime.date.fromisoformat(values[name])
    return Member(
        center=center,
        sequence=row["sequence"],
        membership_type_id=row["membership_type"],
        municipality_id=row["municipality"],
        **values,
    )

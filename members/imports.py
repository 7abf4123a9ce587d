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
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from network.models import Municipality

from .fiscal import fiscal_year_of
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
    # A fee with what was paid of it, for registers that note this year's payment.
    ("fee_year", "会費年度", ["年度", "fee_year"]),
    ("fee_amount", "会費", ["会費額", "fee_amount"]),
    ("paid_amount", "納入額", ["入金額", "paid_amount"]),
    ("paid_on", "納入日", ["入金日", "paid_on"]),
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


NEGATIVE = {"min_value": gettext_lazy("The amount cannot be negative.")}


def _number(value):
    """Amounts as Excel writes them: 3,000 or ３０００ or 3000円."""
    text = unicodedata.normalize("NFKC", value or "").replace(",", "").strip()
    return text.removesuffix("円").removeprefix("¥").strip()


# Member fields that an import row fills in as the member form does.
MODEL_FIELDS = [
    "name",
    "name_kana",
    "contact_person",
    "postcode",
    "address",
    "phone",
    "email",
    "union",
    "notes",
]


class MemberImportRow(forms.Form):
    """One CSV row, checked like the member form: the model's form fields (normalising
    kana, postcodes and phones) and its rules (`Member.check_rules`), without a query
    per row."""

    membership_type = forms.CharField(label=gettext_lazy("membership type"))
    is_retired = forms.CharField(label=gettext_lazy("retired"), required=False)
    leave_reason = forms.CharField(label=gettext_lazy("reason for leaving"), required=False)
    birth_date = JapaneseDateField(label=gettext_lazy("date of birth"), required=False)
    joined_on = JapaneseDateField(label=gettext_lazy("joined on"))
    left_on = JapaneseDateField(label=gettext_lazy("left on"), required=False)
    fee_year = forms.IntegerField(
        label=gettext_lazy("Fiscal year"), required=False, min_value=2000, max_value=2100
    )
    fee_amount = forms.IntegerField(
        label=gettext_lazy("annual fee"), required=False, min_value=0, error_messages=NEGATIVE
    )
    paid_amount = forms.IntegerField(
        label=gettext_lazy("Amount paid"), required=False, min_value=0, error_messages=NEGATIVE
    )
    paid_on = JapaneseDateField(label=gettext_lazy("paid on"), required=False)

    def __init__(self, data, *, types, municipality_ids, **kwargs):
        self.types = types
        self.municipality_ids = municipality_ids
        self.member = None
        for name in ("fee_amount", "paid_amount"):
            if name in data:
                data[name] = _number(data[name])
        super().__init__(data, **kwargs)

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

    def clean(self):
        data = super().clean()
        membership_type = data.get("membership_type")
        due = data.get("fee_amount")
        if due is None and isinstance(membership_type, MembershipType):
            due = membership_type.annual_fee
        paid = data.get("paid_amount")
        if paid and due is not None and paid > due:
            self.add_error(
                "paid_amount",
                _("The amount paid is more than the fee (¥%(fee)s).") % {"fee": f"{due:,}"},
            )
        data["fee_due"] = due
        if not self.errors:
            self.member = self._member(data)
        return data

    def _member(self, data):
        member = Member(
            **{name: data[name] for name in MODEL_FIELDS},
            membership_type=data["membership_type"],
            birth_date=data["birth_date"],
            is_retired=data["is_retired"],
            joined_on=data["joined_on"],
            left_on=data["left_on"],
            leave_reason=data["leave_reason"],
            leave_note=data.get("leave_note", ""),
        )
        member.fill_in_address(self.municipality_ids)
        try:
            member.check_rules()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
            return None
        return member


MemberImportRow.base_fields = {
    **forms.fields_for_model(Member, fields=MODEL_FIELDS),
    **MemberImportRow.base_fields,
}


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
    municipality_ids = dict(Municipality.objects.values_list("code", "pk"))
    existing = set(Member.objects.filter(center=center).values_list("sequence", flat=True))
    seen = {}
    try:
        for values in reader:
            line = reader.line_num
            if not any(value.strip() for value in values):
                continue
            result.total += 1
            row = {key: value.strip() for key, value in zip(keys, values, strict=False) if key}
            checked = _check_row(
                row, line, center, types, municipality_ids, existing, seen, result.errors
            )
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


def _check_row(row, line, center, types, municipality_ids, existing, seen, errors):
    number = row.pop("number", "")
    form = MemberImportRow(row, types=types, municipality_ids=municipality_ids)
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
    member = form.member
    return {
        "line": line,
        "sequence": sequence,
        "membership_type": member.membership_type_id,
        "municipality": member.municipality_id,
        "fee": _fee_values(form.cleaned_data),
        **{
            name: value.isoformat() if isinstance(value, datetime.date) else value
            for name in [*MODEL_FIELDS, *ROW_FIELDS]
            for value in [getattr(member, name)]
        },
    }


# Member fields besides MODEL_FIELDS that a checked row carries.
ROW_FIELDS = ["birth_date", "is_retired", "joined_on", "left_on", "leave_reason", "leave_note"]


def _fee_values(data):
    """The row's fee and payment, or None when the row has neither."""
    if (
        data.get("fee_year") is None
        and not data.get("paid_amount")
        and data.get("fee_amount") is None
    ):
        return None
    paid_on = data.get("paid_on") or timezone.localdate()
    return {
        "fiscal_year": data.get("fee_year") or fiscal_year_of(paid_on),
        "amount": data["fee_due"],
        "paid": data.get("paid_amount") or 0,
        "paid_on": paid_on.isoformat(),
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
        if name not in ("line", "sequence", "membership_type", "municipality", "fee")
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

"""The member register as CSV (UTF-8 with BOM, which Excel opens) and as Excel.

The headers are the import's (members.imports.COLUMNS), so an exported file can be
edited and read back: this fiscal year's fee and what was paid of it come back as a fee
with one payment; the status and the arrears columns are ignored on import.
"""

import csv
import io

from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from accounts.exports import defused

from .imports import COLUMN_HEADERS
from .models import Fee, Member

FIELDS = [
    "number",
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
# Column widths in Excel's units (about one half-width character).
WIDTHS = {
    "number": 12,
    "membership_type": 14,
    "name": 22,
    "name_kana": 24,
    "address": 40,
    "postcode": 10,
    "phone": 15,
    "email": 28,
    "union": 18,
    "notes": 40,
    "status": 14,
}


def headers():
    return [
        *(COLUMN_HEADERS[name] for name in FIELDS),
        COLUMN_HEADERS["fee_year"],
        COLUMN_HEADERS["fee_amount"],
        COLUMN_HEADERS["paid_amount"],
        "状態",
        "未納額（累計）",
    ]


def export_rows(members, year):
    """Rows of plain values for `members` (any Member queryset), in one query."""
    this_year = Fee.objects.filter(member=OuterRef("pk"), fiscal_year=year)
    outstanding = (
        Fee.objects.arrears()
        .filter(member=OuterRef("pk"), fiscal_year__lte=year)
        .values("member")
        .annotate(total=Sum(F("amount") - F("paid")))
        .values("total")
    )
    members = (
        members.with_status()
        .select_related("membership_type")
        .annotate(
            fee_amount=Subquery(this_year.values("amount")[:1]),
            fee_paid=Subquery(this_year.values("paid")[:1]),
            fee_outstanding=Coalesce(Subquery(outstanding), 0),
        )
    )
    statuses = dict(Member.Status.choices)
    reasons = dict(Member.LeaveReason.choices)
    for member in members.iterator(chunk_size=2000):
        yield [
            member.number,
            member.membership_type.name,
            member.name,
            member.name_kana,
            member.birth_date,
            member.contact_person,
            member.postcode,
            member.address,
            member.phone,
            member.email,
            member.union,
            "はい" if member.is_retired else "",
            member.joined_on,
            member.left_on,
            str(reasons.get(member.leave_reason, "")),
            member.notes,
            year if member.fee_amount is not None else None,
            member.fee_amount,
            member.fee_paid,
            str(statuses[member.status]),
            member.fee_outstanding,
        ]


def _text(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def csv_lines(members, year):
    """The CSV as lines of text, BOM first, for a streaming response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush():
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(headers())
    yield "\ufeff" + flush()
    for row in export_rows(members, year):
        # Cells that a spreadsheet would run as a formula are quoted with an apostrophe.
        writer.writerow([defused(_text(value)) for value in row])
        yield flush()


def excel_bytes(members, year):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("会員名簿")
    names = [*FIELDS, "fee_year", "fee", "paid", "status", "outstanding"]
    for index, name in enumerate(names, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(name, 12)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for text in headers():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in export_rows(members, year):
        sheet.append([_excel_value(value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _excel_value(value):
    if isinstance(value, str):
        return defused(value)
    return value

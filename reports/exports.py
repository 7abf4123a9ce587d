"""Statistics tables as files: an Excel workbook and CSV (UTF-8 with BOM, which Excel opens).

A file holds the cells the page shows the same person (Table.display_rows): numbers stay
numbers, so the file can be summed and checked against the page, and counts hidden from
viewers are the same text as on the page (「3未満」, 「秘匿」), never the number.
"""

import csv
import io
import re
import unicodedata
from urllib.parse import urlencode

from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from accounts.exports import FORMULA_STARTS, defused

from .forms import ALL_CENTRES
from .periods import Period
from .tables import PERCENT, YEN

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

# Shares are stored as percentages (12.5 for 12.5%), so the format adds the sign only.
NUMBER_FORMATS = {PERCENT: '0.0"%"', YEN: '"¥"#,##0'}
COUNT_FORMAT = "#,##0"

TITLE_FONT = Font(bold=True, size=12)
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
HEADER_BORDER = Border(bottom=Side(style="thin"))
RIGHT = Alignment(horizontal="right")
INDENTED = Alignment(indent=1)
WRAPPED = Alignment(wrap_text=True, vertical="top")

# A table's sheet: title, scope, then the header row, which stays in view when scrolling.
HEADER_ROW = 3
MAX_WIDTH = 60
SHEET_NAME_LENGTH = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\\/?*\[\]:]")


def text_width(text):
    """Columns `text` takes in Excel: Japanese (full-width) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in str(text))


def sheet_name(title, taken):
    """An Excel-safe sheet name for `title`, unique among `taken` (lower-cased names,
    updated): no \\ / ? * [ ] :, no apostrophe at either end, at most 31 characters."""
    base = SHEET_NAME_FORBIDDEN.sub(" ", str(title)).strip().strip("'")[:SHEET_NAME_LENGTH]
    base = base.strip() or "Sheet"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix
        number += 1
    taken.add(name.lower())
    return name


def export_query(scope):
    """The query string that the filter form reads back as `scope`, for download links
    (the template adds it to reports:export and reports:export-dashboard).

    Built from the scope, not copied from the request, so a page that settles the period
    itself (連合 counts calendar years) links to a file of the same period.
    """
    query = {"period": scope.period.kind, "year": scope.period.year}
    if scope.period.kind == Period.MONTH:
        query["month"] = scope.period.month
    query["center"] = scope.center.pk if scope.center else ALL_CENTRES
    if scope.category:
        query["category"] = scope.category.pk
    return urlencode(query)


def file_name(report, scope, fmt):
    """lifesupport-by-month-fy2026-KNZ.xlsx: ASCII only, so every browser keeps it."""
    parts = ["lifesupport", report, scope.period.slug, scope.center.code if scope.center else "all"]
    if scope.category:
        parts.append(scope.category.code)
    name = "-".join(re.sub(r"[^A-Za-z0-9_]+", "-", part).strip("-") for part in parts)
    return f"{name}.{fmt}"


def suppression_note():
    return _(
        "Counts under 3 are shown as “under 3”, and some other counts are withheld so that "
        "they cannot be worked out from the totals."
    )


# CSV


def csv_bytes(table, rows):
    """One table as CSV: a header row, then the rows as shown, numbers without separators."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [defused(str(table.label_header)), *(defused(_csv_header(c)) for c in table.columns)]
    )
    for row, cells in rows:
        writer.writerow([defused(str(row.label)), *(_csv_value(cell) for cell in cells)])
    return buffer.getvalue().encode("utf-8")


def _csv_header(column):
    # The unit goes in the header, as the cells carry the bare number.
    if column.kind == PERCENT:
        return _("%(label)s (%%)") % {"label": column.label}
    if column.kind == YEN:
        return _("%(label)s (yen)") % {"label": column.label}
    return str(column.label)


def _csv_value(cell):
    if cell.value is None:
        return defused(cell.text)
    if cell.kind == PERCENT:
        return f"{cell.value:.1f}"
    return str(cell.value)


# Excel


def workbook_bytes(shown, *, scope, made_by, made_at, suppressed):
    """The tables in `shown` ((table, display rows) pairs), one sheet each, after a sheet
    of the conditions they were counted under."""
    workbook = Workbook()
    taken = set()
    conditions = workbook.active
    conditions.title = sheet_name(_("Conditions"), taken)
    _write_conditions(conditions, scope, made_by, made_at, suppressed)
    for table, rows in shown:
        sheet = workbook.create_sheet(sheet_name(table.title, taken))
        _write_table(sheet, table, rows, scope, suppressed)
    if len(shown) == 1:
        # A single table's file opens on the table.
        workbook.active = 1
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _text(sheet, row, column, text, font=None):
    """A cell holding `text` as text: never a formula, whatever it starts with."""
    cell = sheet.cell(row=row, column=column)
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(text))
    # openpyxl takes a leading "=" for a formula; this cell is a string, and Excel's
    # quote prefix keeps it one when someone edits it.
    cell.data_type = "s"
    if cell.value[:1] in FORMULA_STARTS:
        cell.quotePrefix = True
    if font is not None:
        cell.font = font
    return cell


def _write_conditions(sheet, scope, made_by, made_at, suppressed):
    _text(sheet, 1, 1, _("Statistics"), TITLE_FONT)
    period = scope.period
    lines = [
        (
            _("Centre"),
            f"{scope.center} ({scope.center.code})" if scope.center else _("All centres"),
        ),
        (_("Period"), str(period)),
        (
            _("Days counted"),
            _("%(first)s to %(last)s")
            % {
                "first": formats.date_format(period.first_day, "DATE_FORMAT"),
                "last": formats.date_format(period.last_day, "DATE_FORMAT"),
            },
        ),
        (_("Field"), str(scope.category) if scope.category else _("All fields")),
        (_("Made at"), formats.date_format(made_at, "DATETIME_FORMAT")),
        (_("Made by"), made_by),
    ]
    if suppressed:
        lines.append((_("Small counts"), suppression_note()))
    for number, (label, value) in enumerate(lines, start=3):
        _text(sheet, number, 1, label, BOLD)
        _text(sheet, number, 2, value).alignment = WRAPPED
    sheet.column_dimensions["A"].width = max(text_width(label) for label, _v in lines) + 2
    sheet.column_dimensions["B"].width = MAX_WIDTH


def _write_table(sheet, table, rows, scope, suppressed):
    _text(sheet, 1, 1, table.title, TITLE_FONT)
    _text(sheet, 2, 1, str(scope))
    headers = [table.label_header, *(column.label for column in table.columns)]
    for column, header in enumerate(headers, start=1):
        cell = _text(sheet, HEADER_ROW, column, header, BOLD)
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER
        if column > 1:
            cell.alignment = RIGHT
    widths = [text_width(header) for header in headers]
    for number, (row, cells) in enumerate(rows, start=HEADER_ROW + 1):
        _write_row(sheet, number, row, cells, widths)
    notes = [table.note] if table.note else []
    if suppressed:
        notes.append(suppression_note())
    for offset, note in enumerate(notes, start=2):
        _text(sheet, HEADER_ROW + len(rows) + offset, 1, note)
    for column, width in enumerate(widths, start=1):
        letter = sheet.cell(row=HEADER_ROW, column=column).column_letter
        sheet.column_dimensions[letter].width = min(width + 2, MAX_WIDTH)
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=2)
    # Printed: the header on every page, the table one page wide.
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0


def _write_row(sheet, number, row, cells, widths):
    """One row of the table at row `number`; `widths` grows to fit its texts."""
    label = _text(sheet, number, 1, row.label, BOLD if row.is_total else None)
    if row.level:
        label.alignment = INDENTED
    widths[0] = max(widths[0], text_width(row.label) + 2 * row.level)
    for column, shown in enumerate(cells, start=2):
        cell = _write_cell(sheet, number, column, shown)
        if row.is_total:
            cell.font = BOLD
        widths[column - 1] = max(widths[column - 1], text_width(shown.text))
    if row.is_total:
        for column in range(1, len(cells) + 2):
            sheet.cell(row=number, column=column).fill = TOTAL_FILL


def _write_cell(sheet, row, column, shown):
    """A number as a number with its format; a hidden or empty cell as the page's text."""
    if shown.value is None:
        cell = _text(sheet, row, column, shown.text)
        cell.alignment = RIGHT
        return cell
    cell = sheet.cell(row=row, column=column, value=shown.value)
    cell.number_format = NUMBER_FORMATS.get(shown.kind, COUNT_FORMAT)
    return cell

"""Excel and CSV downloads of the statistics: the same cells as the page, hidden counts
hidden in the file too, formulas never run, and every download in the audit trail."""

import csv
import datetime
import io
import zipfile
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from accounts.models import AuditEvent
from consultations.models import Consultation
from consultations.tests.factories import CaseFactory, ConsultationFactory
from members.tests.factories import FeeFactory, MemberFactory, MembershipTypeFactory, PaymentFactory
from network.models import Category
from network.tests.factories import municipality
from reports import exports
from reports.periods import Period
from reports.rollups import ROLLUPS
from reports.statistics import DASHBOARD, Scope
from reports.tables import PERCENT, UNDER_THREE, WITHHELD, Column, Row, Table, share

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
FY2025 = {"period": "fiscal_year", "year": "2025"}
HIDDEN_TEXTS = {str(UNDER_THREE), str(WITHHELD)}
COUNT_FORMAT = "#,##0"


def heard_at(center, day, channel=Consultation.Channel.PHONE, topics=None, **kwargs):
    return ConsultationFactory(
        case=CaseFactory(center=center),
        received_at=datetime.datetime(*day, 10, 0, tzinfo=TOKYO),
        channel=channel,
        topics=topics,
        **kwargs,
    )


@pytest.fixture
def heard(center):
    """Fiscal year 2025 at 金沢: 7 by phone, 4 walk-ins, 1 e-mail, across three months."""
    for n in range(7):
        heard_at(center, (2025, 5, 1 + n))
    for n in range(4):
        heard_at(center, (2025, 6, 2 + n), Consultation.Channel.VISIT, ["L1-01"])
    heard_at(center, (2026, 1, 15), Consultation.Channel.EMAIL)


@pytest.fixture
def formula_members(center):
    """A membership type whose name a spreadsheet would run, with a fee paid in FY2025."""
    kind = MembershipTypeFactory(code="eq", name='=HYPERLINK("http://example.com","x")')
    for _n in range(4):
        member = MemberFactory(center=center, membership_type=kind)
        fee = FeeFactory(member=member, fiscal_year=2025, amount=3000)
        PaymentFactory(fee=fee, amount=3000, paid_on=datetime.date(2025, 6, 1))
    return kind


def export(client, slug, fmt, **query):
    return client.get(reverse("reports:export", args=[slug, fmt]), {**FY2025, **query})


def export_dashboard(client, **query):
    return client.get(reverse("reports:export-dashboard"), {**FY2025, **query})


def page_tables(client, **query):
    """What the dashboard page shows the logged-in user: {slug: (table, rows)}."""
    response = client.get(reverse("reports:dashboard"), {**FY2025, **query})
    return {table.slug: (table, rows) for table, rows, _chart in response.context["tables"]}


def workbook(response):
    return load_workbook(io.BytesIO(response.content))


def table_sheet(book, table):
    [sheet] = [s for s in book.worksheets if s["A1"].value == str(table.title)]
    return sheet


def body(sheet, rows):
    """The sheet's cells under the header row, as many rows as the table has."""
    header = exports.HEADER_ROW
    return list(sheet.iter_rows(min_row=header + 1, max_row=header + len(rows)))


def assert_sheet_shows(sheet, table, rows):
    """The sheet holds the page's cells: numbers as numbers, hidden counts as text."""
    header = [cell.value for cell in sheet[exports.HEADER_ROW]]
    assert header == [str(table.label_header), *(str(c.label) for c in table.columns)]
    for (row, cells), sheet_row in zip(rows, body(sheet, rows), strict=True):
        assert sheet_row[0].value == str(row.label)
        assert sheet_row[0].data_type == "s"
        for cell, sheet_cell in zip(cells, sheet_row[1:], strict=True):
            if cell.value is None:
                assert sheet_cell.value == cell.text
                assert sheet_cell.data_type == "s"
            else:
                assert sheet_cell.value == cell.value
                assert sheet_cell.data_type == "n"
                assert sheet_cell.number_format == exports.NUMBER_FORMATS.get(
                    cell.kind, COUNT_FORMAT
                )


def csv_rows(response):
    text = response.content.decode("utf-8")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


# What the files hold


def test_a_tables_workbook_holds_the_numbers_the_page_shows(client, coordinator, heard):
    client.force_login(coordinator)
    table, rows = page_tables(client)["by-channel"]

    response = export(client, "by-channel", "xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == (
        'attachment; filename="lifesupport-by-channel-fy2025-KNZ.xlsx"'
    )
    assert "no-store" in response["Cache-Control"]
    book = workbook(response)
    assert book.sheetnames[0] == _("Conditions")
    sheet = table_sheet(book, table)
    # A single table's file opens on the table.
    assert book.active == sheet
    assert_sheet_shows(sheet, table, rows)
    phone, walk_in = body(sheet, rows)[:2]
    assert [phone[0].value, phone[1].value, phone[2].value] == ["電話", 7, 58.3]
    assert [walk_in[1].value, walk_in[2].value] == [4, 33.3]


def test_the_sheet_is_laid_out_for_reading_and_printing(client, coordinator, heard):
    client.force_login(coordinator)
    table, rows = page_tables(client)["by-channel"]

    sheet = table_sheet(workbook(export(client, "by-channel", "xlsx")), table)

    assert sheet["A1"].font.bold
    assert sheet["A2"].value == "金沢ライフサポートセンター · 令和7年度(2025年度)"
    header = sheet[exports.HEADER_ROW]
    assert all(cell.font.bold and cell.fill.fgColor.rgb.endswith("DDEBF7") for cell in header)
    assert sheet.freeze_panes == f"B{exports.HEADER_ROW + 1}"
    assert sheet.print_title_rows == f"${exports.HEADER_ROW}:${exports.HEADER_ROW}"
    total = body(sheet, rows)[-1]
    assert total[0].value == "合計"
    assert all(cell.font.bold for cell in total)
    assert not body(sheet, rows)[0][0].font.bold
    # Japanese headers count double: 相談 is 4 columns wide, plus a margin.
    assert sheet.column_dimensions["B"].width == exports.text_width(table.columns[0].label) + 2


def test_the_note_is_under_the_table(client, coordinator, heard):
    client.force_login(coordinator)
    table, rows = page_tables(client)["by-topic"]

    sheet = table_sheet(workbook(export(client, "by-topic", "xlsx")), table)

    note_row = exports.HEADER_ROW + len(rows) + 2
    assert sheet.cell(row=note_row, column=1).value == str(table.note)
    assert sheet.cell(row=note_row + 1, column=1).value is None


def test_subitems_are_indented():
    table = Table(
        "t",
        "連合集計",
        "項目",
        [Column("件数")],
        [Row("雇用関係", [5]), Row("解雇", [5], level=1), Row("合計", [5], is_total=True)],
    )

    content = exports.workbook_bytes(
        [(table, table.display_rows(suppress=False))],
        scope=Scope(period=Period(Period.YEAR, 2026)),
        made_by="coordinator",
        made_at=timezone.localtime(),
        suppressed=False,
    )

    book = load_workbook(io.BytesIO(content))

    sheet = book["連合集計"]
    parent, item, total = body(sheet, table.rows)
    assert (parent[0].alignment.indent, item[0].alignment.indent) == (0, 1)
    assert total[0].font.bold


def test_the_dashboard_workbook_has_every_table_of_the_page(client, coordinator, heard):
    client.force_login(coordinator)
    tables = page_tables(client)

    response = export_dashboard(client)

    assert response["Content-Disposition"] == (
        'attachment; filename="lifesupport-dashboard-fy2025-KNZ.xlsx"'
    )
    book = workbook(response)
    assert len(book.sheetnames) == 1 + len(DASHBOARD)
    assert book.sheetnames[0] == _("Conditions")
    assert all(len(name) <= 31 for name in book.sheetnames)
    titles = [sheet["A1"].value for sheet in book.worksheets[1:]]
    assert titles == [str(table.title) for table, _rows in tables.values()]
    for table, rows in tables.values():
        assert_sheet_shows(table_sheet(book, table), table, rows)


def test_the_conditions_sheet_says_what_was_counted_when_and_by_whom(client, manager, heard):
    client.force_login(manager)
    category = Category.objects.get(code="W1")

    book = workbook(export_dashboard(client, center="all", category=category.pk))

    conditions = {
        row[0]: row[1] for row in book[_("Conditions")].iter_rows(min_row=3, values_only=True)
    }
    assert conditions["拠点"] == "全センター"
    assert conditions["期間"] == "令和7年度(2025年度)"
    assert conditions[_("Days counted")] == _("%(first)s to %(last)s") % {
        "first": "2025年4月1日",
        "last": "2026年3月31日",
    }
    assert conditions["相談分野"] == str(category)
    assert conditions[_("Made by")] == "manager"
    today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    assert conditions[_("Made at")].startswith(today)
    # Managers see exact counts: no note on hidden ones.
    assert _("Small counts") not in conditions


def test_a_viewers_files_hide_counts_under_three(client, viewer, heard):
    client.force_login(viewer)
    tables = page_tables(client)

    book = workbook(export_dashboard(client))

    texts = set()
    for table, rows in tables.values():
        sheet = table_sheet(book, table)
        assert_sheet_shows(sheet, table, rows)
        for sheet_row in body(sheet, rows):
            for cell in sheet_row[1:]:
                texts.add(cell.value)
                if cell.number_format == COUNT_FORMAT and isinstance(cell.value, int):
                    assert cell.value >= 3, (table.slug, cell.coordinate)
    assert texts >= HIDDEN_TEXTS
    conditions = {row[0]: row[1] for row in book[_("Conditions")].iter_rows(values_only=True)}
    assert conditions[_("Small counts")] == exports.suppression_note()
    table, rows = tables["by-channel"]
    channel = table_sheet(book, table)
    # 1 e-mail is 「3未満」; a note under the table says why.
    assert body(channel, rows)[2][1].value == "3未満"
    note_row = exports.HEADER_ROW + len(rows) + 2
    assert channel.cell(row=note_row, column=1).value == exports.suppression_note()
    # The CSV the same: the e-mail row and its share hidden.
    assert csv_rows(export(client, "by-channel", "csv"))[3][:3] == ["メール", "3未満", "秘匿"]


def test_no_hidden_count_of_a_viewers_file_follows_from_the_other_cells(client, viewer, heard):
    """In every sum of the file (a column's parts and its total, a row's parts and its
    total), a hidden cell never stands alone: one unknown could be worked out."""
    client.force_login(viewer)
    tables = page_tables(client)
    book = workbook(export_dashboard(client))
    for table, rows in tables.values():
        sheet_rows = body(table_sheet(book, table), rows)
        hidden = {
            (i, j)
            for i, sheet_row in enumerate(sheet_rows)
            for j, cell in enumerate(sheet_row[1:])
            if cell.value in HIDDEN_TEXTS
        }
        for cells in table._sums(table.count_columns()):
            assert len([c for c in cells if c in hidden]) != 1, (table.slug, cells)


def test_a_coordinator_sees_exact_counts_in_the_file(client, coordinator, heard):
    client.force_login(coordinator)

    rows = csv_rows(export(client, "by-channel", "csv"))

    assert rows[3][:2] == ["メール", "1"]
    assert not any(value in HIDDEN_TEXTS for row in rows for value in row)


def test_csv_has_bom_crlf_japanese_headers_and_plain_numbers(
    client, coordinator, heard, formula_members
):
    client.force_login(coordinator)
    table, _rows = page_tables(client)["by-channel"]

    response = export(client, "by-channel", "csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="lifesupport-by-channel-fy2025-KNZ.csv"'
    )
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8").split("\r\n")
    assert lines[-1] == ""
    assert not any("\n" in line for line in lines)
    rows = csv_rows(response)
    # The page's headers; the share's says its unit, as its cells are bare numbers.
    count, _share = table.columns
    assert rows[0] == ["相談方法", str(count.label), _("%(label)s (%%)") % {"label": "構成比"}]
    assert rows[1] == ["電話", "7", "58.3"]
    assert rows[-1] == ["合計", "12", "100.0"]


def test_csv_amounts_have_no_separators_and_formulas_are_quoted(
    client, coordinator, formula_members
):
    client.force_login(coordinator)

    rows = csv_rows(export(client, "members", "csv"))

    assert rows[0][-1] == _("%(label)s (yen)") % {"label": "会費収入"}
    [member_row] = [row for row in rows if "HYPERLINK" in row[0]]
    assert member_row == ["'" + formula_members.name, "4", "0", "0", "12000"]


def test_csv_defuses_every_text_cell():
    table = Table(
        "t",
        "t",
        "-label",
        [Column("@count"), Column("+share", PERCENT)],
        [Row("=1+1", [5, 100.0]), Row("\tcmd", [None, None]), Row("合計", [5, 100.0], True)],
    )

    rows = list(
        csv.reader(
            io.StringIO(
                exports.csv_bytes(table, table.display_rows(suppress=False)).decode("utf-8-sig")
            )
        )
    )

    assert rows[0] == ["'-label", "'@count", "'" + _("%(label)s (%%)") % {"label": "+share"}]
    assert rows[1] == ["'=1+1", "5", "100.0"]
    assert rows[2] == ["'\tcmd", "—", "—"]


def test_a_label_starting_with_equals_is_text_in_excel(client, coordinator, formula_members):
    client.force_login(coordinator)

    response = export(client, "members", "xlsx")

    book = workbook(response)
    sheet = book.worksheets[1]
    [label] = [row[0] for row in sheet.iter_rows() if "HYPERLINK" in str(row[0].value)]
    assert label.value == formula_members.name
    assert label.data_type == "s"
    assert label.quotePrefix
    with zipfile.ZipFile(io.BytesIO(response.content)) as package:
        xml = package.read("xl/worksheets/sheet2.xml").decode()
    assert "<f>" not in xml
    assert "<f " not in xml
    amount = sheet.cell(row=label.row, column=5)
    assert (amount.value, amount.number_format) == (12000, '"¥"#,##0')


# The filter: the page's, and only the centres the user may see


def test_the_dashboard_links_to_the_files_of_its_filter(client, manager, heard):
    client.force_login(manager)
    category = Category.objects.get(code="L1")
    query = {"period": "month", "year": "2025", "month": "6", "center": "all"}

    response = client.get(reverse("reports:dashboard"), {**query, "category": category.pk})

    export_query = response.context["export_query"]
    assert f'href="{reverse("reports:export-dashboard")}?{export_query}"' in (
        response.content.decode().replace("&amp;", "&")
    )
    assert f'href="{reverse("reports:export", args=["by-channel", "csv"])}?' in (
        response.content.decode()
    )
    rows = csv_rows(
        client.get(reverse("reports:export", args=["by-channel", "csv"]) + "?" + export_query)
    )
    # June 2025, every centre, 暮らし (L1) only: the four walk-ins.
    assert rows[2][:2] == ["来所", "4"]
    assert rows[-1][:2] == ["合計", "4"]
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT)
    assert event.detail["period"] == "2025-06"
    assert event.detail["center"] == "all"
    assert event.detail["field"] == "L1"


def test_a_coordinator_cannot_export_another_centre(client, coordinator_elsewhere, center, heard):
    client.force_login(coordinator_elsewhere)

    response = export(client, "by-channel", "csv", center=center.pk)

    assert response["Content-Disposition"] == (
        'attachment; filename="lifesupport-by-channel-fy2025-KMT.csv"'
    )
    # 金沢's twelve consultations are not in 小松's file.
    assert csv_rows(response)[-1][:2] == ["合計", "0"]
    book = workbook(export_dashboard(client, center=center.pk))
    assert book[_("Conditions")]["B3"].value == "小松ライフサポートセンター (KMT)"
    assert (
        AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).latest("pk").detail["center"]
        == "KMT"
    )


def test_a_manager_may_export_every_centre(client, manager, other_center, heard):
    heard_at(other_center, (2025, 7, 1))
    client.force_login(manager)

    response = export(client, "by-channel", "csv", center="all")

    assert response["Content-Disposition"].endswith('-fy2025-all.csv"')
    assert csv_rows(response)[-1][:2] == ["合計", "13"]


# The roll-up pages' tables


@pytest.mark.parametrize("persona", ["coordinator", "viewer"])
@pytest.mark.parametrize(
    ("page", "query"),
    [
        # The 連合 and MHLW pages settle their kind of period whatever the filter asks.
        ("reports:rengo", {"period": "fiscal_year", "year": "2025"}),
        ("reports:mhlw", {"period": "year", "year": "2025"}),
        ("reports:fields", {"period": "month", "year": "2025", "month": "6"}),
    ],
)
def test_a_roll_up_pages_links_give_its_tables(client, request, heard, persona, page, query):
    """Each table's file, from the link on the page, holds the page's cells: for a
    viewer the counts that the 連合 tables hide together too."""
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse(page), query)
    export_query = response.context["export_query"]
    shown = [(table, rows) for table, rows, _chart in response.context["tables"]]

    for table, rows in shown:
        url = reverse("reports:export", args=[table.slug, "xlsx"]) + "?" + export_query
        book = workbook(client.get(url))
        assert_sheet_shows(table_sheet(book, table), table, rows)
        assert book[_("Conditions")]["B4"].value == str(response.context["scope"].period)
        csv_url = reverse("reports:export", args=[table.slug, "csv"]) + "?" + export_query
        assert len(csv_rows(client.get(csv_url))) == 1 + len(rows)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 2 * len(shown)


def test_every_table_has_one_slug():
    assert not set(DASHBOARD) & set(ROLLUPS)
    assert "dashboard" not in {**DASHBOARD, **ROLLUPS}


# The audit trail


def test_every_export_is_audited(client, viewer, heard):
    client.force_login(viewer)

    export(client, "by-gender", "csv")
    export_dashboard(client)

    table_event, dashboard_event = AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT
    ).order_by("pk")
    assert table_event.user == viewer
    assert table_event.center_id == viewer.center_id
    assert table_event.ip_address == "127.0.0.1"
    assert table_event.detail == {
        "report": "by-gender",
        "format": "csv",
        "period": "fy2025",
        "center": "KNZ",
        "field": "",
        "suppressed": True,
    }
    assert dashboard_event.detail["report"] == "dashboard"
    assert dashboard_event.detail["format"] == "xlsx"


# Who may download


@pytest.mark.parametrize(
    "url",
    [
        reverse("reports:export", args=["by-month", "xlsx"]),
        reverse("reports:export", args=["by-month", "csv"]),
        reverse("reports:export-dashboard"),
    ],
)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "url",
    [
        reverse("reports:export", args=["by-month", "xlsx"]),
        reverse("reports:export", args=["by-month", "csv"]),
        reverse("reports:export-dashboard"),
    ],
)
def test_counter_staff_may_not_export(client, counter_staff, url):
    client.force_login(counter_staff)

    assert client.get(url).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/reports/export/by-month.pdf",
        "/reports/export/by-month.xls",
        "/reports/export/no-such-table.xlsx",
        "/reports/export/dashboard.csv",
        "/reports/export/by-month.xlsx.csv",
    ],
)
def test_an_unknown_table_or_format_is_not_found(client, coordinator, path):
    client.force_login(coordinator)

    assert client.get(path).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_public_urls(client):
    assert reverse("reports:export", args=["by-month", "xlsx"]) == "/reports/export/by-month.xlsx"
    assert reverse("reports:export-dashboard") == "/reports/export/dashboard.xlsx"


# Query budgets


TOPICS = ["W1-01", "W1-02", "L1-01", "L1-02", "H1-01"]
PLACES = ["17201", "17202", "17203"]


def more_heard(center, count):
    """`count` more consultations over FY2025's months, channels and topics, so that
    more rows show in the tables."""
    channels = Consultation.Channel.values
    for n in range(count):
        month = 4 + n % 12
        day = (2025 + (month > 12), month - 12 if month > 12 else month, 1 + n % 28)
        heard_at(
            center,
            day,
            channels[n % len(channels)],
            [TOPICS[n % len(TOPICS)]],
            municipality=municipality(PLACES[n % len(PLACES)]),
        )


@pytest.mark.parametrize("extra", [0, 20])
def test_table_export_query_budget(
    client, coordinator, heard, extra, django_assert_max_num_queries
):
    more_heard(coordinator.center, extra)
    client.force_login(coordinator)
    # session, user, permissions (user's and groups'), the user's centre; the table's
    # aggregate with the nine others that show the same total (their hidden totals go
    # together) and their label look-ups; the audit event (the chain's head, the
    # insert), the session's save in a savepoint (three)
    # ...and the second factor's device (django-otp), on every signed-in request.
    with django_assert_max_num_queries(24):
        response = export(client, "by-channel", "xlsx")
    assert response.status_code == 200


@pytest.mark.parametrize("extra", [0, 20])
def test_dashboard_export_query_budget(
    client, coordinator, heard, extra, django_assert_max_num_queries
):
    more_heard(coordinator.center, extra)
    client.force_login(coordinator)
    # session, user, permissions (two), the user's centre; the fifteen tables in 23
    # aggregates and label look-ups (fields, topics, municipalities, membership types once
    # each, two for by-field, two for follow-ups, two for members and fees); the audit
    # event (the chain's head, the insert) and the session's save in a savepoint (three)
    # ...and the second factor's device (django-otp), on every signed-in request.
    with django_assert_max_num_queries(33):
        response = export_dashboard(client)
    assert response.status_code == 200


# Helpers of the module


@pytest.mark.parametrize(
    ("title", "taken", "expected"),
    [
        ("相談件数", set(), "相談件数"),
        ("a/b\\c?d*e[f]g:h", set(), "a b c d e f g h"),
        ("'quoted'", set(), "quoted"),
        ("あ" * 40, set(), "あ" * 31),
        ("相談件数", {"相談件数"}, "相談件数 (2)"),
        ("あ" * 40, {"あ" * 31}, "あ" * 27 + " (2)"),
        ("[]", set(), "Sheet"),
    ],
)
def test_sheet_names_are_excel_safe(title, taken, expected):
    assert exports.sheet_name(title, set(taken)) == expected


def test_text_width_counts_japanese_twice():
    assert exports.text_width("abc") == 3
    assert exports.text_width("相談件数") == 8
    assert exports.text_width("ｶﾅ") == 2


# Shares and totals


def test_shares_do_not_give_back_a_withheld_total():
    """4 / 44.4% would give the withheld total 9, and with it the hidden 1 (9 - 4 - 4)."""
    counts = [1, 4, 4]
    total = sum(counts)
    rows = [Row(f"r{i}", [n, share(n, total)]) for i, n in enumerate(counts)]
    rows.append(Row("合計", [total, share(total, total)], is_total=True))
    table = Table("t", "t", "l", [Column("n"), Column("%", PERCENT)], rows)

    content = exports.csv_bytes(table, table.display_rows(suppress=True))

    shown_rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert shown_rows[-1][1] in HIDDEN_TEXTS
    # No row shows both its count and its share: count * 100 / share is the total.
    telling = [row for row in shown_rows[1:-1] if row[1].isdigit() and row[2][:1].isdigit()]
    assert telling == []

"""A coordinator looks at last fiscal year's figures and takes them away in Excel; a
viewer (運営委員) sees the same page with small counts hidden."""

import re

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.fiscal import fiscal_year_of
from reports.periods import Period
from tests.browser.conftest import check_accessibility, save_screenshot
from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def table_figures(page, slug):
    """{row label: [cell texts]} of one statistics table as the page shows it."""
    figures = {}
    for row in page.locator(f"#{slug} table tbody tr").all():
        label = row.locator("th").inner_text().strip()
        figures[label] = [cell.inner_text().strip() for cell in row.locator("td").all()]
    return figures


def as_number(text):
    return int(text.replace(",", "")) if re.fullmatch(r"[\d,]+", text) else text


def test_a_coordinator_filters_a_fiscal_year_and_downloads_the_same_figures(
    page, live_server, demo, tmp_path
):
    log_in(page, live_server, "coordinator")
    expect(page.locator("#statistics-summary")).to_contain_text("今年度の相談件数")
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="統計").click()
    expect(page).to_have_url(re.compile(r"/reports/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("統計")
    this_year = Period.current_fiscal_year()
    expect(page.locator("#report-scope")).to_contain_text(str(this_year.year))
    check_accessibility(page)

    last_year = fiscal_year_of(timezone.localdate()) - 1
    page.get_by_label("期間", exact=True).select_option("fiscal_year")
    page.get_by_label("年", exact=True).select_option(str(last_year))
    page.get_by_role("button", name="表示").click()
    expect(page).to_have_url(re.compile(rf"period=fiscal_year&year={last_year}"))
    title = str(Period(Period.FISCAL_YEAR, last_year))
    expect(page.locator("#report-scope")).to_contain_text(f"{last_year}年度")
    assert "年度(" in title
    expect(page.locator("#by-channel-chart")).to_be_visible()
    check_accessibility(page)
    save_screenshot(page, "reports-dashboard")

    by_channel = table_figures(page, "by-channel")
    by_month = table_figures(page, "by-month")
    assert as_number(by_channel["合計"][0]) > 0

    with page.expect_download() as download_info:
        page.get_by_role("link", name="ダッシュボード全体をダウンロード(Excel)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(f"fy{last_year}-KNZ.xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    workbook = openpyxl.load_workbook(path)
    for slug, figures in (("by-channel", by_channel), ("by-month", by_month)):
        sheet = next(ws for ws in workbook.worksheets if sheet_holds(ws, figures))
        rows = {
            str(row[0]): list(row[1:])
            for row in sheet.iter_rows(values_only=True)
            if row and row[0] in figures
        }
        for label, cells in figures.items():
            assert rows[label][0] == as_number(cells[0]), (slug, label)


def sheet_holds(sheet, figures):
    labels = {row[0] for row in sheet.iter_rows(values_only=True) if row}
    return set(figures) <= labels


def test_a_viewer_sees_small_counts_hidden(page, live_server, demo):
    log_in(page, live_server, "viewer")
    expect(page.locator("#statistics-summary")).to_contain_text("今年度の相談件数")
    page.goto(f"{live_server.url}/reports/?center=all")
    expect(page.get_by_role("note")).to_contain_text("3未満")
    expect(page.locator("main")).to_contain_text("3未満")
    for cell in page.locator("main table td").all_inner_texts():
        if re.fullmatch(r"\d+", cell):
            assert int(cell) >= 3
    check_accessibility(page)
    save_screenshot(page, "reports-dashboard-viewer")

"""A coordinator finds who can help with a dismissal in 白山市, and when."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility, save_screenshot
from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_coordinator_finds_partners_for_a_dismissal_in_hakusan(page, live_server, demo):
    log_in(page, live_server, "coordinator")
    page.get_by_role("navigation").get_by_role("link", name="提携先検索").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("提携先検索")

    page.get_by_label("相談内容").select_option(label="W1-01 解雇")
    page.get_by_label("地域").select_option(label="白山市")
    page.get_by_role("button", name="検索", exact=True).click()

    expect(page).to_have_url(re.compile(r"topic=W1-01&area=17210"))
    expect(page.get_by_role("heading", level=2)).to_contain_text("件の提携先が見つかりました")
    results = page.locator("article.partner-result")
    expect(results.first).to_be_visible()
    # The partner with a lawyers' day shows when the next one is.
    with_day = results.filter(has_text="専門相談日").first
    expect(with_day).to_be_visible()
    expect(with_day).to_contain_text(re.compile(r"\d+月\d+日（[月火水木金土日]）"))
    check_accessibility(page)
    save_screenshot(page, "directory-search")

    partner_name = with_day.get_by_role("heading", level=3).inner_text()
    with_day.get_by_role("heading", level=3).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(partner_name)
    expect(page.get_by_role("heading", name="担当者")).to_be_visible()
    expect(page.get_by_role("heading", name="サービス")).to_be_visible()
    check_accessibility(page)
    save_screenshot(page, "organisation-detail")

    page.get_by_role("button", name=re.compile("本日確認済みにする")).click()
    expect(page.get_by_role("status")).to_contain_text("本日確認済みにしました")


def test_the_list_of_entries_to_verify_is_accessible(page, live_server, demo):
    log_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/network/unverified/")
    expect(page.get_by_role("heading", level=1)).to_have_text("確認が必要な提携先")
    expect(page.locator("tbody tr").first).to_be_visible()
    check_accessibility(page)
    save_screenshot(page, "directory-unverified")


def test_viewers_see_partners_but_not_their_people(page, live_server, demo):
    log_in(page, live_server, "viewer")
    page.get_by_role("navigation").get_by_role("link", name="提携先検索").click()
    page.locator("article.partner-result").first.get_by_role("heading", level=3).get_by_role(
        "link"
    ).click()
    expect(page.get_by_role("heading", name="サービス")).to_be_visible()
    expect(page.get_by_role("heading", name="担当者")).to_have_count(0)
    check_accessibility(page)

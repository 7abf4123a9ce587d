"""A manager registers a friends'-club member, records this year's fee and prints the card.

The members pages' own words are translated by the lead after this lands, so the steps
find controls by their form field ids and link targets, not by their labels.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from members.fiscal import fiscal_year_of
from members.models import Fee, Member
from tests.browser.conftest import check_accessibility, save_screenshot
from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=io.StringIO())


def test_a_manager_registers_a_friends_club_member_pays_and_prints_the_card(
    page, live_server, demo
):
    log_in(page, live_server, "manager")
    page.get_by_role("navigation").get_by_role("link", name="会員").click()
    expect(page).to_have_url(re.compile(r"/members/$"))
    expect(page.locator("table tbody tr").first).to_be_visible()
    check_accessibility(page)
    save_screenshot(page, "member-list")

    page.locator("main a[href='/members/new/']").click()
    page.locator("#id_membership_type").select_option(label="友の会会員")
    page.locator("#id_name").fill("石川 はるか")
    page.locator("#id_name_kana").fill("いしかわ はるか")
    page.locator("#id_postcode").fill("９２０－０８５３")
    page.locator("#id_phone").fill("090-1234-5678")
    page.locator("#id_union").fill("電機連合")
    check_accessibility(page)
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/members/KNZ-\d{5}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("石川 はるか")
    member = Member.objects.get(name="石川 はるか")
    assert member.name_kana == "イシカワ ハルカ"
    assert member.address == "石川県金沢市本町"

    page.locator(f"main a[href='/members/{member.number}/payments/new/']").click()
    year = fiscal_year_of(timezone.localdate())
    expect(page.locator("#id_fiscal_year")).to_have_value(str(year))
    expect(page.locator("#id_amount")).to_have_value("1000")
    page.locator("#id_method").select_option("transfer")
    page.locator("#id_receipt_number").fill("R-2026-0001")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"/members/{member.number}/$"))
    expect(page.get_by_role("status")).to_contain_text("1,000")
    fee = Fee.objects.get(member=member, fiscal_year=year)
    assert (fee.paid, fee.is_settled) == (1000, True)
    expect(page.locator("table").first).to_contain_text("R-2026-0001")
    check_accessibility(page)
    save_screenshot(page, "member-detail")

    page.locator(f"main a[href='/members/{member.number}/card/']").click()
    card = page.locator(".member-card")
    expect(card).to_contain_text(member.number)
    expect(card).to_contain_text("石川 はるか")
    expect(card).to_contain_text("友の会会員")
    expect(card).to_contain_text("金沢ライフサポートセンター")
    check_accessibility(page)
    save_screenshot(page, "member-card")

    # Printed, only the card is left, at the size of a bank card (85.6 × 54 mm).
    page.emulate_media(media="print")
    expect(page.locator("header")).to_be_hidden()
    expect(page.locator("main .no-print").first).to_be_hidden()
    box = card.bounding_box()
    assert abs(box["width"] - 85.6 / 25.4 * 96) < 3
    assert abs(box["height"] - 54 / 25.4 * 96) < 3
    save_screenshot(page, "member-card-print")

    # When she calls the centre, the counter sees she is a member.
    page.emulate_media(media="screen")
    page.goto(f"{live_server.url}/consultations/new/")
    page.locator("#id_client-family_name_kana").fill("いしかわ")
    page.locator("#id_client-given_name_kana").fill("はるか")
    matches = page.locator("#client-matches")
    expect(matches).to_contain_text("会員")
    expect(matches).to_contain_text(member.number)
    matches.locator(f"button[value='{member.number}']").click()
    expect(page.locator("#client-section")).to_contain_text(member.number)
    expect(page.locator("#id_client-family_name")).to_have_value("石川")
    page.locator("#id_main_topic").select_option("L1-01")
    page.locator("#id_summary").fill("特典の使い方と、家計の相談。")
    page.locator("label[for='id_outcome_1']").click()
    page.locator("button[name=save]").click()
    expect(page.get_by_role("status")).to_be_visible()
    client = member.clients.get()
    page.goto(f"{live_server.url}{client.get_absolute_url()}")
    expect(page.locator("main h1 + span + .badge")).to_have_text("会員")
    save_screenshot(page, "client-who-is-a-member")


def test_the_benefits_list_prints(page, live_server, demo):
    log_in(page, live_server, "counter")
    page.goto(f"{live_server.url}/members/benefits/")
    expect(page.locator(".benefit-list article").first).to_be_visible()
    check_accessibility(page)
    save_screenshot(page, "member-benefits")

"""Counter staff log a phone call for a new client, then a walk-in when she comes back."""

import re

import pytest
from playwright.sync_api import expect

from consultations.models import Case
from tests.browser.conftest import check_accessibility, save_screenshot
from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_phone_call_then_a_walk_in_make_one_timeline(page, live_server, demo):
    log_in(page, live_server, "counter")
    page.get_by_role("navigation").get_by_role("link", name="相談受付").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("相談受付")
    check_accessibility(page)

    # A phone call from someone new, typed from the keyboard while listening.
    expect(page.get_by_role("radio", name="電話")).to_be_checked()
    page.get_by_label("氏（フリガナ）").fill("はなぶさ")
    page.get_by_label("名（フリガナ）").fill("みどり")
    page.get_by_role("textbox", name=re.compile(r"^氏\*?$")).fill("英")
    page.get_by_role("textbox", name=re.compile(r"^名\*?$")).fill("翠")
    page.get_by_label("携帯電話").fill("０９０－４４４４－５５５５")
    expect(page.locator("#client-matches")).to_contain_text("該当する登録済みの相談者はいません")
    page.get_by_label("主訴").select_option("W1-15")
    page.get_by_label("相談の内容").fill("上司から毎日大声で叱責される。録音がある。")
    page.get_by_label("対応の内容").fill("記録の付け方と相談窓口を説明。")
    page.get_by_text("傾聴・助言", exact=True).click()
    save_screenshot(page, "intake-phone-call")
    page.get_by_label("相談の内容").press("Control+Enter")

    expect(page.get_by_role("status")).to_contain_text("に保存しました")
    case = Case.objects.get(client__family_name="英")
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.number)

    # A week later she walks in; typing her reading in hiragana finds her.
    page.get_by_role("navigation").get_by_role("link", name="相談受付").click()
    page.get_by_text("来所", exact=True).click()
    page.get_by_label("氏（フリガナ）").fill("はなぶさ")
    matches = page.locator("#client-matches")
    expect(matches).to_contain_text("英 翠")
    matches.get_by_role("button", name="英 翠さんを選ぶ").click()
    section = page.locator("#client-section")
    expect(section).to_contain_text(case.number)
    section.get_by_label(re.compile(case.number)).check()
    page.get_by_label("主訴").select_option("W1-15")
    page.get_by_label("相談の内容").fill("録音を持って来所。会社の相談窓口に申し出るか迷っている。")
    page.get_by_text("継続対応", exact=True).click()
    check_accessibility(page)
    save_screenshot(page, "intake-returning-client")
    page.get_by_role("button", name="保存", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text(case.number)
    timeline = page.locator("ol.timeline")
    expect(timeline.locator("li.consultation")).to_have_count(2)
    expect(timeline).to_contain_text("電話")
    expect(timeline).to_contain_text("来所")
    expect(timeline).to_contain_text("受付 → 対応中")
    check_accessibility(page)
    save_screenshot(page, "case-timeline")


def test_the_case_list_keeps_names_out_of_the_url(page, live_server, demo):
    log_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/consultations/cases/")
    expect(page.get_by_role("heading", level=1)).to_have_text("相談案件")
    page.get_by_label("キーワード").fill("やまだ")
    page.get_by_role("button", name="絞り込む").click()
    expect(page).to_have_url(f"{live_server.url}/consultations/cases/")
    expect(page.get_by_label("キーワード")).to_have_value("やまだ")
    check_accessibility(page)
    save_screenshot(page, "case-list")

"""The whole referral loop: a labour consultation at the counter, the coordinator finds
the labour standards office for the client's town, records the client's consent and
sends the office an answer link; the office accepts through the link in a browser of
its own; the client is referred, the follow-up falls five business days later (a
public holiday skipped), and the outcome 解決 closes the loop with the record of
provision kept."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from consultations.models import Case
from referrals.models import ProvisionRecord, Referral
from tests.browser.conftest import check_accessibility, save_screenshot
from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# A Friday; Monday 23 November 2026 is 勤労感謝の日, so five business days on is 30 November.
FRIDAY_BEFORE_A_HOLIDAY = datetime.date(2026, 11, 20)


@pytest.fixture
def new_page(browser):
    """Another browser of its own (the coordinator's, the partner's); each is closed at
    the end, so that no request of theirs reaches the server after the test."""
    contexts = []

    def open_page():
        context = browser.new_context(
            locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_a_labour_consultation_is_referred_and_followed_up_to_its_outcome(
    new_page, page, live_server, demo, monkeypatch
):
    # 1. At the counter: a phone call about unpaid overtime from someone in Kanazawa.
    log_in(page, live_server, "counter")
    page.get_by_role("navigation").get_by_role("link", name="相談受付").click()
    page.get_by_label("氏（フリガナ）").fill("はやしだ")
    page.get_by_label("名（フリガナ）").fill("けんた")
    page.get_by_role("textbox", name=re.compile(r"^氏\*?$")).fill("林田")
    page.get_by_role("textbox", name=re.compile(r"^名\*?$")).fill("健太")
    page.get_by_label("携帯電話").fill("090-7777-1234")
    page.get_by_text("生年月日・住所・連絡時の注意").click()
    page.get_by_label("郵便番号").fill("920-0853")
    page.get_by_label("主訴").select_option("W1-11")
    page.get_by_label("相談の内容").fill(
        "月60時間の残業代が払われていない。タイムカードの写しあり。"
    )
    page.get_by_label("対応の内容").fill("労働基準監督署への申告を説明。紹介を希望。")
    page.get_by_text("他機関紹介", exact=True).click()
    page.get_by_label("相談の内容").press("Control+Enter")
    expect(page.get_by_role("status")).to_contain_text("に保存しました")
    case = Case.objects.get(client__family_name="林田")
    assert case.client.municipality.name == "金沢市"

    # 2. The coordinator looks for a partner from the case page.
    desk = new_page()
    log_in(desk, live_server, "coordinator")
    desk.goto(f"{live_server.url}{case.get_absolute_url()}")
    desk.get_by_role("link", name="紹介先を探す").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("案件を紹介する")
    expect(desk.get_by_label("地域")).to_have_value("17201")
    check_accessibility(desk)
    save_screenshot(desk, "referral-finder")
    office = desk.locator("article.partner-result", has_text="金沢労働基準監督署")
    office.get_by_role("link", name="ここに紹介: 労働基準の相談・申告（金沢署）").click()

    # No consent yet: record it (oral, today), and come back to the same partner.
    expect(desk.get_by_role("note").filter(has_text="同意がありません")).to_be_visible()
    desk.get_by_role("link", name="本人の同意を記録").click()
    expect(desk.locator("#id_organisation")).to_have_value(str(office_pk(case)))
    desk.get_by_text("口頭", exact=True).click()
    check_accessibility(desk)
    save_screenshot(desk, "referral-consent")
    desk.get_by_role("button", name="同意を記録する").click()
    expect(desk.get_by_role("note").filter(has_text="情報提供に同意しています")).to_be_visible()
    save_screenshot(desk, "referral-chosen")
    desk.get_by_role("button", name="紹介の下書きを作る").click()

    # The hand-off sheet is drafted from the case; the client approves it.
    expect(desk.get_by_role("heading", level=1)).to_contain_text("金沢労働基準監督署")
    expect(desk.locator(".handoff-sheet")).to_contain_text("タイムカードの写しあり")
    desk.get_by_role("button", name="本人が内容を確認した").click()
    expect(desk.get_by_text("本人確認済み", exact=True)).to_be_visible()
    check_accessibility(desk)

    # Printed, the sheet is one A4 page.
    desk.get_by_role("link", name="印刷").click()
    check_accessibility(desk)
    pdf = desk.pdf(format="A4")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1
    desk.get_by_role("link", name="紹介に戻る").click()

    # 3. The office gets an answer link by e-mail; the e-mail names nobody.
    desk.get_by_role("link", name="回答用リンクを送る").first.click()
    desk.get_by_label("送信先").fill("kantoku-kanazawa@example.jp")
    desk.get_by_role("button", name="リンクを送信").click()
    expect(desk.get_by_text("打診中", exact=True).first).to_be_visible()
    (message,) = mail.outbox
    assert "林田" not in message.subject + message.body
    path = re.search(r"/r/[^\s/]+/", message.body).group(0)

    # 4. The office, in a browser of its own, reads the sheet and accepts.
    partner = new_page()
    partner.goto(f"{live_server.url}{path}")
    expect(partner.locator(".handoff-sheet")).to_contain_text("林田 健太")
    expect(partner.get_by_role("navigation")).to_have_count(0)
    check_accessibility(partner)
    save_screenshot(partner, "referral-partner-answer")
    partner.get_by_label("受け入れられます").check()
    partner.get_by_label("センターへの連絡事項").fill("12月3日 10時に監督課へ。タイムカード持参。")
    partner.get_by_role("button", name="回答を送信する").click()
    expect(partner.get_by_role("heading", level=1)).to_have_text("ご回答ありがとうございました")

    # 5. Back at the desk (on a Friday before a holiday): the client is told where to go.
    monkeypatch.setattr(timezone, "localdate", lambda *args: FRIDAY_BEFORE_A_HOLIDAY)
    desk.reload()
    expect(desk.get_by_text("受入可", exact=True).first).to_be_visible()
    expect(desk.get_by_label("フォロー予定日")).to_have_value("2026-11-30")
    desk.get_by_label("予約日時").fill("2026-12-03T10:00")
    desk.get_by_label("場所").fill("金沢駅西合同庁舎6階 監督課")
    desk.get_by_role("button", name="紹介済にする").click()
    expect(desk.get_by_role("status")).to_contain_text("紹介済")
    monkeypatch.undo()
    referral = Referral.objects.get(case=case)
    assert referral.follow_up_on == datetime.date(2026, 11, 30)
    expect(desk.get_by_text("2026年11月30日")).to_be_visible()
    save_screenshot(desk, "referral-referred")

    # 6. The follow-up: the overtime was paid, so the outcome is 解決.
    desk.get_by_label("方法").select_option("phone")
    desk.get_by_label("相手").select_option("client")
    desk.get_by_label("聞き取った内容").fill("監督署の指導で未払い分が支払われたとのこと。")
    desk.get_by_label("結果").select_option("resolved")
    desk.get_by_role("button", name="フォローを保存").click()
    expect(desk.get_by_role("status")).to_contain_text("完了")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.COMPLETED
    assert referral.outcome == Referral.Outcome.RESOLVED
    case.refresh_from_db()
    assert case.status == Case.Status.FOLLOW_UP

    # The case page shows the referral with its outcome.
    desk.goto(f"{live_server.url}{case.get_absolute_url()}")
    expect(desk.locator("#case-referrals")).to_contain_text("解決")
    check_accessibility(desk)
    save_screenshot(desk, "referral-case-page")

    # The record of provision was written when the link went out, and is listed.
    record = ProvisionRecord.objects.get(referral=referral)
    assert record.client == case.client
    desk.goto(f"{live_server.url}/referrals/clients/{case.client.pk}/provisions/")
    expect(desk.get_by_role("table")).to_contain_text("金沢労働基準監督署")
    check_accessibility(desk)

    # The coordinator's desk lists the result.
    desk.get_by_role("navigation").get_by_role("link", name="紹介").click()
    expect(desk.locator("#recent")).to_contain_text("金沢労働基準監督署")
    check_accessibility(desk)
    save_screenshot(desk, "referral-desk")


def office_pk(case):
    from network.models import Organisation

    return Organisation.objects.get(name="金沢労働基準監督署").pk

"""Every demo role logs in (password, then the authenticator's code), sees its Japanese home
page, and logs out; a first login sets up the authenticator app."""

import re
from base64 import b32decode

import pytest
from django.utils.translation import gettext as ja
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.tests.factories import DEMO_PASSWORD, totp_code
from tests.browser.conftest import check_accessibility, save_screenshot

# serialized_rollback: the flush after a live-server test would otherwise also empty
# the groups that the roles migration created, for the tests that run after it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    type_the_code(page, totp_code(TOTPDevice.objects.get(user__username=username)))
    # The test server shares one SQLite connection between its threads: let the home
    # page's panels (loaded with htmx) arrive before the test asks for another page.
    page.wait_for_load_state("networkidle")


def type_the_code(page, code):
    """The login's second step: the code the person's authenticator app shows."""
    expect(page).to_have_url(re.compile(r"/login/code/\?next="))
    page.get_by_label(ja("Code")).fill(code)
    page.get_by_role("button", name=ja("Continue")).click()


def test_the_login_page_is_japanese_and_accessible(page, live_server, demo_staff):
    page.goto(f"{live_server.url}/login/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text("ライフサポートにログイン")
    check_accessibility(page)
    save_screenshot(page, "login")


def test_a_wrong_password_is_refused_in_japanese(page, live_server, demo_staff):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("ユーザー名").fill("counter")
    page.get_by_label("パスワード").fill("not the password")
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_text("正しいユーザー名とパスワードを入力してください")).to_be_visible()


@pytest.mark.parametrize(
    ("username", "sees", "does_not_see"),
    [
        ("counter", "来所・電話の相談を記録", "のスタッフ"),
        ("coordinator", "金沢ライフサポートセンターのスタッフ", "管理画面"),
        ("manager", "この拠点での最近の失敗したログイン", "まだ役割がありません"),
        ("viewer", "個人名は表示されません", "のスタッフ"),
        ("counter2", "小松ライフサポートセンター", "金沢ライフサポートセンター"),
        ("coordinator2", "小松ライフサポートセンターのスタッフ", "金沢"),
    ],
)
def test_each_demo_role_sees_its_japanese_home_page(
    page, live_server, demo_staff, username, sees, does_not_see
):
    log_in(page, live_server, username)

    expect(page.get_by_role("heading", level=1)).to_contain_text("ようこそ")
    expect(page.get_by_text(sees).first).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(does_not_see)
    check_accessibility(page)
    save_screenshot(page, f"home-{username}")

    page.locator("#user-menu").click()
    page.get_by_role("button", name="ログアウト").click()
    expect(page).to_have_url(re.compile(r"/login/$"))


def test_the_menu_folds_on_a_counter_tablet(page, live_server, demo_staff):
    page.set_viewport_size({"width": 768, "height": 1024})
    log_in(page, live_server, "manager")

    menu = page.get_by_role("button", name="メニューを開く")
    back_office = page.get_by_role("navigation").get_by_role("link", name="管理画面")
    expect(menu).to_be_visible()
    expect(back_office).to_be_hidden()
    menu.click()
    expect(back_office).to_be_visible()
    check_accessibility(page)
    save_screenshot(page, "home-manager-tablet")


def test_the_code_step_is_japanese_and_accessible(page, live_server, demo_staff):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("ユーザー名").fill("counter")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()

    expect(page).to_have_url(re.compile(r"/login/code/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Enter your code"))
    check_accessibility(page)
    save_screenshot(page, "login-code")
    page.get_by_label(ja("Code")).fill("000000")
    page.get_by_role("button", name=ja("Continue")).click()
    expect(page.locator(".invalid-feedback")).to_be_visible()


def test_a_first_login_sets_up_the_authenticator_app(page, live_server, demo_staff):
    TOTPDevice.objects.filter(user__username="viewer").delete()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("ユーザー名").fill("viewer")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()

    expect(page).to_have_url(re.compile(r"/account/two-factor/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Set up your authenticator app"))
    expect(page.locator("svg.qr-code")).to_be_visible()
    check_accessibility(page)
    save_screenshot(page, "two-factor-setup")

    # What an app does with the typed key.
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label(ja("Code from the app")).fill(f"{TOTP(b32decode(secret)).token():06d}")
    page.get_by_role("button", name=ja("Confirm")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Your backup codes"))
    expect(page.locator("#backup-codes li")).to_have_count(10)
    check_accessibility(page)
    save_screenshot(page, "backup-codes")
    page.get_by_role("link", name=ja("I have kept them: continue")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ようこそ")
    page.wait_for_load_state("networkidle")

"""The main pages work under the strict Content-Security-Policy (security.md rows 23
and 28): Chromium reports no refused script, style, image or frame on any of them, and
the pages that draw with JavaScript (charts, menus, htmx panels) still do."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from consultations.models import Case, Consultation
from members.models import Member
from network.models import Organisation
from tests.browser.conftest import save_screenshot
from tests.browser.test_login_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def watch_for_violations(page):
    """The console messages and `securitypolicyviolation` events of the CSP, as a list
    that fills while the page is used."""
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Refused to" in message.text or "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: violations.append(f"page error: {error}"))
    return violations


def open_page(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    # Panels that htmx loads after the page (the home page's summaries, a case's
    # referrals) must arrive too.
    page.wait_for_load_state("networkidle")


def test_row_23_the_main_pages_run_under_the_content_security_policy(page, live_server, demo):
    violations = watch_for_violations(page)
    open_page(page, f"{live_server.url}{reverse('login')}")
    save_screenshot(page, "csp-login")
    log_in(page, live_server, "manager")
    expect(page.locator("#statistics-summary")).to_contain_text("今年度の相談件数")

    case = Case.objects.filter(center__code="KNZ", restricted=False).latest("last_contact_at")
    consultation = Consultation.objects.filter(case=case).first()
    member = Member.objects.filter(center__code="KNZ").first()
    urls = [
        reverse("home"),
        reverse("consultations:intake"),
        reverse("consultations:case-list"),
        case.get_absolute_url(),
        reverse("consultations:client-detail", args=[case.client_id]),
        reverse("consultations:handover-notes"),
        f"{reverse('network:search')}?topic=W1-01",
        reverse("network:organisation-detail", args=[Organisation.objects.first().pk]),
        reverse("referrals:desk"),
        reverse("members:member-list"),
        reverse("members:member-detail", args=[member.number]),
        reverse("members:member-card", args=[member.number]),
        reverse("members:benefit-list"),
        reverse("reports:dashboard"),
        reverse("reports:rengo"),
        reverse("password_change"),
        # The back office: Django's admin pages, a list and a form with its widgets.
        reverse("admin:index"),
        reverse("admin:members_member_changelist"),
        reverse("admin:members_member_change", args=[member.pk]),
        reverse("admin:network_organisation_changelist"),
        # The audit trail, read-only.
        reverse("admin:accounts_auditevent_changelist"),
    ]
    assert consultation is not None
    for url in urls:
        open_page(page, f"{live_server.url}{url}")
        assert violations == [], url
        if url == case.get_absolute_url():
            save_screenshot(page, "csp-case-detail")

    # The charts are drawn by reports.js with Chart.js (a blank canvas means a refusal).
    open_page(page, f"{live_server.url}{reverse('reports:dashboard')}")
    chart = page.locator("#by-channel-chart")
    expect(chart).to_be_visible()
    drawn = chart.evaluate(
        "canvas => canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height)"
        ".data.some(value => value !== 0)"
    )
    assert drawn
    save_screenshot(page, "csp-reports-dashboard")

    # The intake's look-up as you type runs through htmx.
    open_page(page, f"{live_server.url}{reverse('consultations:intake')}")
    page.get_by_label("氏（フリガナ）").fill(case.client.family_name_kana)
    expect(page.locator("#client-matches")).to_contain_text(case.client.family_name)
    save_screenshot(page, "csp-intake")

    # Bootstrap's own script opens the user menu.
    page.locator("#user-menu").click()
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()
    assert violations == []


def test_row_23_print_buttons_work_without_inline_handlers(page, live_server, demo):
    violations = watch_for_violations(page)
    log_in(page, live_server, "manager")
    open_page(page, f"{live_server.url}{reverse('members:benefit-list')}")
    # window.print is replaced, so the test sees the call instead of a dialogue.
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.get_by_role("button", name="印刷").click()
    expect(page.locator("body")).to_have_attribute("data-printed", re.compile("yes"))
    assert violations == []

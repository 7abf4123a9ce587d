"""Playwright driving Debian's Chromium (`playwright install` cannot download here)."""

import io
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import sync_playwright

from tests.helpers import require_program

ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS_DIR", settings.BASE_DIR / "var" / "test-artifacts"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    chromium = require_program("chromium")
    before = {alias: connections[alias] for alias in connections}
    with pytest.MonkeyPatch.context() as monkeypatch, sync_playwright() as playwright:
        # The sync API runs an event loop in the test's thread; the ORM calls of the
        # tests and fixtures are still synchronous and safe.
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        # Under Playwright's sync API this thread's context changes, and asgiref's
        # context-local `connections` hands out new DatabaseWrappers. Give them the
        # snapshot Django took when it created the test database, without which
        # serialized_rollback restores nothing (the roles, for one) after a flush.
        for alias, wrapper in before.items():
            if hasattr(wrapper, "_test_serialized_contents"):
                connections[alias]._test_serialized_contents = wrapper._test_serialized_contents
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh Japanese browser profile at a counter PC's size."""
    context = browser.new_context(
        locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 800}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def check_accessibility(page):
    """Fail on serious or critical axe violations; the full report goes in the message."""
    results = Axe().run(page)
    serious = [
        violation
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == [], results.generate_report()


def save_screenshot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


@pytest.fixture
def demo(transactional_db):
    """The whole demo (staff, directory, consultations), as `make run` shows it."""
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def demo_staff(transactional_db):
    """Only the demo's centres and staff, for journeys about logging in: 1.7 s a test on
    PostgreSQL instead of 6.5 s for the whole demo."""
    import factory.random

    from accounts.demo import seed_staff

    factory.random.reseed_random("lifesupport-demo")
    seed_staff()

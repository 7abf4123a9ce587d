"""Rows 3, 6 and 8: brute force, enumeration and the audit of every authentication event."""

import logging
import statistics
import time
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils.translation import gettext as ja

from accounts.models import AuditEvent
from accounts.tests.factories import DEMO_PASSWORD, TOTPDeviceFactory, totp_code

pytestmark = pytest.mark.django_db

ADDRESS_A = "192.0.2.10"
ADDRESS_B = "198.51.100.20"


def login(client, username, password=DEMO_PASSWORD, address=ADDRESS_A):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail_five_times(client, username, address=ADDRESS_A):
    return [login(client, username, "wrong-password-typed", address) for _try in range(5)]


def test_row_3_five_wrong_passwords_lock_that_name_from_that_address_only(client, coordinator):
    TOTPDeviceFactory(user=coordinator)
    answers = fail_five_times(client, "coordinator")
    assert [answer.status_code for answer in answers] == [200, 200, 200, 200, 429]

    locked = login(client, "coordinator")

    assert locked.status_code == 429
    assert '<html lang="ja">' in locked.text
    assert ja("Login paused") in locked.text
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address) == ("coordinator", ADDRESS_A)
    assert attempt.failures_since_start == 5

    elsewhere = login(client, "coordinator", address=ADDRESS_B)

    assert elsewhere.status_code == 302
    assert elsewhere.url.startswith(reverse("login-code"))


def test_row_3_the_lockout_ends_after_15_minutes_and_a_success_resets_the_count(
    client, coordinator
):
    with time_machine.travel(time.time(), tick=False) as traveller:
        fail_five_times(client, "coordinator")
        traveller.shift(timedelta(minutes=14))
        assert login(client, "coordinator").status_code == 429
        traveller.shift(timedelta(minutes=1, seconds=1))
        assert login(client, "coordinator").status_code == 302
    assert not AccessAttempt.objects.exists()


def test_row_3_other_names_from_the_same_address_are_not_locked(client, coordinator, manager):
    fail_five_times(client, "coordinator")
    assert login(client, "manager").status_code == 302


def test_row_8_a_lockout_is_audited(client, coordinator):
    fail_five_times(client, "coordinator")
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOCKED_OUT)
    assert (event.username, event.ip_address, event.center) == (
        "coordinator",
        ADDRESS_A,
        coordinator.center,
    )
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count() == 5


def test_row_8_every_authentication_event_is_audited_without_the_password(
    client, coordinator, caplog
):
    app = TOTPDeviceFactory(user=coordinator)
    caplog.set_level(logging.DEBUG)
    wrong_password = "Wrong-Password-Typed-Here"

    login(client, "coordinator", wrong_password)
    login(client, "coordinator")
    client.post(reverse("login-code"), {"code": "000000x"}, REMOTE_ADDR=ADDRESS_A)
    app.throttle_reset()
    client.post(reverse("login-code"), {"code": totp_code(app)}, REMOTE_ADDR=ADDRESS_A)
    client.post(reverse("logout"), REMOTE_ADDR=ADDRESS_A)

    events = list(AuditEvent.objects.order_by("pk"))
    assert [event.action for event in events] == [
        "login_failed",
        "login",
        "otp_failed",
        "otp_verified",
        "logout",
    ]
    for event in events:
        assert event.username == "coordinator"
        assert event.ip_address == ADDRESS_A
        assert event.at.utcoffset() == timedelta(0)  # stored and read in UTC
    assert events[0].user is None  # a failed login names no account
    assert {event.user for event in events[1:]} == {coordinator}
    # Nowhere: not in the logs, the audit trail or django-axes' records.
    assert wrong_password not in caplog.text
    assert DEMO_PASSWORD not in caplog.text
    assert not any(wrong_password in str(event.detail) for event in events)
    assert not AccessAttempt.objects.filter(post_data__contains=wrong_password).exists()


def test_row_6_an_unknown_name_takes_as_long_as_a_wrong_password(client, coordinator, settings):
    from lifesupport import settings as project_settings

    # The real Argon2 hasher (the suite's MD5 would hide a missing dummy hash).
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    coordinator.set_password(DEMO_PASSWORD)
    coordinator.save()
    assert coordinator.password.startswith("argon2$")

    def timed(username, address):
        start = time.perf_counter()
        response = login(client, username, "wrong-password-typed", address)
        assert response.status_code == 200
        return time.perf_counter() - start

    known, unknown = [], []
    for attempt in range(20):
        # A new address each time: no lockout, which would answer faster.
        known.append(timed("coordinator", f"192.0.2.{attempt + 1}"))
        unknown.append(timed("nobody-here", f"198.51.100.{attempt + 1}"))
    difference = abs(statistics.median(known) - statistics.median(unknown))
    assert difference < 0.050, (statistics.median(known), statistics.median(unknown))

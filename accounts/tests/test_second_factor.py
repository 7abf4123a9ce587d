"""The code step of the login, setting up the authenticator app, and backup codes."""

import re
import time

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django.utils.translation import gettext as ja
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent, BackupCode, BackupCodeDevice
from accounts.services import backup_codes_replace
from accounts.tests.factories import DEMO_PASSWORD, TOTPDeviceFactory, totp_code

pytestmark = pytest.mark.django_db

CODE_STEP = reverse("login-code")
# The page texts are compared through gettext: the Japanese of the ja catalogue.


def session_cookie(client):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def password_step(client, username, **extra):
    return client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD}, **extra)


def code_step(client, code, next_url="", **extra):
    return client.post(CODE_STEP, {"code": code, "next": next_url}, **extra)


def is_verified(client):
    return DEVICE_ID_SESSION_KEY in client.session


@pytest.fixture
def app(coordinator):
    """The coordinator's authenticator app."""
    return TOTPDeviceFactory(user=coordinator)


def test_the_code_step_is_japanese(client, coordinator, app, django_assert_max_num_queries):
    client.force_login(coordinator, verified=False)
    client.get(CODE_STEP)  # the first visit saves the session for the idle timeout
    # session, user, the confirmed app (exists), then the page's menu: the user's centre
    with django_assert_max_num_queries(4):
        response = client.get(CODE_STEP, {"next": "/members/"})
    assert response.status_code == 200
    assert '<html lang="ja">' in response.text
    assert ja("Enter your code") in response.text
    assert 'autocomplete="one-time-code"' in response.text
    assert 'name="next" value="/members/"' in response.text
    # Nothing but the way out before the second factor: no menu of the app's pages.
    assert reverse("consultations:case-list") not in response.text
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_right_code_opens_the_page_asked_for_and_is_audited(client, coordinator, app):
    response = password_step(client, "coordinator", REMOTE_ADDR="192.0.2.7")
    assert response.url == f"{CODE_STEP}?next=%2F"

    response = code_step(client, totp_code(app), "/members/", REMOTE_ADDR="192.0.2.7")

    assert response.status_code == 302
    assert response.url == "/members/"
    assert is_verified(client)
    assert client.get(reverse("members:member-list")).status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.SECOND_FACTOR)
    assert (event.user, event.ip_address, event.detail) == (
        coordinator,
        "192.0.2.7",
        {"device": "totpdevice"},
    )


def test_a_next_page_on_another_site_is_ignored(client, coordinator, app):
    client.force_login(coordinator, verified=False)
    response = code_step(client, totp_code(app), "https://evil.example/")
    assert response.url == reverse("home")


def test_row_9_the_session_key_changes_at_the_password_and_again_at_the_code(
    client, coordinator, app
):
    client.get(reverse("login"))
    client.session.save()
    anonymous = session_cookie(client)
    password_step(client, "coordinator")
    after_password = session_cookie(client)
    code_step(client, totp_code(app))
    after_code = session_cookie(client)

    assert len({anonymous, after_password, after_code}) == 3
    assert not SessionStore().exists(anonymous)
    assert not SessionStore().exists(after_password)
    assert SessionStore(after_code).get(DEVICE_ID_SESSION_KEY) == app.persistent_id


def test_row_5_a_wrong_code_is_refused_and_audited(client, coordinator, app):
    client.force_login(coordinator, verified=False)
    right = totp_code(app)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = code_step(client, wrong, REMOTE_ADDR="192.0.2.8")

    assert response.status_code == 200
    assert (
        ja("This code is not right. Check the time on your phone and try the newest code.")
        in response.text
    )
    assert not is_verified(client)
    event = AuditEvent.objects.get(action=AuditEvent.Action.SECOND_FACTOR_FAILED)
    assert (event.user, event.ip_address) == (coordinator, "192.0.2.8")


def test_row_5_a_totp_code_is_accepted_once(client, coordinator, app):
    code = totp_code(app)
    password_step(client, "coordinator")
    assert code_step(client, code).status_code == 302
    client.post(reverse("logout"))

    # The same code again, inside its 30 seconds, in a new login.
    password_step(client, "coordinator")
    response = code_step(client, code)

    assert response.status_code == 200
    assert not is_verified(client)
    # django-otp's TOTPDevice keeps the last step used (last_t) and accepts only later ones.
    app.refresh_from_db()
    assert app.verify_token(code) is False


def test_wrong_codes_slow_the_next_try_down(client, coordinator, app):
    client.force_login(coordinator, verified=False)
    with time_machine.travel(time.time(), tick=False) as traveller:
        code_step(client, "000000" if totp_code(app) != "000000" else "111111")
        response = code_step(client, totp_code(app))
        assert ja("Too many wrong codes in a row. Wait a few seconds and try again.") in (
            response.text
        )
        assert not is_verified(client)

        traveller.shift(2)
        assert code_step(client, totp_code(app)).status_code == 302
    assert is_verified(client)


def test_a_code_typed_in_full_width_digits_is_accepted(client, coordinator, app):
    client.force_login(coordinator, verified=False)
    code = totp_code(app).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert code_step(client, code).status_code == 302
    assert is_verified(client)


def test_row_5_backup_codes_are_stored_hashed_and_work_once(client, coordinator, app):
    codes = backup_codes_replace(user=coordinator)
    assert len(codes) == len(set(codes)) == 10
    stored = list(BackupCode.objects.values_list("digest", flat=True))
    plain = {code.replace("-", "") for code in codes}
    assert len(stored) == 10
    assert not plain & set(stored)
    assert not any(code in digest for code in plain for digest in stored)

    password_step(client, "coordinator")
    # As someone might copy it: capitals, spaces for hyphens, a one for an l, a zero for an o.
    typed = codes[3].upper().replace("-", " ").replace("L", "1").replace("O", "0")
    assert code_step(client, typed).status_code == 302
    assert is_verified(client)
    event = AuditEvent.objects.get(action=AuditEvent.Action.SECOND_FACTOR)
    assert event.detail == {"device": "backupcodedevice"}
    client.post(reverse("logout"))

    password_step(client, "coordinator")
    response = code_step(client, codes[3])
    assert response.status_code == 200
    assert not is_verified(client)
    assert BackupCode.objects.count() == 9


def test_without_an_app_the_code_step_leads_to_setting_one_up(client, coordinator):
    password_step(client, "coordinator")
    response = client.get(f"{CODE_STEP}?next=/members/")
    assert response.status_code == 302
    assert response.url == f"{reverse('two-factor-setup')}?next=%2Fmembers%2F"


def test_setting_up_the_app(client, coordinator, django_assert_max_num_queries):
    client.force_login(coordinator, verified=False)
    url = reverse("two-factor-setup")
    client.get(url)  # makes the (unconfirmed) device; saves the session for the idle timeout
    # session, user with their centre, confirmed app (exists), the unconfirmed device
    with django_assert_max_num_queries(4):
        page = client.get(url, {"next": "/members/"})
    device = TOTPDevice.objects.get(user=coordinator)
    assert not device.confirmed
    assert page.status_code == 200
    assert ja("Set up your authenticator app") in page.text
    assert '<svg width="' in page.text
    assert "<title>" in page.text
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.text).group(1)
    assert len(secret.replace(" ", "")) == 32
    # No inline script: every script element loads a file.
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page.text))
    # A reload shows the same secret.
    assert secret in client.get(url).text

    key_before = session_cookie(client)
    wrong = client.post(url, {"code": "12345"})
    assert wrong.status_code == 200
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()  # skip the second's wait after a wrong code (tested above)

    done = client.post(url, {"code": totp_code(device), "next": "/members/"})

    assert done.status_code == 200
    assert ja("Your backup codes") in done.text
    codes = re.findall(r"<li>([a-z2-7]{4}(?:-[a-z2-7]{4}){3})</li>", done.text)
    assert len(codes) == 10
    assert 'href="/members/"' in done.text
    assert ja("Any backup codes you had before no longer work.") not in done.text
    assert done["Cache-Control"].startswith("max-age=0")
    device.refresh_from_db()
    assert device.confirmed
    assert is_verified(client)
    assert session_cookie(client) != key_before
    assert BackupCode.objects.filter(device__user=coordinator).count() == 10
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"otp_failed", "otp_set_up", "backup_codes"} <= actions


def test_a_password_only_session_cannot_set_up_another_app(client, coordinator, app):
    client.force_login(coordinator, verified=False)
    response = client.get(reverse("two-factor-setup"))
    assert response.status_code == 302
    assert response.url.startswith(CODE_STEP)
    assert list(TOTPDevice.objects.filter(user=coordinator)) == [app]


def test_with_the_app_set_up_the_setup_page_leads_to_the_backup_codes(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("two-factor-setup"))
    assert response.url == reverse("backup-codes")


def test_staff_make_new_backup_codes(client, coordinator, django_assert_max_num_queries):
    old = backup_codes_replace(user=coordinator)
    client.force_login(coordinator)
    url = reverse("backup-codes")
    client.get(url)  # the first visit saves the session for the idle timeout
    # session, user with their centre, the verified device, the count of unused codes, the
    # menu's permissions (one query: accounts.backends)
    with django_assert_max_num_queries(5):
        page = client.get(url)
    assert page.context["remaining"] == 10

    response = client.post(url)

    assert response.status_code == 200
    new = re.findall(r"<li>([a-z2-7]{4}(?:-[a-z2-7]{4}){3})</li>", response.text)
    assert len(new) == 10
    assert ja("Any backup codes you had before no longer work.") in response.text
    assert not set(new) & set(old)
    device = BackupCodeDevice.objects.get(user=coordinator)
    assert not device.verify_token(old[0])
    device.throttle_reset()
    assert device.verify_token(new[0])
    assert AuditEvent.objects.filter(action=AuditEvent.Action.BACKUP_CODES).count() == 2


def test_backup_codes_need_the_second_factor(client, coordinator, app):
    client.force_login(coordinator, verified=False)
    response = client.post(reverse("backup-codes"))
    assert response.status_code == 302
    assert response.url.startswith(CODE_STEP)
    assert not BackupCode.objects.exists()


@pytest.mark.parametrize("name", ["login-code", "two-factor-setup", "backup-codes"])
def test_the_pages_need_a_login_and_refuse_other_verbs(client, coordinator, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    client.force_login(coordinator)
    assert client.put(reverse(name)).status_code == 405


def test_a_verified_user_on_the_code_step_goes_on(client, coordinator):
    client.force_login(coordinator)
    assert client.get(CODE_STEP, {"next": "/members/"}).url == "/members/"
    assert client.get(reverse("login")).url == reverse("home")


def test_logging_out_from_the_code_step(client, coordinator, app):
    client.force_login(coordinator, verified=False)
    assert client.post(reverse("logout")).url == reverse("login")
    assert client.get(CODE_STEP).url.startswith(reverse("login"))

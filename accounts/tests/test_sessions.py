"""Session management (security.md rows 10-13): how long a session lives, logging out,
ending a person's sessions, and the session and CSRF cookies."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEvent, StaffSession
from accounts.sessions import follow_session_key
from accounts.tests.factories import DEMO_PASSWORD, TOTPDeviceFactory, UserFactory, totp_code
from tests.helpers import SecondFactorClient

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 4, 6, 8, 30, tzinfo=UTC)


@pytest.fixture
def second_client():
    """A second browser, beside pytest-django's `client`: the same person on another PC,
    or the manager who ends their sessions. `force_login` passes the second factor too."""
    return SecondFactorClient()


def session_key(client):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def sent_to_login(response):
    return response.status_code == 302 and response.url.startswith(reverse("login"))


# Row 10: idle timeout 30 minutes, absolute limit 10 hours.


def test_row_10_a_session_ends_after_thirty_one_idle_minutes(client, coordinator, time_machine):
    time_machine.move_to(MORNING, tick=False)
    client.force_login(coordinator)
    assert client.get(reverse("home")).status_code == 200

    time_machine.shift(timedelta(minutes=29))
    assert client.get(reverse("home")).status_code == 200

    time_machine.shift(timedelta(minutes=31))
    assert sent_to_login(client.get(reverse("home")))


def test_row_10_a_session_ends_ten_hours_after_login_however_busy(
    client, coordinator, time_machine
):
    time_machine.move_to(MORNING, tick=False)
    client.force_login(coordinator)
    # A page every 10 minutes for 10 hours keeps it alive...
    for _ in range(60):
        time_machine.shift(timedelta(minutes=10))
        assert client.get(reverse("consultations:case-list")).status_code == 200

    # ...and one minute later it is over, and the login page says why.
    time_machine.shift(timedelta(minutes=1))
    response = client.get(reverse("consultations:case-list"))

    assert sent_to_login(response)
    login_page = client.get(response.url)
    with translation.override("ja"):
        why = translation.gettext(
            "You have been logged out: a session ends %(hours)s hours after logging in. "
            "Please log in again."
        ) % {"hours": "10"}
    assert why in login_page.text
    assert not Session.objects.filter(session_key=session_key(client)).exists()
    assert not coordinator.sessions.exists()
    assert AuditEvent.objects.filter(action="logout", user=coordinator).count() == 1


def test_row_10_the_limit_is_a_setting(client, coordinator, settings, time_machine):
    settings.SESSION_ABSOLUTE_AGE = 60 * 60
    time_machine.move_to(MORNING, tick=False)
    client.force_login(coordinator)

    for minutes in (20, 20, 19):
        time_machine.shift(timedelta(minutes=minutes))
        assert client.get(reverse("home")).status_code == 200
    time_machine.shift(timedelta(minutes=2))
    assert sent_to_login(client.get(reverse("home")))


def test_row_10_a_session_without_a_login_time_is_ended(client, coordinator):
    # Sessions started before the limit existed cannot say when they began.
    client.force_login(coordinator)
    session = client.session
    del session["_logged_in_at"]
    session.save()

    assert sent_to_login(client.get(reverse("home")))


def test_row_10_the_limits_cost_no_query_of_their_own(
    client, coordinator, django_assert_num_queries
):
    client.force_login(coordinator)
    client.get(reverse("alive"))
    # The session (read once for the limits and the login check), the user and the
    # second factor's device (django-otp); the session is written at most once a minute,
    # so not now.
    with django_assert_num_queries(3):
        assert client.get(reverse("alive")).status_code == 200


# Row 11: logging out.


def test_row_11_logout_by_get_is_refused(client, coordinator):
    client.force_login(coordinator)

    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200


def test_row_11_logout_ends_the_session_on_the_server_and_clears_the_browser(client, coordinator):
    client.force_login(coordinator)
    old_key = session_key(client)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert not Session.objects.filter(session_key=old_key).exists()
    assert not coordinator.sessions.exists()
    # The old cookie, sent again, opens nothing.
    client.cookies[settings.SESSION_COOKIE_NAME] = old_key
    assert sent_to_login(client.get(reverse("home")))


# Row 12: ending a person's sessions.


def test_row_12_a_login_is_registered_with_address_and_browser(client, coordinator):
    browser = "Mozilla/5.0 " + "x" * 300
    client.post(
        reverse("login"),
        {"username": "coordinator", "password": DEMO_PASSWORD},
        REMOTE_ADDR="192.0.2.7",
        HTTP_USER_AGENT=browser,
    )

    registered = StaffSession.objects.get()
    assert registered.user == coordinator
    assert registered.session_key == session_key(client)
    assert registered.ip_address == "192.0.2.7"
    assert registered.user_agent == browser[:200]


def test_row_12_deactivating_a_user_in_the_back_office_ends_their_sessions(
    client, second_client, counter_staff, manager
):
    client.force_login(counter_staff)
    assert client.get(reverse("home")).status_code == 200
    second_client.force_login(manager)

    response = second_client.post(
        reverse("admin:accounts_user_change", args=[counter_staff.pk]),
        {
            "username": counter_staff.username,
            "name": counter_staff.name,
            "name_kana": counter_staff.name_kana,
            "email": counter_staff.email,
            "center": counter_staff.center_id,
            "groups": [group.pk for group in counter_staff.groups.all()],
            # is_active left out: unticked.
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    counter_staff.refresh_from_db()
    assert counter_staff.is_active is False
    assert not Session.objects.filter(session_key=session_key(client)).exists()
    assert not counter_staff.sessions.exists()
    assert sent_to_login(client.get(reverse("home")))
    # The manager who did it stays logged in.
    assert second_client.get(reverse("admin:index")).status_code == 200


def test_row_12_deactivating_a_user_in_code_ends_their_sessions(client, counter_staff):
    client.force_login(counter_staff)

    counter_staff.is_active = False
    counter_staff.save()

    assert not counter_staff.sessions.exists()
    assert sent_to_login(client.get(reverse("home")))


def test_row_12_a_password_change_ends_the_other_sessions_only(
    client, second_client, counter_staff
):
    client.force_login(counter_staff)
    second_client.force_login(counter_staff)
    first_key = session_key(client)

    response = second_client.post(
        reverse("password_change"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "kanazawa no aki wa ame",
            "new_password2": "kanazawa no aki wa ame",
        },
    )

    assert response.status_code == 302
    with translation.override("ja"):
        told = translation.gettext("Wherever else you were logged in, you have been logged out.")
    assert told in second_client.get(response.url).text
    assert sent_to_login(client.get(reverse("home")))
    assert not Session.objects.filter(session_key=first_key).exists()
    # The browser that changed it carries on, under a new key the registry follows.
    assert second_client.get(reverse("home")).status_code == 200
    assert list(counter_staff.sessions.values_list("session_key", flat=True)) == [
        session_key(second_client)
    ]


def test_row_12_a_password_set_in_code_ends_every_session(client, counter_staff):
    client.force_login(counter_staff)

    counter_staff.set_password("a new passphrase for you")
    counter_staff.save()

    assert not counter_staff.sessions.exists()
    assert sent_to_login(client.get(reverse("home")))


def registered_session(user):
    """The key of a session of `user`'s on some other PC."""
    session = SessionStore()
    session.create()
    StaffSession.objects.create(user=user, session_key=session.session_key)
    return session.session_key


def end_sessions(client, *users):
    return client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "end_sessions", "_selected_action": [user.pk for user in users]},
    )


def test_row_12_the_end_sessions_action_deletes_the_users_session_rows(
    client, second_client, counter_staff, coordinator, manager
):
    client.force_login(counter_staff)
    other_pc = registered_session(counter_staff)
    coordinators = registered_session(coordinator)
    second_client.force_login(manager)

    response = end_sessions(second_client, counter_staff, manager)

    assert response.status_code == 302
    assert not counter_staff.sessions.exists()
    assert not Session.objects.filter(session_key=session_key(client)).exists()
    assert sent_to_login(client.get(reverse("home")))
    # The manager's own session stays; other staff's are untouched.
    assert second_client.get(response.url).status_code == 200
    assert manager.sessions.count() == 1
    assert coordinator.sessions.count() == 1
    assert not Session.objects.filter(session_key=other_pc).exists()
    assert Session.objects.filter(session_key=coordinators).exists()
    event = AuditEvent.objects.get(action="change")
    assert (event.user, event.object_id, event.detail) == (
        manager,
        str(counter_staff.pk),
        {"ended_sessions": 2},
    )


def test_row_12_staff_who_may_only_view_accounts_cannot_end_sessions(
    client, second_client, counter_staff, center
):
    client.force_login(counter_staff)
    reader = UserFactory(center=center, is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_user"))
    second_client.force_login(reader)

    end_sessions(second_client, counter_staff)

    assert counter_staff.sessions.count() == 1
    assert client.get(reverse("home")).status_code == 200


def test_row_12_the_back_office_shows_where_a_person_is_logged_in(
    client, second_client, counter_staff, manager
):
    client.post(
        reverse("login"),
        {"username": "counter", "password": DEMO_PASSWORD},
        REMOTE_ADDR="192.0.2.7",
        HTTP_USER_AGENT="<script>alert(1)</script>",
    )
    second_client.force_login(manager)

    page = second_client.get(reverse("admin:accounts_user_change", args=[counter_staff.pk]))

    assert "192.0.2.7" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_row_12_the_registry_follows_a_new_session_key(client, coordinator, rf):
    # As when the second factor is passed: same session, new key.
    client.force_login(coordinator)
    request = rf.get("/")
    request.session = SessionStore(session_key=session_key(client))
    request.session.cycle_key()

    follow_session_key(request)

    assert list(coordinator.sessions.values_list("session_key", flat=True)) == [
        request.session.session_key
    ]


def test_row_12_sessions_that_timed_out_leave_the_registry_at_the_next_login(
    client, second_client, coordinator, time_machine
):
    time_machine.move_to(MORNING, tick=False)
    client.force_login(coordinator)
    time_machine.shift(timedelta(hours=1))

    second_client.force_login(coordinator)

    assert list(coordinator.sessions.values_list("session_key", flat=True)) == [
        session_key(second_client)
    ]


# Row 13: the cookies a login sets.


def set_cookie_attributes(response, name):
    """The attributes of the Set-Cookie header for `name`, as sent: {"path": "/", ...}."""
    header = response.cookies[name].output(header="").strip()
    _value, *attributes = header.lower().split("; ")
    return {name: value for name, _, value in (part.partition("=") for part in attributes)}


def test_row_13_login_sets_host_only_secure_cookies(client, coordinator):
    response = client.post(
        reverse("login"),
        {"username": "coordinator", "password": DEMO_PASSWORD},
        secure=True,
    )

    assert response.status_code == 302
    assert {"__Host-sessionid", "__Host-csrftoken"} <= set(response.cookies)
    session_cookie = set_cookie_attributes(response, "__Host-sessionid")
    csrf_cookie = set_cookie_attributes(response, "__Host-csrftoken")
    for cookie in (session_cookie, csrf_cookie):
        assert "secure" in cookie
        assert cookie["path"] == "/"
        assert cookie["samesite"] == "lax"
        assert "domain" not in cookie
    assert "httponly" in session_cookie
    # The session cookie ends with the browser; the server ends the session itself.
    assert "expires" not in session_cookie
    assert "max-age" not in session_cookie


def test_row_12_the_password_page_shows_where_the_person_is_logged_in(
    client, second_client, counter_staff, django_assert_max_num_queries
):
    app = TOTPDeviceFactory(user=counter_staff)
    for browser, address, agent in (
        (second_client, "198.51.100.4", "Firefox on the counter PC"),
        (client, "192.0.2.7", ""),
    ):
        browser.post(
            reverse("login"),
            {"username": "counter", "password": DEMO_PASSWORD},
            REMOTE_ADDR=address,
            HTTP_USER_AGENT=agent,
        )
        browser.post(reverse("login-code"), {"code": totp_code(app)}, REMOTE_ADDR=address)
    client.get(reverse("password_change"))

    # The session, the user, the second factor's device, the menu's permissions (user's,
    # groups') and centre, and the current sessions: one query however many there are.
    with django_assert_max_num_queries(7):
        page = client.get(reverse("password_change"))

    assert [session.ip_address for session in page.context["sessions"]] == [
        "192.0.2.7",
        "198.51.100.4",
    ]
    assert "Firefox on the counter PC" in page.text
    assert page.text.count('class="badge') == 1


def test_row_11_logging_out_after_a_timeout_still_clears_the_browser(
    client, coordinator, time_machine
):
    time_machine.move_to(MORNING, tick=False)
    client.force_login(coordinator)
    time_machine.shift(timedelta(minutes=31))

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'


def test_row_12_a_manager_who_deactivates_their_own_account_is_logged_out(client, manager):
    client.force_login(manager)

    response = client.post(
        reverse("admin:accounts_user_change", args=[manager.pk]),
        {
            "username": manager.username,
            "name": manager.name,
            "name_kana": manager.name_kana,
            "email": manager.email,
            "center": manager.center_id,
            "is_staff": "on",
            "groups": [group.pk for group in manager.groups.all()],
        },
    )

    assert response.status_code == 302
    assert not manager.sessions.exists()
    assert sent_to_login(client.get(reverse("home")))

"""Row 7 (and row 6's "always says sent"): password reset by e-mail."""

import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils.translation import gettext as ja

from accounts.models import AuditEvent
from accounts.tests.factories import TOTPDeviceFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "yuki no kenrokuen de au"


def ask_for_a_link(client, email):
    return client.post(reverse("password_reset"), {"email": email})


def link_in(message):
    return re.search(r"https?://\S+/password/reset/\S+/", message.body).group()


def path_of(url, settings):
    return url.removeprefix(settings.SITE_URL)


def test_the_reset_page_is_japanese_and_the_login_page_links_to_it(client):
    page = client.get(reverse("password_reset"))
    assert page.status_code == 200
    assert ja("Reset your password") in page.text
    assert reverse("password_reset") in client.get(reverse("login")).text


def test_row_6_the_reset_always_says_sent(client, coordinator):
    known = ask_for_a_link(client, coordinator.email)
    unknown = ask_for_a_link(client, "nobody@example.jp")

    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [coordinator.email]
    sent = client.get(reverse("password_reset_done"))
    assert ja("Check your e-mail") in sent.text


def test_the_e_mail_is_japanese_and_links_to_the_site_address(client, coordinator, settings):
    ask_for_a_link(client, coordinator.email)
    message = mail.outbox[0]
    assert message.subject == ja("Lifesupport: choose a new password")
    assert link_in(message).startswith(f"{settings.SITE_URL}/password/reset/")
    assert coordinator.username in message.body


def test_row_7_a_reset_link_works_once(client, coordinator, settings):
    ask_for_a_link(client, coordinator.email)
    link = path_of(link_in(mail.outbox[0]), settings)

    form = client.get(link, follow=True)
    assert form.context["validlink"]
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.url == reverse("password_reset_complete")
    coordinator.refresh_from_db()
    assert coordinator.check_password(NEW_PASSWORD)
    # Row 8: the new password is an authentication event of the trail.
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE, object_id=str(coordinator.pk))
    assert (event.user, event.detail["password"]) == (coordinator, "reset")

    again = client.get(link, follow=True)
    assert not again.context["validlink"]
    assert ja("This link no longer works") in again.text


def test_row_7_a_reset_link_expires_after_an_hour(client, coordinator, settings):
    assert settings.PASSWORD_RESET_TIMEOUT == 60 * 60
    with time_machine.travel(time.time(), tick=False) as traveller:
        ask_for_a_link(client, coordinator.email)
        link = path_of(link_in(mail.outbox[0]), settings)
        traveller.shift(timedelta(minutes=61))
        page = client.get(link, follow=True)
    assert not page.context["validlink"]
    coordinator.refresh_from_db()
    assert not coordinator.check_password(NEW_PASSWORD)


def test_a_new_password_still_needs_the_code(client, coordinator, settings):
    TOTPDeviceFactory(user=coordinator)
    ask_for_a_link(client, coordinator.email)
    form = client.get(path_of(link_in(mail.outbox[0]), settings), follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    response = client.post(
        reverse("login"), {"username": coordinator.username, "password": NEW_PASSWORD}
    )

    assert response.url.startswith(reverse("login-code"))
    assert client.get(reverse("home")).url.startswith(reverse("login-code"))

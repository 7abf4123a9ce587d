"""A session stays alive while its person works, without a write at every page."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts.middleware import REFRESHED_AT

pytestmark = pytest.mark.django_db


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_pages_within_a_minute_do_not_write_the_session(client, coordinator):
    client.force_login(coordinator)
    client.get(reverse("home"))
    first = expiry(client)

    client.get(reverse("home"))
    client.get(reverse("consultations:case-list"))

    assert expiry(client) == first


def test_a_page_a_minute_later_moves_the_idle_timeout_forward(client, coordinator):
    client.force_login(coordinator)
    client.get(reverse("home"))
    session = client.session
    session[REFRESHED_AT] = int(time.time()) - 61
    session.save()
    written = expiry(client)

    client.get(reverse("home"))

    # Written again: the refresh time is now's, and the expiry counts from now.
    assert client.session[REFRESHED_AT] >= int(time.time()) - 5
    assert expiry(client) >= written


def test_a_visitor_without_a_session_gets_none(client):
    client.get(reverse("login"))
    client.get(reverse("alive"))

    assert not Session.objects.exists()

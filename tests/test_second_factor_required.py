"""Row 4: a password alone shows no page with personal data; every page but the few that
lead to the second factor sends a password-only session to the code step."""

import pytest
from django.urls import reverse

from accounts import access
from accounts.tests.factories import TOTPDeviceFactory
from tests.test_login_required import ROUTES

# Every page but those on the way to the second factor. The back office is not in ROUTES: it
# asks for the code on its own login page (accounts/tests/test_admin.py).
GATED = [route for route in ROUTES if not access.open_before_second_factor(route[0])]


def test_row_4_only_the_ways_to_the_code_open_before_it():
    """A page marked public or as a step of signing in opens on a password alone: the list
    is written here again on purpose, so such a mark is never given by accident."""
    assert {name for name, _count in ROUTES if access.open_before_second_factor(name)} == {
        "login",
        "login-code",
        "two-factor-setup",
        "logout",
        "alive",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
    }


def test_the_walk_covers_cases_clients_and_members():
    urls = {reverse(name, args=["1"] * count) for name, count in GATED}
    for prefix in ("/consultations/cases/", "/consultations/clients/", "/members/"):
        assert any(url.startswith(prefix) for url in urls), prefix


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "arg_count"), GATED)
def test_row_4_a_password_only_session_is_sent_to_the_code_step(
    client, coordinator, name, arg_count
):
    TOTPDeviceFactory(user=coordinator)
    client.force_login(coordinator, verified=False)
    url = reverse(name, args=["1"] * arg_count)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, f"{method.__name__.upper()} {url}"
        assert response.url.startswith(f"{reverse('login-code')}?next="), response.url


@pytest.mark.django_db
def test_row_4_the_same_pages_open_after_the_code_step(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("consultations:case-list")).status_code == 200
    assert client.get(reverse("members:member-list")).status_code == 200

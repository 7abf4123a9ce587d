"""The menu shows each role only what it may use."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def menu(client, user):
    client.force_login(user)
    html = client.get(reverse("home")).text
    return html[html.index('<nav class="navbar') : html.index("</nav>")]


@pytest.mark.parametrize("persona", ["counter_staff", "coordinator", "viewer"])
def test_staff_without_back_office_access_do_not_see_its_link(client, persona, request):
    nav = menu(client, request.getfixturevalue(persona))
    assert reverse("admin:index") not in nav
    assert reverse("home") in nav
    assert reverse("password_change") in nav
    assert f'action="{reverse("logout")}"' in nav


def test_managers_see_the_back_office_link(client, manager):
    assert f'href="{reverse("admin:index")}">管理画面</a>' in menu(client, manager)


def test_the_menu_names_the_user_and_their_centre(client, coordinator):
    nav = menu(client, coordinator)
    assert coordinator.name in nav
    assert "金沢ライフサポートセンター" in nav


def test_visitors_see_no_menu_at_all(client):
    html = client.get(reverse("login")).text
    assert f'href="{reverse("password_change")}"' not in html
    assert reverse("logout") not in html

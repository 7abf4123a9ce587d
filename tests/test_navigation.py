"""The menu shows each role only what it may use."""

import re

import pytest
from django.urls import reverse

from consultations.tests.factories import CaseFactory

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


def links(client, url):
    """Each menu link as (text, marked active, marked as the current page)."""
    html = client.get(url).text
    nav = html[
        html.index('<ul class="navbar-nav me-auto">') : html.index('<ul class="navbar-nav">')
    ]
    found = re.findall(
        r'<a class="nav-link( active)?"( aria-current="page")? href="[^"]+">([^<]+)</a>', nav
    )
    return {text: (bool(active), bool(current)) for active, current, text in found}


def test_the_menu_marks_the_page_shown_and_its_section(client, coordinator):
    client.force_login(coordinator)
    case = CaseFactory(center=coordinator.center)
    assert links(client, reverse("consultations:case-list"))["相談案件"] == (True, True)
    # A page of the section: its entry is marked, but is not the current page.
    assert links(client, case.get_absolute_url())["相談案件"] == (True, False)
    # The intake is a page of the same app with an entry of its own.
    intake = links(client, reverse("consultations:intake"))
    assert intake["相談受付"] == (True, True)
    assert intake["相談案件"] == (False, False)
    home = links(client, reverse("home"))
    assert home["ホーム"] == (True, True)
    assert [marked for marked in home.values() if any(marked)] == [(True, True)]

"""CSRF on every state-changing request, no exemptions, and no change by GET (row 27)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.access import ROUTES
from accounts.tests.factories import UserFactory


def every_pattern(patterns=None, namespace=""):
    """(name, pattern) of every URL pattern, the back office's included."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from every_pattern(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", pattern


def url_of(name):
    """The route's URL with placeholder arguments: CSRF and method checks come first."""
    arguments = every_pattern_by_name[name].pattern.regex.groupindex
    return reverse(name, kwargs={argument: "1" for argument in arguments})


every_pattern_by_name = dict(every_pattern())
POST_ONLY = sorted(name for name, rule in ROUTES.items() if rule.post_only)


@pytest.fixture
def csrf_client(client):
    """The `client` fixture's own class (whatever its force_login does), checking CSRF as a
    browser's request is checked."""
    client_class = type(client)
    return client_class(enforce_csrf_checks=True)


@pytest.fixture
def superuser(db):
    """Holds every permission, so that nothing but CSRF or the method can refuse."""
    return UserFactory(is_superuser=True, is_staff=True)


def test_row_27_no_view_is_csrf_exempt():
    exempt = sorted(
        name for name, pattern in every_pattern() if getattr(pattern.callback, "csrf_exempt", False)
    )
    assert exempt == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_row_27_a_post_without_a_csrf_token_is_refused(csrf_client, superuser, name):
    csrf_client.force_login(superuser)
    response = csrf_client.post(url_of(name), {"anything": "1"})
    assert response.status_code == 403
    assert "403_csrf.html" in [template.name for template in response.templates]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["login", "referrals:partner-answer"])
def test_row_27_public_forms_need_the_token_too(csrf_client, name):
    response = csrf_client.post(url_of(name), {"username": "x", "password": "y"})
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("name", POST_ONLY)
def test_row_27_get_on_a_page_that_changes_something_is_405(client, superuser, name):
    client.force_login(superuser)
    assert client.get(url_of(name)).status_code == 405


def test_row_27_the_pages_that_change_something_are_known():
    assert {"logout", "consultations:case-close", "referrals:referral-cancel"} <= set(POST_ONLY)

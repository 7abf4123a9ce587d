"""Deny by default: every page needs a login except the few listed here."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Pages anyone may open. A new public page must be added here on purpose.
PUBLIC = {
    "login",
    "alive",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
# Pages anyone may open with a key in the URL: without a valid one, a plain 404.
PUBLIC_WITH_KEY = {"referrals:partner-answer"}
# The back office has its own login page and its own tests.
OWN_LOGIN = {"admin"}


def named_patterns(patterns=None, namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in OWN_LOGIN:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", len(pattern.pattern.regex.groupindex)


ROUTES = sorted(set(named_patterns()))


def test_the_walk_finds_the_pages():
    assert {"home", "login", "login-code", "logout", "password_change"} <= {
        name for name, _ in ROUTES
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "arg_count"), ROUTES)
def test_anonymous_requests_go_to_the_login_page(client, name, arg_count):
    url = reverse(name, args=["1"] * arg_count)
    for method in (client.get, client.post):
        response = method(url)
        if name in PUBLIC:
            # 405: the reset's "sent" and "done" pages only show a text.
            assert response.status_code in (200, 405), f"{method.__name__.upper()} {url}"
        elif name in PUBLIC_WITH_KEY:
            assert response.status_code == 404
        else:
            assert response.status_code == 302, f"{method.__name__.upper()} {url}"
            assert response.url.startswith(f"{reverse('login')}?next=")

"""Deny by default: every page needs a login except the few the permission matrix
(accounts/access.py) lists as public."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts import access

# Pages anyone may open. A new public page must be entered in the matrix on purpose.
PUBLIC = {name for name, rule in access.ROUTES.items() if rule.scope == access.PUBLIC}
# Pages anyone may open with a key in the URL: without a valid one, a plain 404.
PUBLIC_WITH_KEY = {name for name, rule in access.ROUTES.items() if rule.scope == access.KEY}
# The back office has its own login page and its own tests.
OWN_LOGIN = access.EXEMPT_NAMESPACES


def named_patterns(patterns=None, namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in OWN_LOGIN:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", len(pattern.pattern.regex.groupindex)


def views_without_login(patterns=None, namespace=""):
    """Names of the views marked @login_not_required (LoginRequiredMiddleware lets them by)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace not in OWN_LOGIN:
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from views_without_login(pattern.url_patterns, inner)
        elif not getattr(pattern.callback, "login_required", True):
            yield f"{namespace}{pattern.name}"


ROUTES = sorted(set(named_patterns()))


def test_the_walk_finds_the_pages():
    assert {"home", "login", "login-code", "logout", "password_change"} <= {
        name for name, _ in ROUTES
    }


def test_row_14_public_pages_are_exactly_the_matrix_public_list():
    """A view made @login_not_required without a public matrix entry fails here, and so
    does a matrix entry made public without the view being marked."""
    assert sorted(views_without_login()) == sorted(PUBLIC | PUBLIC_WITH_KEY)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "arg_count"), ROUTES)
def test_row_14_anonymous_requests_go_to_the_login_page(client, name, arg_count):
    url = reverse(name, args=["1"] * arg_count)
    for method in (client.get, client.post):
        response = method(url)
        if name in PUBLIC and access.ROUTES[name].post_only:
            # Logging out: the button pressed after the session timed out still clears
            # the browser (Clear-Site-Data) and leads to the login page.
            expected = 405 if method == client.get else 302
            assert response.status_code == expected, f"{method.__name__.upper()} {url}"
        elif name in PUBLIC:
            # 405: the reset's "sent" and "done" pages only show a text.
            assert response.status_code in (200, 405), f"{method.__name__.upper()} {url}"
        elif name in PUBLIC_WITH_KEY:
            assert response.status_code == 404
        else:
            assert response.status_code == 302, f"{method.__name__.upper()} {url}"
            assert response.url.startswith(f"{reverse('login')}?next=")

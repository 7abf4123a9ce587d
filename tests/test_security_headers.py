"""The browser-facing headers (security.md rows 28, 29 and 47): every answer, error pages
included, carries the same strict set, and signed-in pages are never stored."""

from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from consultations.tests.factories import CaseFactory, ConsultationFactory

pytestmark = pytest.mark.django_db

DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb")


def csp_directives(response):
    """{"script-src": ["'self'", "'nonce-…'"], …} from the response's policy."""
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_security_headers(response):
    headers = response.headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = dict(
        part.strip().split("=", 1) for part in headers["Permissions-Policy"].split(",")
    )
    for feature in DENIED_FEATURES:
        assert permissions[feature] == "()", feature

    policy = csp_directives(response)
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in headers["Content-Security-Policy"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    script_src = policy["script-src"]
    assert script_src[0] == "'self'"
    [nonce] = script_src[1:]
    assert nonce.startswith("'nonce-")
    assert len(nonce) > len("'nonce-'") + 16
    # The page's scripts carry the nonce the header announces.
    assert f'nonce="{nonce[7:-1]}"' in response.content.decode()


@pytest.fixture
def case(center, coordinator):
    case = CaseFactory(center=center, created_by=coordinator)
    ConsultationFactory(case=case)
    return case


@pytest.fixture
def broken_home(monkeypatch):
    """The home page fails with a bug, answered by the project's own 500 handler."""

    def bug(request):
        raise ValueError("a bug")

    monkeypatch.setattr("referrals.views.desk.home_context", bug)


def test_row_28_security_headers_on_the_login_page(client):
    response = client.get(reverse("login"), secure=True)
    assert response.status_code == 200
    assert_security_headers(response)


def test_row_28_security_headers_on_a_case_page(client, coordinator, case):
    client.force_login(coordinator)
    response = client.get(case.get_absolute_url(), secure=True)
    assert response.status_code == 200
    assert_security_headers(response)


def test_row_28_security_headers_on_a_403(client, viewer):
    client.force_login(viewer)
    response = client.get(reverse("consultations:case-list"), secure=True)
    assert response.status_code == 403
    assert_security_headers(response)


def test_row_28_security_headers_on_a_404(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/no-such-page/", secure=True)
    assert response.status_code == 404
    assert_security_headers(response)


def test_row_28_security_headers_on_a_500(client, coordinator, broken_home):
    client.force_login(coordinator)
    client.raise_request_exception = False
    response = client.get(reverse("home"), secure=True)
    assert response.status_code == 500
    assert "Traceback" not in response.text
    assert_security_headers(response)


def test_row_29_a_case_page_is_not_stored(client, coordinator, case):
    client.force_login(coordinator)
    response = client.get(case.get_absolute_url())
    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]


def test_row_29_error_pages_and_downloads_of_a_signed_in_user_are_not_stored(
    client, coordinator, broken_home
):
    client.force_login(coordinator)
    assert "no-store" in client.get("/no-such-page/").headers["Cache-Control"]
    client.raise_request_exception = False
    assert "no-store" in client.get(reverse("home")).headers["Cache-Control"]


def test_row_29_the_liveness_page_keeps_its_caching(client):
    assert "Cache-Control" not in client.get(reverse("alive")).headers


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_row_29_static_files_keep_their_caching_for_a_signed_in_user(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/static/css/lifesupport.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_row_47_no_debug_toolbar_and_no_repository_files_served(client, coordinator):
    assert not [app for app in settings.INSTALLED_APPS if "debug_toolbar" in app]
    assert not [name for name in settings.MIDDLEWARE if "debug_toolbar" in name]
    assert client.get("/.git/HEAD").status_code == 404
    client.force_login(coordinator)
    assert client.get("/.git/HEAD").status_code == 404
    assert client.get("/static/.git/HEAD").status_code == 404
    assert client.get("/static/../.git/HEAD").status_code == 404


# As the browser tests: the live server flushes the tables after the test, and
# serialized_rollback puts back what migrations wrote (content types, roles) for the next.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_row_47_the_loopback_server_does_not_serve_the_repository(live_server):
    for path in ("/.git/HEAD", "/.git/config", "/.env"):
        with pytest.raises(HTTPError) as answer:
            urlopen(f"{live_server.url}{path}", timeout=10)  # noqa: S310 (our own test server)
        assert answer.value.code == 404, path

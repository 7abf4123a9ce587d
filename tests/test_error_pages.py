import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_page_not_found_is_japanese(client, counter_staff):
    client.force_login(counter_staff)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.text
    assert reverse("home") in response.text


def test_anonymous_visitors_get_the_same_page_not_found(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.text


@pytest.fixture
def anonymous_request(rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    return request


def test_permission_denied_is_japanese(anonymous_request):
    response = defaults.permission_denied(anonymous_request, PermissionDenied())
    assert response.status_code == 403
    assert "この操作を行う権限がありません" in response.content.decode()


def test_bad_request_is_japanese(anonymous_request):
    response = defaults.bad_request(anonymous_request, ValueError())
    assert response.status_code == 400
    assert "リクエストを処理できませんでした" in response.content.decode()


def test_server_error_is_japanese_and_shows_no_detail(anonymous_request):
    response = defaults.server_error(anonymous_request)
    body = response.content.decode()
    assert response.status_code == 500
    assert "システム側で問題が起きました" in body
    assert "Traceback" not in body


def test_an_expired_form_says_so_in_japanese(coordinator):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "coordinator", "password": "x"})
    assert response.status_code == 403
    assert "このページの有効期限が切れました" in response.text

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.tests.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def login(client, username, password=DEMO_PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_row_2_the_login_page_is_in_japanese_and_lets_passwords_be_pasted(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert '<html lang="ja">' in response.text
    assert "ライフサポートにログイン" in response.text
    assert 'type="password"' in response.text
    assert "onpaste" not in response.text


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/"


def test_a_login_is_audited_with_the_address(client, coordinator):
    response = login(client, "coordinator", REMOTE_ADDR="192.0.2.7")

    # The password is the first of two steps.
    assert response.status_code == 302
    assert response.url == f"{reverse('login-code')}?next=%2F"
    event = AuditEvent.objects.get()
    assert (event.action, event.user, event.center) == ("login", coordinator, coordinator.center)
    assert event.ip_address == "192.0.2.7"


def test_a_failed_login_is_audited_without_the_password(client, coordinator):
    response = login(client, "coordinator", password="wrong-password-typed")

    assert response.status_code == 200
    assert "正しいユーザー名とパスワードを入力してください" in response.text
    event = AuditEvent.objects.get()
    assert (event.action, event.user, event.username) == ("login_failed", None, "coordinator")
    # Attached to the centre of the account that was tried, for its manager to see.
    assert event.center == coordinator.center
    assert "wrong-password-typed" not in str(event.detail)


def test_a_failed_login_for_an_unknown_name_is_audited_without_a_centre(client, coordinator):
    login(client, "nobody")
    event = AuditEvent.objects.get()
    assert (event.action, event.username, event.center) == ("login_failed", "nobody", None)


def test_row_6_unknown_user_and_wrong_password_get_the_same_answer(client, coordinator):
    unknown = login(client, "nobody", password="wrong-password-typed")
    wrong = login(client, "coordinator", password="wrong-password-typed")
    assert unknown.status_code == wrong.status_code == 200
    # The same page but for the per-request CSRF token and Content-Security-Policy nonce.
    assert unknown.text.replace("nobody", "coordinator") == wrong.text.replace(
        str(wrong.context["csrf_token"]), str(unknown.context["csrf_token"])
    ).replace(str(wrong.context["CSP_NONCE"]), str(unknown.context["CSP_NONCE"]))
    assert sorted(unknown.cookies) == sorted(wrong.cookies)


def test_an_inactive_user_cannot_log_in(client):
    UserFactory(username="left", is_active=False)
    response = login(client, "left")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_row_1_a_new_password_is_stored_as_argon2id(settings):
    from lifesupport import settings as project_settings

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = UserFactory()
    assert user.password.startswith("argon2$argon2id$")


def test_row_1_a_pbkdf2_hash_is_upgraded_to_argon2_at_login(client, settings, coordinator):
    from lifesupport import settings as project_settings

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    coordinator.password = make_password(DEMO_PASSWORD, hasher="pbkdf2_sha256")
    coordinator.save()

    assert login(client, "coordinator").status_code == 302

    coordinator.refresh_from_db()
    assert coordinator.password.startswith("argon2$argon2id$")


def test_logging_in_changes_the_session_key(client, coordinator):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    login(client, "coordinator")
    assert client.session.session_key != before


def test_logout_is_post_only_and_audited(client, coordinator):
    client.force_login(coordinator)

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert AuditEvent.objects.filter(action="logout").count() == 1
    assert client.get(reverse("home")).status_code == 302


def test_a_signed_in_user_who_opens_the_login_page_goes_home(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("login"))
    assert response.status_code == 302
    assert response.url == reverse("home")

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def change(client, new1, new2=None):
    return client.post(
        reverse("password_change"),
        {"old_password": DEMO_PASSWORD, "new_password1": new1, "new_password2": new2 or new1},
    )


def test_staff_change_their_password(client, counter_staff):
    client.force_login(counter_staff)
    response = change(client, "kanazawa no aki wa ame")
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    counter_staff.refresh_from_db()
    assert counter_staff.check_password("kanazawa no aki wa ame")
    # Row 8: audited, without the password.
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE, user=counter_staff)
    assert event.detail["password"] == "changed"
    assert "kanazawa" not in str(event.detail)
    # The session that changed it stays signed in.
    assert client.get(reverse("password_change_done")).status_code == 200


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pass1", "このパスワードは短すぎます。最低 12 文字以上必要です。"),
        ("password1234", "このパスワードは一般的すぎます。"),
    ],
)
def test_row_2_weak_passwords_are_refused_in_japanese(client, counter_staff, password, message):
    client.force_login(counter_staff)
    response = change(client, password)
    assert response.status_code == 200
    assert message in response.text


@pytest.mark.parametrize(
    "password",
    [
        "a" * 6 + "kanazawa" + "z" * 86,  # 100 characters
        "kenrokuenniyuki",  # 15 lower-case letters, no digit or symbol
    ],
)
def test_row_2_long_passwords_without_composition_rules_are_accepted(
    client, counter_staff, password
):
    client.force_login(counter_staff)
    assert change(client, password).status_code == 302


def test_the_password_page_needs_a_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))

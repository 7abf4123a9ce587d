import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import AuditEvent
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_counter_staff_see_their_centre_and_role_but_no_staff_list(client, counter_staff):
    client.force_login(counter_staff)
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert f"ようこそ、{counter_staff.name}さん" in response.text
    assert "金沢ライフサポートセンター" in response.text
    assert "来所・電話の相談を記録" in response.text
    assert "のスタッフ" not in response.text
    assert "管理画面" not in response.text


def test_coordinators_see_the_staff_of_their_own_centre_only(
    client, coordinator, coordinator_elsewhere
):
    colleague = UserFactory(center=coordinator.center, name="同僚 一郎")
    client.force_login(coordinator)

    response = client.get(reverse("home"))

    assert list(response.context["colleagues"]) == sorted(
        [coordinator, colleague], key=lambda user: (user.name_kana, user.username)
    )
    assert "金沢ライフサポートセンターのスタッフ" in response.text
    assert "同僚 一郎" in response.text
    assert coordinator_elsewhere.name not in response.text
    assert "最近の失敗したログイン" not in response.text


def test_managers_see_failed_logins_at_their_centre_and_the_back_office(
    client, manager, coordinator_elsewhere
):
    log_action(
        action=AuditEvent.Action.LOGIN_FAILED, username="manager", center_id=manager.center_id
    )
    log_action(
        action=AuditEvent.Action.LOGIN_FAILED,
        username="coordinator2",
        center_id=coordinator_elsewhere.center_id,
    )
    client.force_login(manager)

    response = client.get(reverse("home"))

    assert [event.username for event in response.context["recent_failed_logins"]] == ["manager"]
    assert "最近の失敗したログイン" in response.text
    assert reverse("admin:index") in response.text


def test_viewers_see_no_names_of_staff(client, viewer, coordinator):
    client.force_login(viewer)
    response = client.get(reverse("home"))
    assert "colleagues" not in response.context
    assert coordinator.name not in response.text
    assert "個人名は表示されません" in response.text


def test_the_home_page_shows_the_previous_login_and_failures_since(client, coordinator):
    earlier = timezone.now() - timezone.timedelta(days=1)
    AuditEvent.objects.create(
        action="login", user=coordinator, username="coordinator", ip_address="192.0.2.1", at=earlier
    )
    AuditEvent.objects.create(action="login_failed", username="coordinator", at=earlier)
    log_action(action=AuditEvent.Action.LOGIN_FAILED, username="coordinator")
    log_action(action=AuditEvent.Action.LOGIN_FAILED, username="coordinator")
    client.force_login(coordinator)  # records the current login

    response = client.get(reverse("home"))

    assert response.context["previous_login"].ip_address == "192.0.2.1"
    assert response.context["failed_logins_since"] == 2
    assert "ログインの失敗が2回" in response.text


def test_a_first_login_says_so(client, coordinator):
    client.force_login(coordinator)
    assert "初めてのログイン" in client.get(reverse("home")).text


def test_home_query_budget_does_not_grow_with_the_staff(
    client, manager, django_assert_max_num_queries
):
    UserFactory.create_batch(12, center=manager.center)
    for _ in range(12):
        log_action(action=AuditEvent.Action.LOGIN_FAILED, username="x", center_id=manager.center_id)
    client.force_login(manager)
    # session, user with their centre, previous login, failed logins since, permissions
    # (one query: accounts.backends), user's groups (roles), staff with their centre, their
    # groups (one prefetch), recent failed logins; then the session is saved for the idle
    # timeout (savepoint, update, release). ...and the second factor's device (django-otp),
    # on every signed-in request.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("home"))
    assert len(response.context["colleagues"]) == 13


def test_staff_who_left_are_not_listed(client, coordinator):
    UserFactory(center=coordinator.center, name="退職 太郎", is_active=False)
    client.force_login(coordinator)
    assert "退職 太郎" not in client.get(reverse("home")).text

"""accounts.backends.StaffBackend: ModelBackend's answers, in fewer queries."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.backends import StaffBackend
from accounts.models import Role, User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def fresh(user):
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("role", list(Role))
def test_permissions_are_modelbackends_for_every_role(role):
    user = UserFactory(roles=[role])
    user.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    expected = ModelBackend().get_all_permissions(fresh(user))
    assert StaffBackend().get_all_permissions(fresh(user)) == expected
    assert "accounts.view_auditevent" in expected


def test_permissions_of_a_superuser_an_inactive_user_and_an_object():
    superuser = UserFactory(is_superuser=True)
    inactive = UserFactory(roles=[Role.MANAGER], is_active=False)
    backend = StaffBackend()
    assert backend.get_all_permissions(fresh(superuser)) == {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type")
    }
    assert backend.get_all_permissions(fresh(inactive)) == set()
    assert backend.get_all_permissions(fresh(superuser), obj=superuser) == set()


def test_permissions_in_one_query_once_per_request(django_assert_num_queries):
    user = fresh(UserFactory(roles=[Role.COORDINATOR, Role.COUNTER]))
    with django_assert_num_queries(1):
        assert user.has_perm("consultations.view_case")
        assert user.has_perm("consultations.add_consultation")
        assert not user.has_perm("accounts.view_auditevent")


def test_the_signed_in_user_comes_with_their_centre(django_assert_num_queries):
    user = UserFactory()
    with django_assert_num_queries(1):
        loaded = StaffBackend().get_user(user.pk)
        assert loaded.center.name == user.center.name


def test_no_user_for_an_unknown_id_or_an_inactive_account():
    assert StaffBackend().get_user(0) is None
    assert StaffBackend().get_user(UserFactory(is_active=False).pk) is None


def test_a_role_taken_away_applies_at_the_next_request(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("referrals:desk")).status_code == 200
    coordinator.set_roles([])
    assert client.get(reverse("referrals:desk")).status_code == 403

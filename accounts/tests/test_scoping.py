import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.audit import log_action
from accounts.models import AuditEvent, User
from accounts.scoping import scoped_to_center
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_user_sees_only_the_rows_of_their_own_centre(coordinator, coordinator_elsewhere):
    colleague = UserFactory(center=coordinator.center)
    UserFactory.create_batch(3, center=coordinator_elsewhere.center)

    visible = scoped_to_center(User.objects.all(), coordinator)

    assert set(visible) == {coordinator, colleague}
    assert not visible.filter(center=coordinator_elsewhere.center).exists()


def test_scoping_follows_a_lookup_path(coordinator, coordinator_elsewhere):
    log_action(action=AuditEvent.Action.LOGIN, user=coordinator)
    log_action(action=AuditEvent.Action.LOGIN, user=coordinator_elsewhere)

    visible = scoped_to_center(AuditEvent.objects.all(), coordinator, field="user__center")

    assert [event.user for event in visible] == [coordinator]


def test_a_user_without_a_centre_sees_nothing(coordinator):
    homeless = UserFactory(center=None)
    assert not scoped_to_center(User.objects.all(), homeless).exists()


def test_superusers_get_no_exception(coordinator, coordinator_elsewhere):
    boss = UserFactory(center=coordinator.center, is_superuser=True)
    assert coordinator_elsewhere not in scoped_to_center(User.objects.all(), boss)


def test_anonymous_users_see_nothing(coordinator):
    assert not scoped_to_center(User.objects.all(), AnonymousUser()).exists()


def test_querysets_expose_the_scope_as_visible_to(coordinator, coordinator_elsewhere):
    log_action(action=AuditEvent.Action.LOGIN, user=coordinator_elsewhere)
    assert coordinator_elsewhere not in User.objects.visible_to(coordinator)
    assert not AuditEvent.objects.visible_to(coordinator).exists()
    assert AuditEvent.objects.visible_to(coordinator_elsewhere).count() == 1


def test_scoping_reads_the_centre_at_each_call(coordinator, other_center):
    """A move to another centre applies at the next request: nothing is cached."""
    coordinator.center = other_center
    coordinator.save()
    assert set(User.objects.visible_to(coordinator)) == {coordinator}

import io

import factory.random
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from accounts.audit import log_action
from accounts.demo import seed_staff
from accounts.japanese import normalize_kana
from accounts.models import AuditEvent, Center, Role, User
from accounts.tests.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def seed():
    """The whole demo, as `make run` loads it."""
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def seed_staff_only():
    """The staff step alone, seeded as seed_demo seeds it (later steps add rows that
    protect the staff, and take seconds)."""
    factory.random.reseed_random("lifesupport-demo")
    seed_staff()


def people():
    return list(User.objects.order_by("username").values_list("username", "name", "name_kana"))


def test_the_demo_has_two_centres_and_one_login_per_role():
    output = seed()

    assert set(Center.objects.values_list("code", flat=True)) == {"KNZ", "KMT"}
    roles = {user.username: (user.center.code, user.roles) for user in User.objects.all()}
    assert roles == {
        "counter": ("KNZ", [Role.COUNTER]),
        "coordinator": ("KNZ", [Role.COORDINATOR]),
        "manager": ("KNZ", [Role.COORDINATOR, Role.MANAGER]),
        "viewer": ("KNZ", [Role.VIEWER]),
        "counter2": ("KMT", [Role.COUNTER]),
        "coordinator2": ("KMT", [Role.COORDINATOR]),
    }
    assert all(user.check_password(DEMO_PASSWORD) for user in User.objects.all())
    assert list(User.objects.filter(is_staff=True).values_list("username", flat=True)) == [
        "manager"
    ]
    assert not User.objects.filter(is_superuser=True).exists()
    assert DEMO_PASSWORD in output
    assert "coordinator2" in output


def test_demo_people_have_japanese_names_with_their_reading():
    seed_staff_only()
    for _username, name, kana in people():
        assert len(name.split(" ")) == len(kana.split(" ")) == 2
        assert normalize_kana(kana) == kana


def test_the_demo_is_the_same_every_time():
    seed_staff_only()
    first = people()
    User.objects.all().delete()
    seed_staff_only()
    assert people() == first


def test_running_it_again_resets_the_demo_even_after_use():
    seed_staff_only()
    before = people()
    counter = User.objects.get(username="counter")
    log_action(action=AuditEvent.Action.LOGIN, user=counter)  # protects the row
    counter.set_password("changed by someone")
    counter.set_roles([])
    counter.save()

    seed_staff_only()

    counter.refresh_from_db()
    assert counter.check_password(DEMO_PASSWORD)
    assert counter.roles == [Role.COUNTER]
    assert people() == before


@pytest.mark.parametrize("real", ["user", "centre"])
def test_it_refuses_a_database_with_real_data(real):
    if real == "user":
        UserFactory(username="yamada", center=None)
    else:
        Center.objects.create(name="本部", code="HQ")

    with translation.override("en"), pytest.raises(CommandError, match="not the demo's"):
        seed()
    assert not User.objects.filter(username="counter").exists()

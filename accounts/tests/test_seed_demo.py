import io
from base64 import b32decode

import factory.random
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.audit import log_action
from accounts.demo import DEMO_STAFF, demo_totp_secret, seed_staff
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


def test_row_7_after_migrate_and_seed_there_is_no_default_account():
    # migrate makes no user at all; seed_demo makes the six named demo logins only.
    assert not User.objects.exists()
    seed_staff_only()
    usernames = set(User.objects.values_list("username", flat=True))
    assert not usernames & {"admin", "administrator", "root", "superuser", "test", "user"}
    assert not User.objects.filter(is_superuser=True).exists()
    for user in User.objects.all():
        for guess in ("admin", "root", "password", "lifesupport", "changeme"):
            assert not user.check_password(guess)


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
    assert "oathtool --totp -b" in output


def test_each_demo_login_has_an_authenticator_with_the_printed_secret():
    from django_otp.oath import TOTP

    seed_staff_only()
    for username, *_rest in DEMO_STAFF:
        device = TOTPDevice.objects.get(user__username=username)
        assert device.confirmed
        secret = demo_totp_secret(username)
        assert b32decode(secret) == device.bin_key
        # The code an app makes from the printed secret is accepted.
        assert device.verify_token(TOTP(b32decode(secret)).token())


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

import time

import factory
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from factory.django import DjangoModelFactory

from accounts.models import Center, User

DEMO_PASSWORD = "lifesupport-demo"


class CenterFactory(DjangoModelFactory):
    class Meta:
        model = Center
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"ライフサポートセンター{n}")
    code = factory.Sequence(lambda n: f"C{n:03d}")
    postcode = "920-0853"
    address = "石川県金沢市本町2-15-1"
    phone = factory.Sequence(lambda n: f"076-200-{n % 10000:04d}")


class UserFactory(DjangoModelFactory):
    """A member of staff with a coherent Japanese name and its reading.

    `roles` takes Role members: UserFactory(roles=[Role.COORDINATOR]).
    """

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        family = factory.Faker("last_name_pair", locale="ja_JP")
        given = factory.Faker("first_name_pair", locale="ja_JP")

    username = factory.Sequence(lambda n: f"staff{n}")
    name = factory.LazyAttribute(lambda o: f"{o.family[0]} {o.given[0]}")
    name_kana = factory.LazyAttribute(lambda o: f"{o.family[1]} {o.given[1]}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.jp")
    center = factory.SubFactory(CenterFactory)
    password = factory.django.Password(DEMO_PASSWORD)

    @factory.post_generation
    def roles(self, create, roles):
        if create and roles:
            self.set_roles(roles)


class TOTPDeviceFactory(DjangoModelFactory):
    """A confirmed authenticator app (a random secret unless `key` is given, in hex)."""

    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "authenticator app"
    confirmed = True


def totp_code(device):
    """The code the user's app shows now; or, when this 30-second step's code was already
    used, the next step's (the device accepts one step ahead)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step
    return f"{totp.token():0{device.digits}d}"

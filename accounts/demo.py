"""Demo staff: two centres in Ishikawa and one login per role, for `manage.py seed_demo`.

The command lives in the rightmost app that has demo data and calls `seed_staff()` first.
"""

import hashlib
from base64 import b32encode

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Center, Role, User

DEMO_CENTERS = [
    {
        "code": "KNZ",
        "name": "金沢ライフサポートセンター",
        "postcode": "920-0853",
        "address": "石川県金沢市本町2-15-1 ポルテ金沢6階",
        "phone": "076-231-7700",
    },
    {
        "code": "KMT",
        "name": "小松ライフサポートセンター",
        "postcode": "923-0921",
        "address": "石川県小松市土居原町10-1",
        "phone": "0761-22-7700",
    },
]
# username, centre code, roles, is_staff (may open the back office)
DEMO_STAFF = [
    ("counter", "KNZ", [Role.COUNTER], False),
    ("coordinator", "KNZ", [Role.COORDINATOR], False),
    ("manager", "KNZ", [Role.MANAGER, Role.COORDINATOR], True),
    ("viewer", "KNZ", [Role.VIEWER], False),
    ("counter2", "KMT", [Role.COUNTER], False),
    ("coordinator2", "KMT", [Role.COORDINATOR], False),
]


def demo_totp_key(username):
    """A demo login's fixed authenticator secret, in hex as TOTPDevice stores it: the same
    on every machine, so the printed secret keeps working after a reseed."""
    # 20 bytes, the secret length of RFC 4226; a fixed derivation, not a protection.
    seed = f"lifesupport-demo:{username}".encode()
    return hashlib.sha1(seed, usedforsecurity=False).hexdigest()


def demo_totp_secret(username):
    """The same secret in base32, as authenticator apps and `oathtool -b` take it."""
    return b32encode(bytes.fromhex(demo_totp_key(username))).decode()


def refuse_real_data():
    """Raise CommandError when the database holds users or centres that are not the demo's."""
    demo_users = [username for username, *_rest in DEMO_STAFF]
    demo_codes = [center["code"] for center in DEMO_CENTERS]
    if (
        User.objects.exclude(username__in=demo_users).exists()
        or Center.objects.exclude(code__in=demo_codes).exists()
    ):
        raise CommandError(
            _(
                "This database holds data that is not the demo's: seed_demo changes nothing. "
                "Use an empty database for the demo."
            )
        )


def seed_staff():
    """Create the demo centres and staff, or reset them in place; return the users.

    Names come from factory_boy's Faker, so the caller reseeds factory.random first.
    """
    # The factories (and Faker) are development dependencies: import them only here.
    from .tests.factories import DEMO_PASSWORD, CenterFactory, UserFactory

    centers = {data["code"]: CenterFactory(**data) for data in DEMO_CENTERS}
    users = []
    for username, code, roles, is_staff in DEMO_STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = UserFactory(
                username=username, center=centers[code], roles=roles, is_staff=is_staff
            )
        else:
            # Audit events protect existing users: reset them in place.
            user.center, user.is_staff, user.is_active = centers[code], is_staff, True
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.set_roles(roles)
        # Every login needs the second factor: a confirmed app with the printed secret.
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(
            user=user, name=_("Authenticator app"), key=demo_totp_key(username), confirmed=True
        )
        users.append(user)
    return users

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Center, Role, User

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


class Command(BaseCommand):
    help = (
        "Load the demo: two centres in Ishikawa and one staff member per role, all with "
        "the same printed password. Safe to run again; refuses to touch a database that "
        "holds anything but demo data. Run by `make run`, never in production."
    )

    def handle(self, *args, **options):
        # The factories (and Faker) are development dependencies: import them only here.
        import factory.random

        from accounts.tests.factories import DEMO_PASSWORD, CenterFactory, UserFactory

        self.refuse_real_data()
        factory.random.reseed_random("lifesupport-demo")
        with transaction.atomic():
            centers = {data["code"]: CenterFactory(**data) for data in DEMO_CENTERS}
            for username, code, roles, is_staff in DEMO_STAFF:
                user = User.objects.filter(username=username).first()
                if user is None:
                    UserFactory(
                        username=username, center=centers[code], roles=roles, is_staff=is_staff
                    )
                else:
                    # Audit events protect existing users: reset them in place.
                    user.center, user.is_staff, user.is_active = centers[code], is_staff, True
                    user.set_password(DEMO_PASSWORD)
                    user.save()
                    user.set_roles(roles)

        self.stdout.write(self.style.SUCCESS("Demo data is ready. Log in with:"))
        for username, code, roles, _is_staff in DEMO_STAFF:
            role_names = "・".join(role.value for role in roles)
            self.stdout.write(f"  {username:<13} {DEMO_PASSWORD}   {role_names}（{code}）")

    def refuse_real_data(self):
        demo_users = [username for username, *_ in DEMO_STAFF]
        demo_codes = [center["code"] for center in DEMO_CENTERS]
        if (
            User.objects.exclude(username__in=demo_users).exists()
            or Center.objects.exclude(code__in=demo_codes).exists()
        ):
            raise CommandError(
                "This database holds data that is not the demo's: seed_demo changes nothing. "
                "Use an empty database for the demo."
            )

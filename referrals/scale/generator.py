"""The generation's order and shared state: the region, its centres and staff, the
taxonomy, the random source and the writer; the parts read them from here."""

import datetime
import random
import time
import uuid
import zoneinfo

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Center, Role, User
from consultations import demo as consultations_demo
from members.demo import TYPES
from members.models import MembershipType
from network.models import Municipality, Prefecture, Topic

from . import consultations, members, partners, referrals
from .base import FAMILY_NAMES, GIVEN_NAMES, Part, Picker, Result, Writer

STAFF = {Role.COUNTER: 4, Role.COORDINATOR: 2}
TOPIC_SHARES = consultations_demo.TOPIC_WEIGHTS  # codes missing weigh 1


class Generator:
    """Plans and writes the region's data; `run()` returns a Result."""

    def __init__(self, scale, *, seed, batch_size=5000, use_copy=None, report=None):
        self.scale = scale
        self.rng = random.Random(seed)  # noqa: S311 (invented data, not secrets)
        self.zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.today = timezone.localdate()
        # The data ends at the start of today, so that no contact lies in the future and
        # two runs on the same day give the same rows.
        self.end = datetime.datetime.combine(self.today, datetime.time(), self.zone)
        self.first_day = self.today - relativedelta(years=scale.years)
        if use_copy is None:
            use_copy = connection.vendor == "postgresql"
        self.writer = Writer(batch_size=batch_size, use_copy=use_copy, now=timezone.now())
        self.report = report or (lambda part: None)
        self.result = Result(copy=use_copy)
        self._labels = {}

    def run(self):
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Check each row's keys as it is written rather than queue millions of
                # checks for the commit; the tables are written in dependency order.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self._timed("region", self.region)
            self._timed("directory", lambda: partners.generate(self))
            self._timed("members", lambda: members.generate(self))
            self._timed("consultations", self._consultations)
            self._timed("referrals", lambda: referrals.write(self))
            self.writer.finish()
        self._timed("statistics", self.writer.analyse)
        return self.result

    def _consultations(self):
        """Clients, cases and consultations; the referrals are planned before the cases
        are written, as they decide the cases' status."""
        clients, cases, contacts = consultations.plan(self)
        referrals.plan(self, cases)
        consultations.settle(self, cases)
        return consultations.write(self, clients, cases, contacts)

    def _timed(self, name, step):
        started = time.monotonic()
        counts = step()
        part = Part(name, counts, time.monotonic() - started)
        self.result.parts.append(part)
        self.report(part)

    # ── helpers for the parts ───────────────────────────────────────────────────────

    def chance(self, probability):
        return self.rng.random() < probability

    def at(self, day, hour, minute=None):
        minute = self.rng.randrange(60) if minute is None else minute
        return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.zone)

    def office_time(self, day):
        return self.at(day, self.rng.randint(9, 17))

    def person(self, gender=None):
        """(family name and reading, given name and reading) for a woman or a man."""
        family = self.rng.choice(FAMILY_NAMES)
        names = GIVEN_NAMES.get(gender) or GIVEN_NAMES[self.rng.choice(["female", "male"])]
        return family, self.rng.choice(names)

    def hsds_id(self, row_id):
        """A random UUID that ends in the row's id, so that a second run (--force) with
        the same seed gives new ones."""
        return uuid.UUID(int=(self.rng.getrandbits(96) << 32) | row_id, version=4)

    def label(self, choice):
        """The translated label of a choice, looked up once."""
        if choice not in self._labels:
            self._labels[choice] = str(choice.label)
        return self._labels[choice]

    # ── the region: centres, staff, membership types, the taxonomy ─────────────────

    def region(self):
        prefecture = Prefecture.objects.filter(is_served=True).order_by("code").first()
        if prefecture is None:
            # The demo's region, 石川県, as seed_demo serves it.
            prefecture = Prefecture.objects.get(code="17")
            prefecture.is_served = True
            prefecture.save(update_fields=["is_served"])
        self.places = list(Municipality.objects.filter(prefecture=prefecture).order_by("code"))
        # Centres in the cities first (codes 2xx), in code order: the capital first.
        cities = sorted(self.places, key=lambda m: (m.code[2] != "2", m.code))
        self.centres = []
        for municipality in cities[: self.scale.centres]:
            centre, _created = Center.objects.get_or_create(
                code=f"LS{municipality.code}",
                defaults={"name": f"{municipality.name}ライフサポートセンター"},
            )
            centre.municipality = municipality
            self.centres.append(centre)
        # The capital's centre is the busiest, the others by their rank; people live
        # in the cities more than in the towns.
        self.centre_picker = Picker({i: 1 / (i + 1) for i in range(len(self.centres))})
        self.residence = Picker(
            {m.pk: (3 if m.code[2] == "2" else 1) for m in self.places} | {None: 2}
        )
        staff = self._staff()
        self._membership_types()
        self.topics = {t.code: t for t in Topic.objects.select_related("category").order_by("code")}
        self.topic_picker = Picker({code: TOPIC_SHARES.get(code, 1) for code in self.topics})
        by_field = {}
        for code, topic in self.topics.items():
            by_field.setdefault(topic.category.code, {})[code] = TOPIC_SHARES.get(code, 1)
        self.field_pickers = {code: Picker(weights) for code, weights in by_field.items()}
        return {"centres": len(self.centres), "staff": staff}

    def _staff(self):
        """Counter staff and coordinators per centre (ids by centre index), with no
        password: nobody logs in as them."""
        self.takers, self.coordinators, self.staff_names = {}, {}, {}
        for index, centre in enumerate(self.centres):
            self.takers[index], self.coordinators[index] = [], []
            for role, count in STAFF.items():
                for number in range(1, count + 1):
                    user = self._staff_member(centre, role, number)
                    self.staff_names[user.pk] = user.name
                    self.takers[index].append(user.pk)
                    if role == Role.COORDINATOR:
                        self.coordinators[index].append(user.pk)
        return sum(len(ids) for ids in self.takers.values())

    def _staff_member(self, centre, role, number):
        slug = "counter" if role == Role.COUNTER else "coordinator"
        username = f"{centre.code.lower()}-{slug}{number}"
        # Drawn even for an existing user, so that the rest of the data does not change.
        (family, family_kana), (given, given_kana) = self.person()
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                name=f"{family} {given}",
                name_kana=f"{family_kana} {given_kana}",
                email=f"{username}@example.jp",
                center=centre,
            )
            user.set_unusable_password()
            user.save()
            user.set_roles([role])
        return user

    def _membership_types(self):
        """The demo's six types, unless the register has them already."""
        self.types = {}
        for code, name, holder, fee, expires, grace, admin_only, description in TYPES:
            self.types[code], _created = MembershipType.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "holder": holder,
                    "annual_fee": fee,
                    "expires": expires,
                    "grace_months": grace,
                    "admin_only": admin_only,
                    "description": description,
                },
            )

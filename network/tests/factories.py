import datetime

import factory
from factory.django import DjangoModelFactory

from network.models import Contact, Municipality, Organisation, Schedule, Service, Topic


def municipality(code):
    """A municipality loaded by migration 0002, e.g. municipality("17201") for 金沢市."""
    return Municipality.objects.get(code=code)


def topic(code):
    """A topic loaded by migration 0003, e.g. topic("W1-01") for 解雇."""
    return Topic.objects.get(code=code)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"支援団体{n}")
    name_kana = factory.Sequence(lambda n: "シエンダンタイ " + "アイウエオカキクケコ"[n % 10])
    kind = Organisation.Kind.NPO
    description = "地域の暮らしの相談を受けています。"
    postcode = "920-0853"
    address = "石川県金沢市本町1-1-1"
    municipality = factory.LazyFunction(lambda: municipality("17201"))
    phone = factory.Sequence(lambda n: f"076-300-{n % 10000:04d}")
    tie = Organisation.Tie.REFERRAL


class ServiceFactory(DjangoModelFactory):
    """`topics` and `areas` take codes: ServiceFactory(topics=["W1-01"], areas=["17201"])."""

    class Meta:
        model = Service
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"相談窓口{n}")
    description = "予約制です。"

    @factory.post_generation
    def topics(self, create, codes):
        if create and codes:
            self.topics.set(Topic.objects.filter(code__in=codes))

    @factory.post_generation
    def areas(self, create, codes):
        if create and codes:
            self.areas.set(Municipality.objects.filter(code__in=codes))


class ScheduleFactory(DjangoModelFactory):
    """毎月第2火曜 13:00–16:00 unless told otherwise."""

    class Meta:
        model = Schedule

    service = factory.SubFactory(ServiceFactory)
    freq = Schedule.Frequency.MONTHLY
    byday = "2TU"
    opens_at = datetime.time(13, 0)
    closes_at = datetime.time(16, 0)
    description = "弁護士相談（要予約）"


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    class Params:
        family = factory.Faker("last_name_pair", locale="ja_JP")
        given = factory.Faker("first_name_pair", locale="ja_JP")

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.LazyAttribute(lambda o: f"{o.family[0]} {o.given[0]}")
    name_kana = factory.LazyAttribute(lambda o: f"{o.family[1]} {o.given[1]}")
    qualification = Contact.Qualification.STAFF
    phone = factory.Sequence(lambda n: f"090-1000-{n % 10000:04d}")

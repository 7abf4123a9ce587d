import datetime

import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import CenterFactory
from members.models import Benefit, Fee, Member, MembershipType, Payment
from network.models import Organisation
from network.tests.factories import OrganisationFactory


class MembershipTypeFactory(DjangoModelFactory):
    """一般会員-like unless told otherwise: ¥3,000 a year, three months' grace."""

    class Meta:
        model = MembershipType
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"type{n}")
    name = factory.Sequence(lambda n: f"会員種別{n}")
    annual_fee = 3000
    grace_months = 3


class MemberFactory(DjangoModelFactory):
    """A person member numbered by the centre's counter, as registration does."""

    class Meta:
        model = Member

    class Params:
        family = factory.Faker("last_name_pair", locale="ja_JP")
        given = factory.Faker("first_name_pair", locale="ja_JP")

    center = factory.SubFactory(CenterFactory)
    membership_type = factory.SubFactory(MembershipTypeFactory)
    name = factory.LazyAttribute(lambda o: f"{o.family[0]} {o.given[0]}")
    name_kana = factory.LazyAttribute(lambda o: f"{o.family[1]} {o.given[1]}")
    joined_on = datetime.date(2020, 4, 1)
    postcode = "920-0853"
    address = "石川県金沢市本町2-1-1"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        member = model_class(*args, **kwargs)
        if not member.sequence:
            member.assign_number()
        member.save()
        return member


class FeeFactory(DjangoModelFactory):
    class Meta:
        model = Fee

    member = factory.SubFactory(MemberFactory)
    fiscal_year = 2026
    amount = factory.LazyAttribute(lambda o: o.member.membership_type.annual_fee)


class PaymentFactory(DjangoModelFactory):
    """Pays the whole fee unless told otherwise; keeps the fee's paid total."""

    class Meta:
        model = Payment
        skip_postgeneration_save = True

    fee = factory.SubFactory(FeeFactory)
    amount = factory.LazyAttribute(lambda o: o.fee.amount - o.fee.paid)
    paid_on = factory.LazyAttribute(lambda o: datetime.date(o.fee.fiscal_year, 4, 20))
    method = Payment.Method.CASH

    @factory.post_generation
    def refresh(self, create, extracted, **kwargs):
        if create:
            self.fee.refresh_paid()


class BenefitFactory(DjangoModelFactory):
    """`membership_types` takes a list of types."""

    class Meta:
        model = Benefit
        skip_postgeneration_save = True

    partner = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.BUSINESS)
    title = factory.Sequence(lambda n: f"お会計から{n % 20 + 1}%引き")
    how_to_use = "会員証を提示してください。"

    @factory.post_generation
    def membership_types(self, create, types):
        if create and types:
            self.membership_types.set(types)

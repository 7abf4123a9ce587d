import datetime

import factory
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.search import search_key
from accounts.tests.factories import CenterFactory, UserFactory
from consultations.models import (
    Case,
    CaseNumberSequence,
    Client,
    Consent,
    Consultation,
    ConsultationTopic,
    HandoverNote,
)
from consultations.search import BigramUnion
from network.models import Topic


class ClientFactory(DjangoModelFactory):
    """A client with a coherent name and reading (Faker's ja_JP name pairs)."""

    class Meta:
        model = Client

    class Params:
        family = factory.Faker("last_name_pair", locale="ja_JP")
        given = factory.Faker("first_name_pair", locale="ja_JP")

    center = factory.SubFactory(CenterFactory)
    family_name = factory.LazyAttribute(lambda o: o.family[0])
    given_name = factory.LazyAttribute(lambda o: o.given[0])
    family_name_kana = factory.LazyAttribute(lambda o: o.family[1])
    given_name_kana = factory.LazyAttribute(lambda o: o.given[1])
    phone_mobile = factory.Sequence(lambda n: f"090{n % 100000000:08d}")
    created_by = factory.SubFactory(UserFactory, center=factory.SelfAttribute("..center"))


class CaseFactory(DjangoModelFactory):
    class Meta:
        model = Case
        skip_postgeneration_save = True

    center = factory.SubFactory(CenterFactory)
    client = factory.SubFactory(ClientFactory, center=factory.SelfAttribute("..center"))
    title = factory.Faker("sentence", nb_words=3, locale="ja_JP")
    created_by = factory.SubFactory(UserFactory, center=factory.SelfAttribute("..center"))
    assigned_to = factory.SelfAttribute("created_by")
    number = factory.LazyAttribute(
        lambda o: CaseNumberSequence.next_number(o.center.pk, timezone.localdate().year)
    )

    @factory.post_generation
    def search(self, create, extracted):
        if create:
            self.refresh_search_text()
            Case.objects.filter(pk=self.pk).update(
                search_text=self.search_text, search_bigrams=self.search_bigrams
            )


class ConsultationFactory(DjangoModelFactory):
    """A phone consultation on `case`; `topics` takes codes, the first is the main one."""

    class Meta:
        model = Consultation
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory)
    center = factory.SelfAttribute("case.center")
    client = factory.SelfAttribute("case.client")
    received_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))
    channel = Consultation.Channel.PHONE
    taken_by = factory.SelfAttribute("case.created_by")
    duration_minutes = 15
    summary = factory.Faker("paragraph", nb_sentences=2, locale="ja_JP")
    outcome = Consultation.Outcome.ADVICE

    @factory.post_generation
    def topics(self, create, codes):
        if not create:
            return
        # As the intake does: the case's search key takes in every summary.
        Case.objects.filter(pk=self.case_id).update(
            search_text=Concat("search_text", Value(" " + search_key(self.summary))),
            search_bigrams=BigramUnion("search_bigrams", search_key(self.summary)),
        )
        for position, code in enumerate(codes or ["W1-01"]):
            ConsultationTopic.objects.create(
                consultation=self, topic=Topic.objects.get(code=code), is_main=position == 0
            )


class HandoverNoteFactory(DjangoModelFactory):
    class Meta:
        model = HandoverNote

    center = factory.SubFactory(CenterFactory)
    author = factory.SubFactory(UserFactory, center=factory.SelfAttribute("..center"))
    text = factory.Faker("sentence", locale="ja_JP")


class ConsentFactory(DjangoModelFactory):
    """An oral consent in force, today, for one partner (pass `organisation=`)."""

    class Meta:
        model = Consent

    client = factory.SubFactory(ClientFactory)
    method = Consent.Method.ORAL
    recorded_by = factory.SelfAttribute("client.created_by")

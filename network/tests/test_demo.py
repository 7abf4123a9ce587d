import io

import pytest
from django.core.management import call_command

from accounts.japanese import normalize_kana
from network.demo import seed_directory
from network.models import (
    Contact,
    Organisation,
    Prefecture,
    Schedule,
    Service,
    verification_cutoff,
)
from network.tests.factories import OrganisationFactory, municipality

pytestmark = pytest.mark.django_db


def snapshot():
    """Everything a re-run could change, in a stable order."""
    return {
        "organisations": list(
            Organisation.objects.order_by("name").values_list(
                "name", "address", "municipality__code", "verified_on", "updated_at"
            )
        ),
        "services": list(
            Service.objects.order_by("organisation__name", "name").values_list(
                "organisation__name", "name", "updated_at"
            )
        ),
        "schedules": Schedule.objects.count(),
        "contacts": list(Contact.objects.order_by("pk").values_list("name", "name_kana")),
    }


def test_the_demo_directory_has_about_sixty_partners_of_every_kind():
    summary = seed_directory()

    assert summary.created
    assert summary.organisations == Organisation.objects.count() >= 55
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(Organisation.Kind.values)
    assert set(Organisation.objects.values_list("tie", flat=True)) == set(Organisation.Tie.values)
    deeper = Organisation.objects.filter(
        tie__in=[Organisation.Tie.PARTNERSHIP, Organisation.Tie.CONTRACT]
    )
    assert deeper.exists()
    assert not deeper.filter(agreement_date__isnull=True).exists()
    assert Prefecture.objects.get(code="17").is_served


def test_every_partner_is_in_ishikawa_at_a_real_postcode():
    seed_directory()

    for organisation in Organisation.objects.select_related("municipality"):
        assert organisation.municipality.code.startswith("17"), organisation
        assert organisation.address.startswith(f"石川県{organisation.municipality.name}")


def test_every_active_partner_offers_a_service_with_a_topic():
    seed_directory()

    with_topics = Service.objects.active().filter(topics__isnull=False)
    assert (
        not Organisation.objects.active()
        .exclude(pk__in=with_topics.values("organisation"))
        .exists()
    )
    for service in Service.objects.prefetch_related("areas"):
        assert service.serves_all_areas or service.areas.all(), service
        assert (service.fee == Service.Fee.PAID) == bool(service.fee_note), service


def test_the_demo_has_inactive_partners_and_a_closed_service():
    seed_directory()

    assert Organisation.objects.filter(is_active=False).exists()
    assert Service.objects.filter(status=Service.Status.TEMPORARILY_CLOSED).exists()


def test_every_schedule_is_a_possible_rule():
    seed_directory()

    schedules = Schedule.objects.all()
    assert schedules.count() >= 30
    for schedule in schedules:
        schedule.full_clean()
        assert schedule.next_days(1), schedule


def test_contacts_have_japanese_names_with_their_reading():
    seed_directory()

    qualifications = set(Contact.objects.values_list("qualification", flat=True))
    assert {Contact.Qualification.STAFF, Contact.Qualification.LAWYER} <= qualifications
    assert len(qualifications) >= 10
    for name, kana in Contact.objects.values_list("name", "name_kana"):
        assert len(name.split(" ")) == len(kana.split(" ")) == 2
        assert normalize_kana(kana) == kana


def test_a_search_for_dismissal_in_hakusan_finds_several_partners():
    seed_directory()
    hakusan = municipality("17210")

    partners = Organisation.objects.active().serving(topic_code="W1-01", area=hakusan)

    assert partners.count() >= 3
    services = Service.objects.active().serving(topic_code="W1-01", area=hakusan)
    monthly = Schedule.objects.filter(service__in=services, freq=Schedule.Frequency.MONTHLY)
    assert monthly.exists()


def test_some_entries_need_verification_and_the_rest_were_verified_by_the_manager(manager):
    seed_directory()

    stale = Organisation.objects.not_verified_since(verification_cutoff())
    assert 0.1 <= stale.count() / Organisation.objects.count() <= 0.25
    assert stale.filter(verified_on__isnull=True).exists()
    recent = Organisation.objects.exclude(pk__in=stale.values("pk"))
    assert set(recent.values_list("verified_by", flat=True)) == {manager.pk}


def test_running_it_again_changes_nothing():
    seed_directory()
    before = snapshot()

    summary = seed_directory()

    assert not summary.created
    assert summary.organisations == len(before["organisations"])
    assert snapshot() == before


def test_an_existing_directory_is_left_as_it_is():
    OrganisationFactory(name="本物の提携先")

    summary = seed_directory()

    assert not summary.created
    assert list(Organisation.objects.values_list("name", flat=True)) == ["本物の提携先"]


def test_the_directory_is_the_same_every_time():
    seed_directory()
    first = snapshot()
    Organisation.objects.all().delete()

    seed_directory()

    again = snapshot()
    for key in ("organisations", "services"):
        # Dates of the last check and of the last change may differ; the names may not.
        assert [row[:2] for row in again[key]] == [row[:2] for row in first[key]]
    assert again["schedules"] == first["schedules"]
    assert again["contacts"] == first["contacts"]


def test_seed_demo_loads_the_directory_after_the_staff():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    output = out.getvalue()
    assert Organisation.objects.filter(verified_by__username="manager").exists()
    assert f"{Organisation.objects.count()} " in output
    assert f"{Contact.objects.count()}" in output

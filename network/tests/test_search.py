import datetime

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from network.models import Category, Organisation, Service, Topic
from network.tests.factories import (
    ContactFactory,
    OrganisationFactory,
    ScheduleFactory,
    ServiceFactory,
)

URL = reverse("network:search")


@pytest.fixture
def dismissal_partners():
    """A lawyers' day for dismissals in 白山市, and partners that must not match."""
    lawyers = ServiceFactory(
        organisation__name="白山労働相談ネット",
        name="弁護士による労働相談",
        topics=["W1-01", "W1-02"],
        areas=["17210"],
    )
    ScheduleFactory(service=lawyers, byday="2TU", description="弁護士相談（要予約）")
    ServiceFactory(organisation__name="金沢だけの窓口", topics=["W1-01"], areas=["17201"])
    ServiceFactory(organisation__name="債務の窓口", topics=["L3-01"], areas=["17210"])
    ServiceFactory(
        organisation__name="休止中の窓口",
        topics=["W1-01"],
        areas=["17210"],
        status=Service.Status.TEMPORARILY_CLOSED,
    )
    ServiceFactory(
        organisation__name="解散した団体",
        organisation__is_active=False,
        topics=["W1-01"],
        serves_all_areas=True,
    )
    return lawyers


def names(response):
    return [organisation.name for organisation in response.context["page"]]


def test_topic_and_area_find_the_partners_serving_there(client, coordinator, dismissal_partners):
    client.force_login(coordinator)
    response = client.get(URL, {"topic": "W1-01", "area": "17210"})
    assert response.status_code == 200
    assert names(response) == ["白山労働相談ネット"]
    [service] = response.context["page"][0].listed_services
    assert service.next_days[0].date.weekday() == 1  # a Tuesday
    assert "弁護士相談（要予約）" in response.text


def test_a_whole_field_matches_its_topics(client, coordinator, dismissal_partners):
    client.force_login(coordinator)
    response = client.get(URL, {"topic": "W1"})
    assert set(names(response)) == {"白山労働相談ネット", "金沢だけの窓口"}


def test_only_the_matching_services_are_listed_with_a_partner(client, coordinator):
    service = ServiceFactory(name="労働相談", topics=["W1-01"], areas=["17210"])
    ServiceFactory(organisation=service.organisation, name="家計相談", topics=["L3-02"])
    client.force_login(coordinator)
    response = client.get(URL, {"topic": "W1-01"})
    assert [s.name for s in response.context["page"][0].listed_services] == ["労働相談"]


def test_words_match_whatever_the_kana(client, counter_staff):
    OrganisationFactory(name="北陸労働金庫 金沢支店", aliases="ろうきん、労金")
    OrganisationFactory(name="金沢市社会福祉協議会")
    client.force_login(counter_staff)
    for typed in ["ろうきん", "ロウキン", "ﾛｳｷﾝ", "労働金庫　金沢"]:
        assert names(client.get(URL, {"q": typed})) == ["北陸労働金庫 金沢支店"], typed


def test_kind_and_tie_filter(client, coordinator):
    OrganisationFactory(name="法テラス", kind=Organisation.Kind.GOVERNMENT, tie="referral")
    OrganisationFactory(name="市役所", kind=Organisation.Kind.GOVERNMENT, tie="information")
    OrganisationFactory(name="NPO", kind=Organisation.Kind.NPO, tie="referral")
    client.force_login(coordinator)
    assert names(client.get(URL, {"kind": "government", "tie": "referral"})) == ["法テラス"]


def test_open_on_a_date_lists_partners_with_a_specialist_day_then(client, coordinator):
    ScheduleFactory(service__organisation__name="第2火曜", byday="2TU")
    ScheduleFactory(service__organisation__name="毎週水曜", freq="WEEKLY", byday="WE")
    client.force_login(coordinator)
    response = client.get(URL, {"open_on": "2026-12-08"})
    assert names(response) == ["第2火曜"]
    assert response.context["page"][0].listed_services[0].next_days[0].date == datetime.date(
        2026, 12, 8
    )


@pytest.mark.parametrize(
    "query",
    [
        {"open_on": "2026-13-45"},
        {"area": "99999"},
        {"topic": "Z9-99"},
        {"kind": "bank"},
        {"q": "あ" * 500},
        {"page": "not-a-number"},
    ],
)
def test_bad_input_answers_with_the_form_not_an_error(client, coordinator, query):
    client.force_login(coordinator)
    response = client.get(URL, query)
    assert response.status_code == 200


def test_bad_input_is_explained(client, coordinator):
    client.force_login(coordinator)
    response = client.get(URL, {"open_on": "2026-13-45", "area": "99999"})
    form = response.context["form"]
    assert set(form.errors) == {"open_on", "area"}


def test_results_are_paginated(client, coordinator):
    OrganisationFactory.create_batch(23)
    client.force_login(coordinator)
    first = client.get(URL)
    assert len(first.context["page"]) == 20
    assert len(client.get(URL, {"page": 2}).context["page"]) == 3


def test_query_budget_does_not_grow_with_the_results(
    client, coordinator, django_assert_max_num_queries
):
    for _ in range(20):
        service = ServiceFactory(topics=["W1-01", "W1-15"], areas=["17210", "17201"])
        ScheduleFactory(service=service)
        ServiceFactory(organisation=service.organisation, topics=["W1-01"], serves_all_areas=True)
        ContactFactory(organisation=service.organisation)
    client.force_login(coordinator)
    search = {"topic": "W1", "area": "17210", "q": "相談窓口"}
    client.get(URL, search)  # fills the cache and refreshes the session
    # session, user with their centre, the second factor's device (django-otp), permissions
    # (one query: accounts.backends), count, page of partners with their municipality, their
    # services, the services' topics, their schedules, their contacts. The topic and area
    # choices and the topics' search keys come from the cache.
    with django_assert_max_num_queries(10):
        response = client.get(URL, search)
    assert len(response.context["page"]) == 20


def test_viewers_may_search_but_staff_without_a_role_may_not(client, viewer, center):
    client.force_login(viewer)
    assert client.get(URL).status_code == 200
    client.force_login(UserFactory(center=center))
    assert client.get(URL).status_code == 403


def test_the_menu_links_to_the_directory(client, counter_staff):
    client.force_login(counter_staff)
    assert URL in client.get(reverse("home")).text


def test_the_strongest_ties_come_first(client, coordinator):
    for name, tie in [("あ情報", "information"), ("い委託", "contract"), ("う紹介", "referral")]:
        OrganisationFactory(name=name, name_kana=name[0], tie=tie)
    client.force_login(coordinator)
    assert names(client.get(URL)) == ["い委託", "う紹介", "あ情報"]


def test_staff_see_whom_to_call_and_viewers_do_not(client, counter_staff, viewer):
    service = ServiceFactory(topics=["W1-01"])
    ContactFactory(organisation=service.organisation, name="山田 花子", qualification="lawyer")
    client.force_login(counter_staff)
    assert "山田 花子（弁護士" in client.get(URL).text
    client.force_login(viewer)
    assert "山田 花子" not in client.get(URL).text


def test_a_new_topic_is_offered_at_once(client, coordinator):
    # The topic choices are cached; saving a topic forgets them.
    client.force_login(coordinator)
    assert "W9-99" not in client.get(URL).text
    Topic.objects.create(code="W9-99", category=Category.objects.get(code="W1"), name="新しい相談")
    assert "W9-99 新しい相談" in client.get(URL).text

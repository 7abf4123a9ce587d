import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.lists import url_maker
from accounts.search import search_key, search_terms
from network.calendar_jp import closure_reason
from network.models import (
    Category,
    Municipality,
    Organisation,
    Prefecture,
    Schedule,
    Service,
    Topic,
)
from network.tests.factories import (
    OrganisationFactory,
    ScheduleFactory,
    ServiceFactory,
    municipality,
)

pytestmark = pytest.mark.django_db


def test_the_taxonomy_is_loaded_with_its_statistical_mappings():
    assert Category.objects.count() == 11
    assert Topic.objects.count() == 81
    dismissal = Topic.objects.get(code="W1-01")
    assert dismissal.name == "解雇"
    assert dismissal.category.code == "W1"
    assert dismissal.category.domain == Category.Domain.WORK
    assert (dismissal.rengo_category, dismissal.mhlw_category) == ("雇用関係", "解雇")
    harassment = Topic.objects.get(code="W1-15")
    # Power harassment must stay separable: MHLW counts it under its own act since FY2022.
    assert harassment.mhlw_separate_count == "推進法"
    assert Topic.objects.get(code="L3-01").lsc_field == "金融・多重債務"
    assert not Topic.objects.filter(lsc_field="").exists()


def test_every_municipality_is_loaded_with_its_code():
    assert Prefecture.objects.count() == 47
    assert Municipality.objects.count() > 1800
    hakusan = Municipality.objects.get(code="17210")
    assert (hakusan.name, hakusan.prefecture.name, hakusan.full_name) == (
        "白山市",
        "石川県",
        "石川県白山市",
    )


@pytest.mark.parametrize("typed", ["ろうきん", "ロウキン", "ﾛｳｷﾝ", " ろう きん "])
def test_search_keys_ignore_kana_width_and_spaces(typed):
    assert search_key(typed) == "ロウキン"


def test_search_terms_fold_full_width_letters_and_split_on_any_space():
    assert search_terms("ＮＰＯ　金沢") == ["npo", "金沢"]


def test_the_postal_code_fills_in_the_municipality():
    organisation = Organisation(name="白山市社会福祉協議会", kind="shakyo", postcode="924-0871")
    organisation.full_clean()
    assert organisation.municipality.code == "17210"


def test_verify_records_who_and_when(coordinator):
    organisation = OrganisationFactory(verified_on=datetime.date(2020, 4, 1))
    assert organisation.needs_verification
    organisation.verify(by=coordinator)
    organisation.refresh_from_db()
    assert organisation.verified_by == coordinator
    assert organisation.verified_on == datetime.date.today()
    assert not organisation.needs_verification


def test_second_tuesday_lists_the_next_specialist_days():
    schedule = ScheduleFactory(byday="2TU")
    days = schedule.next_days(3, after=datetime.date(2026, 11, 27))
    assert [day.date for day in days] == [
        datetime.date(2026, 12, 8),
        datetime.date(2027, 1, 12),
        datetime.date(2027, 2, 9),
    ]
    assert days[0].opens_at == datetime.time(13, 0)


def test_public_holidays_and_the_year_end_are_skipped():
    schedule = ScheduleFactory(freq=Schedule.Frequency.WEEKLY, byday="MO")
    days = [day.date for day in schedule.next_days(4, after=datetime.date(2026, 12, 21))]
    # Offices close from 29 Dec to 3 Jan; 11 Jan 2027 is 成人の日.
    assert days == [
        datetime.date(2026, 12, 21),
        datetime.date(2026, 12, 28),
        datetime.date(2027, 1, 4),
        datetime.date(2027, 1, 18),
    ]
    assert closure_reason(datetime.date(2026, 12, 29)) != ""
    assert closure_reason(datetime.date(2027, 1, 11)) == "成人の日"


def test_a_schedule_may_be_held_on_holidays():
    schedule = ScheduleFactory(freq=Schedule.Frequency.WEEKLY, byday="MO", closed_on_holidays=False)
    days = [day.date for day in schedule.next_days(2, after=datetime.date(2027, 1, 10))]
    assert days == [datetime.date(2027, 1, 11), datetime.date(2027, 1, 18)]


def test_every_other_week_keeps_its_rhythm_from_the_start_date():
    schedule = ScheduleFactory(
        freq=Schedule.Frequency.WEEKLY,
        interval=2,
        byday="WE",
        valid_from=datetime.date(2026, 12, 2),
    )
    days = [day.date for day in schedule.next_days(3, after=datetime.date(2026, 12, 3))]
    assert days == [
        datetime.date(2026, 12, 16),
        datetime.date(2027, 1, 13),  # 30 Dec falls in the year-end break
        datetime.date(2027, 1, 27),
    ]


def test_no_days_after_the_schedule_ends():
    schedule = ScheduleFactory(valid_to=datetime.date(2026, 12, 31))
    assert [d.date for d in schedule.next_days(3, after=datetime.date(2026, 12, 1))] == [
        datetime.date(2026, 12, 8)
    ]


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"freq": "MONTHLY", "byday": "6TU"}, "byday"),
        ({"freq": "MONTHLY", "byday": "2XX"}, "byday"),
        ({"freq": "WEEKLY", "byday": "2TU"}, "byday"),
        ({"freq": "WEEKLY", "byday": ""}, "byday"),
        ({"freq": "MONTHLY", "byday": ""}, "byday"),
        ({"freq": "MONTHLY", "byday": "", "bymonthday": "32"}, "bymonthday"),
        ({"freq": "WEEKLY", "byday": "MO", "bymonthday": "10"}, "bymonthday"),
        ({"opens_at": datetime.time(16), "closes_at": datetime.time(13)}, "closes_at"),
        (
            {"valid_from": datetime.date(2027, 3, 1), "valid_to": datetime.date(2027, 2, 1)},
            "valid_to",
        ),
        ({"interval": 0}, "interval"),
        # The 31st within February only: a rule that can never happen.
        (
            {
                "byday": "",
                "bymonthday": "31",
                "valid_from": datetime.date(2027, 2, 1),
                "valid_to": datetime.date(2027, 2, 28),
            },
            "__all__",
        ),
    ],
)
def test_schedules_that_cannot_happen_are_rejected(fields, error_field):
    service = ServiceFactory()
    schedule = Schedule(service=service, **{"freq": "MONTHLY", "byday": "2TU", **fields})
    with pytest.raises(ValidationError) as error:
        schedule.full_clean()
    assert error_field in error.value.message_dict


@pytest.mark.parametrize(
    ("fields", "summary"),
    [
        ({"byday": "2TU"}, "Monthly on the 2. Tuesday 13:00–16:00"),
        ({"byday": "-1FR", "opens_at": None, "closes_at": None}, "Monthly on the last Friday"),
        ({"freq": "WEEKLY", "byday": "MO,WE", "opens_at": None}, "Every Monday・Wednesday"),
        (
            {"byday": "", "bymonthday": "10,25", "closes_at": None},
            "Monthly on the 10.・the 25. from 13:00",
        ),
        (
            {"freq": "WEEKLY", "interval": 2, "byday": "SA"},
            "Every other week on Saturday 13:00–16:00",
        ),
    ],
)
def test_schedules_read_as_words(fields, summary):
    schedule = ScheduleFactory.build(**fields)
    with translation.override("en"):
        assert schedule.summary == summary


def test_schedules_read_as_japanese():
    with translation.override("ja"):
        assert ScheduleFactory.build(byday="2TU").summary == "毎月第2火曜日 13:00〜16:00"


def test_serving_finds_a_topic_or_its_whole_field_in_the_area_once():
    hakusan, nonoichi = municipality("17210"), municipality("17212")
    local = ServiceFactory(topics=["W1-01", "W1-02"], areas=["17210", "17201"])
    everywhere = ServiceFactory(topics=["W1-03"], serves_all_areas=True, areas=["17201", "17203"])
    ServiceFactory(topics=["L3-01"], areas=["17210"])
    assert list(Service.objects.serving(topic_code="W1-01", area=hakusan)) == [local]
    assert set(Service.objects.serving(topic_code="W1", area=hakusan)) == {local, everywhere}
    assert list(Service.objects.serving(topic_code="W1", area=nonoichi)) == [everywhere]


def test_text_search_matches_names_aliases_service_texts_and_topic_names():
    rokin = OrganisationFactory(
        name="北陸労働金庫", name_kana="ホクリクロウドウキンコ", aliases="ろうきん"
    )
    food = ServiceFactory(name="フードバンク", description="食料を無料でお渡しします").organisation
    ServiceFactory(topics=["W1-15"], organisation=OrganisationFactory(name="職場の相談室"))
    search = Organisation.objects.matching_text
    assert list(search("ﾛｳｷﾝ")) == [rokin]
    assert list(search("食料　無料")) == [food]
    assert list(search("食料 ローン")) == []
    assert [o.name for o in search("いじめ")] == ["職場の相談室"]


def test_open_on_finds_partners_with_a_specialist_day_that_date():
    second_tuesday = ScheduleFactory(byday="2TU").service.organisation
    ScheduleFactory(freq="WEEKLY", byday="WE")
    closed = ScheduleFactory(byday="2TU", service__status=Service.Status.TEMPORARILY_CLOSED)
    assert list(Organisation.objects.open_on(datetime.date(2026, 12, 8))) == [second_tuesday]
    assert closed.service.organisation not in Organisation.objects.open_on(
        datetime.date(2026, 12, 8)
    )
    assert not Organisation.objects.open_on(datetime.date(2026, 12, 15)).exists()


def test_an_old_every_other_week_schedule_keeps_its_rhythm():
    schedule = ScheduleFactory(
        freq=Schedule.Frequency.WEEKLY, interval=2, byday="WE", valid_from=datetime.date(2015, 4, 1)
    )
    # 2015-04-01 plus a whole number of fortnights.
    days = [day.date for day in schedule.next_days(2, after=datetime.date(2026, 11, 27))]
    assert all((day - datetime.date(2015, 4, 1)).days % 14 == 0 for day in days)
    assert days[0] < datetime.date(2026, 12, 12)
    assert schedule.occurs_on(days[1])
    assert not schedule.occurs_on(days[1] - datetime.timedelta(days=7))


def test_every_other_month_counts_from_the_first_month():
    schedule = ScheduleFactory(interval=2, byday="1MO", valid_from=datetime.date(2026, 1, 15))
    days = [day.date for day in schedule.next_days(3, after=datetime.date(2026, 1, 1))]
    # Not 5 January (before valid_from); 4 May (みどりの日) is skipped, not moved.
    assert days == [
        datetime.date(2026, 3, 2),
        datetime.date(2026, 7, 6),
        datetime.date(2026, 9, 7),
    ]


def test_a_rhythm_needs_a_first_date():
    schedule = Schedule(service=ServiceFactory(), freq="WEEKLY", interval=2, byday="WE")
    with pytest.raises(ValidationError) as error:
        schedule.full_clean()
    assert "valid_from" in error.value.message_dict


def test_a_schedule_that_has_ended_is_still_valid():
    schedule = Schedule(
        service=ServiceFactory(), freq="MONTHLY", byday="2TU", valid_to=datetime.date(2024, 3, 31)
    )
    schedule.full_clean()
    assert schedule.next_days(3) == []


def test_days_are_stored_in_one_spelling():
    schedule = Schedule(service=ServiceFactory(), freq="MONTHLY", byday=" 2tu, 4Tu ")
    schedule.full_clean()
    assert schedule.byday == "2TU,4TU"


def test_a_renamed_topic_is_searched_by_its_new_name_at_once():
    # The topics' search keys are cached; saving a topic forgets them.
    service = ServiceFactory(topics=["W1-15"])
    search = Organisation.objects.matching_text
    assert list(search("いじめ")) == [service.organisation]
    topic = Topic.objects.get(code="W1-15")
    topic.name = "職場のハラスメント"
    topic.save()
    assert list(search("いじめ")) == []
    assert list(search("ハラスメント")) == [service.organisation]


def test_choice_labels_read_as_get_display_does():
    organisation = Organisation(kind="npo", tie="contract")
    assert organisation.kind_label == organisation.get_kind_display()
    assert organisation.tie_label == organisation.get_tie_display()
    assert Organisation(kind="gone").kind_label == "gone"


@pytest.mark.parametrize(
    ("viewname", "values"),
    [
        ("network:organisation-detail", [1, 42, 1234567]),
        ("consultations:case-detail", ["2026-000123", "K 12", "相談", "a?b#c%d"]),
    ],
)
def test_url_maker_gives_what_reverse_gives(viewname, values):
    url = url_maker(viewname)
    assert [url(value) for value in values] == [reverse(viewname, args=[v]) for v in values]

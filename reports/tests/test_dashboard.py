"""The dashboard's figures against a small data set counted by hand, and who sees what."""

import datetime
import zoneinfo

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from consultations.models import Consultation
from consultations.tests.factories import CaseFactory, ConsultationFactory
from members.fiscal import fiscal_year_of
from members.tests.factories import MemberFactory, MembershipTypeFactory, PaymentFactory
from network.models import Category, Organisation
from network.tests.factories import OrganisationFactory, ServiceFactory
from referrals.models import Referral
from referrals.tests.factories import ReferralFactory, referral_in
from reports import statistics
from reports.periods import Period
from reports.statistics import Scope

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
FY2025 = Period(Period.FISCAL_YEAR, 2025)


def at(*args):
    return datetime.datetime(*args, tzinfo=TOKYO)


def consultation(center, received_at, **kwargs):
    return ConsultationFactory(case=CaseFactory(center=center), received_at=received_at, **kwargs)


@pytest.fixture
def heard(center, other_center):
    """Fiscal year 2025 at 金沢: four consultations, and some just outside it."""
    consultation(
        center,
        at(2025, 4, 1, 0, 0),
        channel=Consultation.Channel.PHONE,
        gender="female",
        age=45,
        employment_type="regular",
        topics=["W1-01", "W1-10"],
    )
    consultation(
        center,
        at(2025, 6, 15, 10, 0),
        channel=Consultation.Channel.VISIT,
        gender="male",
        age=19,
        employment_type="part_time",
        topics=["L3-01"],
    )
    consultation(
        center,
        at(2026, 3, 31, 23, 59),
        channel=Consultation.Channel.PHONE,
        gender="female",
        age=80,
        topics=["W1-15", "W1-01"],
    )
    no_topic = consultation(
        center, at(2025, 10, 10, 9, 0), channel=Consultation.Channel.EMAIL, age=None
    )
    no_topic.topic_links.all().delete()
    # Outside the year, and at the other centre.
    consultation(center, at(2026, 4, 1, 0, 0), topics=["W1-01"])
    consultation(center, at(2025, 3, 31, 23, 59), topics=["W1-01"])
    consultation(other_center, at(2025, 5, 1, 12, 0), topics=["W1-01"])


def column(table, j=0):
    return {row.label: row.values[j] for row in table.rows}


def test_consultations_are_counted_once_each_by_month_and_channel(heard, center):
    scope = Scope(FY2025, center)
    by_month = column(statistics.consultations_by_month(scope))
    assert by_month["2025年4月"] == 1
    assert by_month["2025年6月"] == 1
    assert by_month["2025年10月"] == 1
    assert by_month["2026年3月"] == 1
    assert by_month["合計"] == 4
    by_channel = column(statistics.consultations_by_channel(scope))
    assert (by_channel["電話"], by_channel["来所"], by_channel["メール"]) == (2, 1, 1)


def test_fields_count_the_main_concern_and_topics_count_every_topic_marked(heard, center):
    scope = Scope(FY2025, center)
    by_field = column(statistics.consultations_by_field(scope))
    work = str(Category.objects.get(code="W1"))
    money = str(Category.objects.get(code="L3"))
    assert (by_field[work], by_field[money], by_field["主訴の記録なし"]) == (2, 1, 1)
    assert by_field["合計"] == 4
    topics = statistics.topics_marked(scope)
    counts = column(topics)
    # 延べ: five topics marked on three consultations.
    assert counts["合計"] == 5
    assert [row.label.split()[0] for row in topics.rows[:1]] == ["W1-01"]
    assert counts[topics.rows[0].label] == 2


def test_attributes_are_banded_with_unknown_kept(heard, center):
    scope = Scope(FY2025, center)
    ages = column(statistics.consultations_by_age_band(scope))
    assert (ages["19歳以下"], ages["40代"], ages["80歳以上"], ages["不明"]) == (1, 1, 1, 1)
    assert ages["20代"] == 0
    genders = column(statistics.consultations_by_gender(scope))
    assert (genders["女性"], genders["男性"], genders["不明"]) == (2, 1, 1)
    employment = column(statistics.consultations_by_employment_type(scope))
    assert (employment["正社員"], employment["パートタイマー"], employment["不明"]) == (1, 1, 2)


def test_a_field_filter_keeps_consultations_with_any_topic_in_the_field(heard, center):
    scope = Scope(FY2025, center, Category.objects.get(code="W1"))
    assert column(statistics.consultations_by_channel(scope))["合計"] == 2


def test_all_centres_add_up_the_region(heard, center):
    assert column(statistics.consultations_by_channel(Scope(FY2025)))["合計"] == 5


def test_referrals_by_kind_of_partner_and_their_outcomes(center, coordinator):
    npo = ServiceFactory(organisation=OrganisationFactory(kind=Organisation.Kind.NPO))
    office = ServiceFactory(organisation=OrganisationFactory(kind=Organisation.Kind.GOVERNMENT))
    case = CaseFactory(center=center, created_by=coordinator)
    for status in (Referral.Status.ACCEPTED, Referral.Status.DECLINED, Referral.Status.COMPLETED):
        referral_in(status, case=case, service=npo)
    referral_in(Referral.Status.ASKED, case=case, service=office)
    ReferralFactory(case=case, service=office)  # a draft: never asked
    scope = Scope(Period.current_fiscal_year(), center)
    table = statistics.referrals_by_partner_kind(scope)
    npo_row = next(row for row in table.rows if row.label == "NPO")
    assert npo_row.values == [3, 2, 1, 0, 66.7]
    office_row = next(row for row in table.rows if row.label == "行政")
    assert office_row.values == [1, 0, 0, 1, None]
    assert table.rows[-1].values == [4, 2, 1, 1, 66.7]
    outcomes = column(statistics.referral_outcomes(scope))
    assert outcomes[str(Referral.Outcome.RESOLVED.label)] == 1
    assert outcomes["合計"] == 1


def test_follow_ups_by_their_date_late_and_not_done(center, coordinator):
    today = timezone.localdate()
    case = CaseFactory(center=center, created_by=coordinator)
    on_time = referral_in(Referral.Status.FOLLOWING_UP, case=case)
    follow_up = on_time.follow_ups.get()
    assert follow_up.due_on >= follow_up.done_on
    missed = referral_in(Referral.Status.REFERRED, case=case)
    Referral.objects.filter(pk=missed.pk).update(follow_up_on=today - datetime.timedelta(days=1))

    def timeliness(day):
        scope = Scope(Period(Period.FISCAL_YEAR, fiscal_year_of(day)), center)
        return statistics.follow_up_timeliness(scope).rows[-1].values

    yesterday = today - datetime.timedelta(days=1)
    if fiscal_year_of(follow_up.due_on) == fiscal_year_of(yesterday):
        assert timeliness(yesterday) == [1, 0, 1, 2, 50.0]
    else:
        assert timeliness(follow_up.due_on) == [1, 0, 0, 1, 100.0]
        assert timeliness(yesterday) == [0, 0, 1, 1, 0.0]


def test_members_and_fees_in_the_period(center, other_center):
    general = MembershipTypeFactory(name="一般会員")
    MemberFactory(center=center, membership_type=general, joined_on=datetime.date(2020, 5, 1))
    MemberFactory(center=center, membership_type=general, joined_on=datetime.date(2025, 7, 1))
    MemberFactory(
        center=center,
        membership_type=general,
        joined_on=datetime.date(2019, 4, 1),
        left_on=datetime.date(2025, 12, 31),
        leave_reason="request",
    )
    MemberFactory(center=other_center, membership_type=general, joined_on=datetime.date(2020, 5, 1))
    member = MemberFactory(
        center=center, membership_type=general, joined_on=datetime.date(2030, 1, 1)
    )
    PaymentFactory(
        fee__member=member, fee__fiscal_year=2025, amount=3000, paid_on=datetime.date(2025, 8, 1)
    )
    PaymentFactory(
        fee__member=member, fee__fiscal_year=2026, amount=2000, paid_on=datetime.date(2026, 4, 1)
    )
    table = statistics.members_and_fees(Scope(FY2025, center))
    assert table.value("一般会員") == 2
    assert table.rows[0].values == [2, 1, 1, 3000]


# The page


def test_the_page_shows_each_table_with_a_chart_and_the_scope(client, coordinator, heard):
    client.force_login(coordinator)
    response = client.get(reverse("reports:dashboard"), {"period": "fiscal_year", "year": 2025})
    assert response.status_code == 200
    page = response.content.decode()
    assert "令和7年度(2025年度)" in page
    assert "金沢ライフサポートセンター" in page
    assert 'id="by-month-data"' in page
    assert 'id="by-month-chart"' in page
    assert "vendor/chartjs/chart.umd.min.js" in page
    for build in statistics.DASHBOARD.values():
        assert build(Scope(FY2025)).title in page


def test_a_coordinator_sees_only_their_own_centre(client, coordinator, heard, other_center):
    client.force_login(coordinator)
    response = client.get(
        reverse("reports:dashboard"),
        {"period": "fiscal_year", "year": 2025, "center": other_center.pk},
    )
    assert response.context["scope"].center == coordinator.center
    by_channel = response.context["tables"][3][0]
    assert by_channel.rows[-1].values[0] == 4


def test_a_manager_may_count_every_centre(client, manager, heard):
    client.force_login(manager)
    response = client.get(
        reverse("reports:dashboard"), {"period": "fiscal_year", "year": 2025, "center": "all"}
    )
    assert response.context["scope"].center is None
    assert "全センター" in response.content.decode()


def test_a_viewer_sees_small_counts_hidden(client, viewer, heard):
    client.force_login(viewer)
    response = client.get(reverse("reports:dashboard"), {"period": "fiscal_year", "year": 2025})
    page = response.content.decode()
    assert "3未満" in page
    for table, rows, _chart in response.context["tables"]:
        for row, cells in rows:
            for cell in cells:
                if cell.kind == "count" and not cell.hidden:
                    assert cell.value >= 3, (table.slug, row.label)


def test_bad_filters_fall_back_to_the_current_fiscal_year(client, coordinator):
    client.force_login(coordinator)
    response = client.get(
        reverse("reports:dashboard"), {"period": "decade", "year": "x", "month": 13, "category": 9}
    )
    assert response.status_code == 200
    assert response.context["scope"].period == Period.current_fiscal_year()


@pytest.mark.parametrize("period", [("month", 2026, 2), ("year", 2025, 1)])
def test_month_and_calendar_year(client, coordinator, heard, period):
    kind, year, month = period
    client.force_login(coordinator)
    response = client.get(
        reverse("reports:dashboard"), {"period": kind, "year": year, "month": month}
    )
    assert response.context["scope"].period == Period(kind, year, month if kind == "month" else 1)


def test_the_number_of_queries_does_not_grow_with_the_data(
    client, coordinator, center, django_assert_max_num_queries
):
    client.force_login(coordinator)
    url = reverse("reports:dashboard")
    for n in range(3):
        consultation(center, timezone.now() - datetime.timedelta(days=n), topics=["W1-01"])
    with django_assert_max_num_queries(32):
        assert client.get(url).status_code == 200
    for n in range(30):
        consultation(center, timezone.now() - datetime.timedelta(days=n), topics=["L2-01", "W1-13"])
    # Counted again, not served from the cache.
    cache.clear()
    with django_assert_max_num_queries(32):
        assert client.get(url).status_code == 200


# The figures kept in the cache


def test_the_figures_are_kept_and_the_page_says_when_they_were_counted(
    client, coordinator, heard, django_assert_max_num_queries
):
    client.force_login(coordinator)
    url = reverse("reports:dashboard")
    query = {"period": "fiscal_year", "year": 2025}
    first = client.get(url, query)
    # Request: session, user with their centre, permissions (one query:
    # accounts.backends), the second factor's device; the session saved when due (3 with
    # its savepoint). Neither the filter's fields (cached) nor the tables' queries.
    with django_assert_max_num_queries(7):
        second = client.get(url, query)
    assert second.context["counted_at"] == first.context["counted_at"]
    assert second.context["tables"][3][0].rows[-1].values[0] == 4
    counted_at = timezone.localtime(first.context["counted_at"])
    assert f'<time datetime="{counted_at.isoformat()}">' in second.content.decode()


def test_the_fields_offered_come_from_the_cache_and_a_renamed_one_shows_at_once(
    client, coordinator
):
    client.force_login(coordinator)
    url = reverse("reports:dashboard")
    w1 = Category.objects.get(code="W1")
    assert f'<option value="{w1.pk}">W1 {w1.name}</option>' in client.get(url).text
    w1.name = "職場の悩み（改称）"
    w1.save()
    assert f'<option value="{w1.pk}">W1 職場の悩み（改称）</option>' in client.get(url).text
    page = client.get(url, {"category": w1.pk}).text
    assert f'<option value="{w1.pk}" selected>W1 職場の悩み（改称）</option>' in page


def test_another_scope_is_counted_for_itself(client, manager, heard, other_center):
    client.force_login(manager)
    url = reverse("reports:dashboard")
    own = client.get(url, {"period": "fiscal_year", "year": 2025})
    region = client.get(url, {"period": "fiscal_year", "year": 2025, "center": "all"})
    elsewhere = client.get(url, {"period": "fiscal_year", "year": 2025, "center": other_center.pk})
    month = client.get(url, {"period": "month", "year": 2025, "month": 6})
    w1 = Category.objects.get(code="W1").pk
    field = client.get(url, {"period": "fiscal_year", "year": 2025, "category": w1})
    totals = [
        response.context["tables"][3][0].rows[-1].values[0]
        for response in (own, region, elsewhere, month, field)
    ]
    assert totals == [4, 5, 1, 1, 2]


def test_a_viewer_gets_small_counts_hidden_from_figures_a_manager_had_counted(
    client, manager, viewer, heard
):
    url = reverse("reports:dashboard")
    query = {"period": "fiscal_year", "year": 2025}
    client.force_login(manager)
    counted = client.get(url, query)
    client.force_login(viewer)
    response = client.get(url, query)
    assert response.context["counted_at"] == counted.context["counted_at"]
    assert "3未満" in response.content.decode()
    for _table, rows, _chart in response.context["tables"]:
        for _row, cells in rows:
            for cell in cells:
                if cell.kind == "count" and not cell.hidden:
                    assert cell.value >= 3


def test_the_rendered_tables_kept_for_one_user_are_not_shown_to_another(
    client, manager, viewer, heard
):
    """The tables' HTML is cached too: a viewer's hidden counts never reach a manager,
    nor a manager's exact counts a viewer, whoever comes first."""
    url = reverse("reports:dashboard")
    query = {"period": "fiscal_year", "year": 2025}
    for first, second in ((viewer, manager), (manager, viewer), (viewer, manager)):
        client.force_login(first)
        client.get(url, query)
        client.force_login(second)
        page = client.get(url, query).content.decode()
        assert ("3未満" in page) == (second == viewer)


# Denials


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_counter_staff_may_not_see_statistics(client, counter_staff):
    client.force_login(counter_staff)
    assert client.get(reverse("reports:dashboard")).status_code == 403


def test_staff_without_a_centre_need_the_region_permission(client, db):
    client.force_login(UserFactory(center=None, roles=[Role.COORDINATOR]))
    assert client.get(reverse("reports:dashboard")).status_code == 403


# This year's figures on the home page


def test_the_home_page_loads_this_years_figures_for_those_who_see_statistics(
    client, coordinator, counter_staff
):
    client.force_login(coordinator)
    assert reverse("reports:summary") in client.get(reverse("home")).content.decode()
    client.force_login(counter_staff)
    assert reverse("reports:summary") not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("reports:summary")).status_code == 403


def test_this_years_figures(client, coordinator, center, django_assert_max_num_queries):
    for days in range(4):
        consultation(center, timezone.now() - datetime.timedelta(minutes=days + 1))
    client.force_login(coordinator)
    # The second factor's device (django-otp) is read on every signed-in request.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("reports:summary"), headers={"HX-Request": "true"})
    assert response.context["figures"]["this_month"].value == 4
    assert response.context["figures"]["this_year"].value == 4
    assert '<section class="card mb-4"' in response.content.decode()
    assert "<html" not in response.content.decode()
    page = client.get(reverse("reports:summary")).content.decode()
    assert "<html" in page


def test_a_viewer_sees_this_years_small_figures_hidden(client, viewer, center):
    consultation(center, timezone.now() - datetime.timedelta(minutes=1))
    client.force_login(viewer)
    response = client.get(reverse("reports:summary"), headers={"HX-Request": "true"})
    assert response.context["figures"]["this_year"].text == "3未満"


def test_a_total_one_table_must_withhold_is_withheld_in_every_table(center, viewer):
    # Two by phone and two walk-ins: with the total 4 shown, both 2s follow. The table by
    # channel has to withhold it, and so every table of the same consultations does.
    for channel in ["phone", "phone", "visit", "visit"]:
        consultation(center, at(2025, 5, 1, 10, 0), channel=channel, gender="female")
    tables = statistics.dashboard_tables(Scope(FY2025, center))
    for slug in statistics.SHARING_THE_TOTAL:
        table = tables[slug]
        total = len(table.rows) - 1
        assert (total, 0) in table.hidden_cells(), slug
    gender_total = tables["by-gender"].display_rows(suppress=True)[-1][1][0]
    assert gender_total.text == "秘匿"

"""The roll-up pages: the period each counts, whose consultations, what they cost in
queries, and who may not see them."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.tests.factories import CaseFactory, ConsultationFactory
from reports import rollups
from reports.periods import Period
from reports.statistics import Scope
from reports.tests.test_rollups import heard_in_2025, heard_in_fy_2025

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
PAGES = ["reports:rengo", "reports:mhlw", "reports:fields"]


@pytest.fixture
def year_2025(center, other_center):
    heard_in_2025(center, other_center)


@pytest.fixture
def fy_2025(center, other_center):
    heard_in_fy_2025(center, other_center)


def tables(response):
    return {table.slug: table for table, _rows, _chart in response.context["tables"]}


def test_the_rengo_page_counts_the_calendar_year_chosen(client, coordinator, year_2025):
    client.force_login(coordinator)
    # Whatever period the dashboard's filter carries, 連合 counts January to December.
    response = client.get(reverse("reports:rengo"), {"period": "fiscal_year", "year": 2025})
    assert response.status_code == 200
    assert response.context["scope"].period == Period(Period.YEAR, 2025)
    page = response.content.decode()
    assert "令和7年(2025年)" in page
    assert list(tables(response)) == [
        "rengo",
        "rengo-by-gender",
        "rengo-by-age-band",
        "rengo-by-employment-type",
        "rengo-by-industry",
    ]
    assert tables(response)["rengo"].value("合計") == 15
    for table in rollups.rengo_tables(Scope(Period(Period.YEAR, 2025))):
        assert table.title in page
    assert 'id="rengo-chart"' in page
    assert "vendor/chartjs/chart.umd.min.js" in page


def test_the_rengo_page_counts_this_year_by_default(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("reports:rengo"))
    assert response.context["scope"].period == Period(Period.YEAR, timezone.localdate().year)


def test_the_mhlw_page_counts_the_fiscal_year_chosen(client, coordinator, fy_2025):
    client.force_login(coordinator)
    response = client.get(reverse("reports:mhlw"), {"period": "year", "year": 2025})
    assert response.status_code == 200
    assert response.context["scope"].period == Period(Period.FISCAL_YEAR, 2025)
    page = response.content.decode()
    assert "令和7年度(2025年度)" in page
    assert list(tables(response)) == ["mhlw", "mhlw-counted-apart"]
    assert tables(response)["mhlw"].value("解雇", 5) == 1
    assert "延べ" in page


def test_the_mhlw_page_counts_the_current_fiscal_year_by_default(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("reports:mhlw"))
    assert response.context["scope"].period == Period.current_fiscal_year()


def test_the_fields_page_counts_any_period(client, coordinator, year_2025):
    client.force_login(coordinator)
    response = client.get(reverse("reports:fields"), {"period": "month", "year": 2025, "month": 11})
    assert response.context["scope"].period == Period(Period.MONTH, 2025, 11)
    # 11月: consultations 11–15 in the data set; 14 is 金融・多重債務, 15 without a main concern.
    fields = tables(response)["lsc-fields"]
    assert fields.value("労働相談") == 3
    assert fields.value("金融・多重債務") == 1
    assert fields.value("合計") == 5
    assert "令和7年(2025年)11月" in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_a_coordinator_sees_only_their_own_centre(
    client, coordinator, other_center, year_2025, fy_2025, name
):
    client.force_login(coordinator)
    response = client.get(reverse(name), {"year": 2025, "center": other_center.pk})
    assert response.status_code == 200
    assert response.context["scope"].center == coordinator.center
    assert "小松ライフサポートセンター" not in response.content.decode()


def test_other_centres_consultations_are_left_out(client, coordinator_elsewhere, year_2025):
    client.force_login(coordinator_elsewhere)
    response = client.get(reverse("reports:rengo"), {"year": 2025})
    assert tables(response)["rengo"].value("合計") == 1


def test_a_manager_may_count_every_centre(client, manager, year_2025):
    client.force_login(manager)
    response = client.get(reverse("reports:rengo"), {"year": 2025, "center": "all"})
    assert response.context["scope"].center is None
    assert tables(response)["rengo"].value("合計") == 16


@pytest.mark.parametrize("name", PAGES)
def test_the_page_is_marked_current_in_the_reports_menu(client, coordinator, name):
    client.force_login(coordinator)
    page = client.get(reverse(name)).content.decode()
    assert f'active" aria-current="page" href="{reverse(name)}"' in page


def test_download_links_are_for_the_period_counted(client, coordinator, year_2025):
    client.force_login(coordinator)
    response = client.get(reverse("reports:rengo"), {"period": "fiscal_year", "year": 2025})
    query = f"period=year&amp;year=2025&amp;center={coordinator.center.pk}"
    page = response.content.decode()
    assert f'{reverse("reports:export", args=["rengo-by-gender", "xlsx"])}?{query}"' in page


@pytest.mark.parametrize("slug", list(rollups.ROLLUPS))
def test_each_roll_up_table_downloads(client, coordinator, year_2025, slug):
    client.force_login(coordinator)
    url = reverse("reports:export", args=[slug, "csv"])
    response = client.get(url, {"period": "year", "year": 2025})
    assert response.status_code == 200


def consultations(center, n, topics):
    case = CaseFactory(center=center)
    for day in range(n):
        ConsultationFactory(
            case=case,
            received_at=timezone.now() - datetime.timedelta(days=day),
            topics=topics,
            gender=["male", "female", ""][day % 3],
            age=20 + day,
            employment_type=["regular", "part_time", "dispatched", ""][day % 4],
            industry=["E", "P", ""][day % 3],
        )


# Session, user with their centre, permissions (one query: accounts.backends), the field
# select; the session saved again (savepoint, update, release); and for the tables:
# 連合 the topics and 5 aggregates; MHLW the mapped topics' ids, 2 aggregates for 民事
# (延べ, 実件数), the topics counted apart with their ids and their aggregate; the fields
# 1 aggregate. And the second factor's device (django-otp), on every signed-in request.
BUDGETS = {"reports:rengo": 14, "reports:mhlw": 14, "reports:fields": 9}


@pytest.mark.parametrize("name", PAGES)
def test_the_number_of_queries_does_not_grow_with_the_data(
    client, coordinator, center, django_assert_max_num_queries, name
):
    client.force_login(coordinator)
    url = reverse(name)
    consultations(center, 3, ["W1-01"])
    with django_assert_max_num_queries(BUDGETS[name]):
        assert client.get(url).status_code == 200
    consultations(center, 30, ["W1-13", "W1-16", "L2-01"])
    consultations(center, 10, ["L3-01", "W1-06"])
    with django_assert_max_num_queries(BUDGETS[name]):
        assert client.get(url).status_code == 200


# Denials


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_users_are_sent_to_log_in(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", PAGES)
def test_counter_staff_may_not_see_the_roll_ups(client, counter_staff, name):
    client.force_login(counter_staff)
    assert client.get(reverse(name)).status_code == 403

"""The coordinator desk: what waits for an answer, which follow-ups are due, overdue or
coming, and how recent referrals ended."""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role
from accounts.tests.factories import UserFactory
from consultations.tests.factories import CaseFactory
from network.calendar_jp import add_business_days
from referrals.models import Referral
from referrals.tests.factories import referral_in
from referrals.views import desk as desk_views

pytestmark = pytest.mark.django_db

URL = reverse("referrals:desk")
S = Referral.Status


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def make(status, coordinator, service, *, restricted=False, **dates):
    """A referral of a new case of the coordinator's centre, moved to `status`, with
    `dates` (follow_up_on, asked_at, closed_at …) then set exactly."""
    case = CaseFactory(center=coordinator.center, created_by=coordinator, restricted=restricted)
    referral = referral_in(status, case=case, service=service, coordinator=coordinator)
    if dates:
        Referral.objects.filter(pk=referral.pk).update(**dates)
    return referral


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def pks(response, section):
    return [referral.pk for referral in response.context[section]["rows"]]


def test_each_section_lists_its_referrals_in_order(client, coordinator, labour_service, english):
    today = timezone.localdate()
    asked_long_ago = make(S.ASKED, coordinator, labour_service, asked_at=days_ago(10))
    asked_lately = make(S.ASKED, coordinator, labour_service, asked_at=days_ago(2))
    accepted = make(S.ACCEPTED, coordinator, labour_service)
    due = make(S.REFERRED, coordinator, labour_service, follow_up_on=today)
    overdue_3 = make(
        S.FOLLOWING_UP, coordinator, labour_service, follow_up_on=today - datetime.timedelta(3)
    )
    overdue_8 = make(
        S.REFERRED, coordinator, labour_service, follow_up_on=today - datetime.timedelta(8)
    )
    soon = make(S.REFERRED, coordinator, labour_service, follow_up_on=add_business_days(today, 2))
    fifth = make(
        S.FOLLOWING_UP, coordinator, labour_service, follow_up_on=add_business_days(today, 5)
    )
    make(S.REFERRED, coordinator, labour_service, follow_up_on=add_business_days(today, 6))
    completed = make(S.COMPLETED, coordinator, labour_service, closed_at=days_ago(3))
    declined = make(S.DECLINED, coordinator, labour_service, closed_at=days_ago(1))
    make(S.COMPLETED, coordinator, labour_service, closed_at=days_ago(31))
    make(S.DRAFT, coordinator, labour_service)
    make(S.CANCELLED, coordinator, labour_service)
    client.force_login(coordinator)

    response = client.get(URL)

    assert response.status_code == 200
    assert pks(response, "waiting") == [asked_long_ago.pk, asked_lately.pk]
    assert pks(response, "accepted") == [accepted.pk]
    assert pks(response, "due_today") == [due.pk]
    assert pks(response, "overdue") == [overdue_8.pk, overdue_3.pk]
    assert pks(response, "upcoming") == [soon.pk, fifth.pk]
    assert pks(response, "recent") == [declined.pk, completed.pk]
    totals = {section: response.context[section]["total"] for section in desk_sections()}
    assert totals == {
        "waiting": 2,
        "accepted": 1,
        "due_today": 1,
        "overdue": 2,
        "upcoming": 2,
        "recent": 2,
    }
    page = response.text
    assert "waiting 10 days" in page
    # Overdue rows are red and say so in words, not by colour alone.
    assert page.count('class="table-danger"') == 2
    assert "Overdue 8 days" in page
    assert "Overdue 3 days" in page
    assert "Resolved" in page
    assert "Declined（No capacity）" in page
    assert reverse("referrals:referral-detail", args=[due.pk]) in page
    assert due.case.get_absolute_url() in page
    assert due.case.client.full_name in page


def desk_sections():
    return ["waiting", "accepted", "due_today", "overdue", "upcoming", "recent"]


def test_mine_only_keeps_to_the_referrals_i_coordinate(client, center, coordinator, labour_service):
    colleague = UserFactory(center=center, roles=[Role.COORDINATOR])
    today = timezone.localdate()
    mine = make(S.REFERRED, coordinator, labour_service, follow_up_on=today)
    theirs = make(S.REFERRED, colleague, labour_service, follow_up_on=today)
    client.force_login(coordinator)

    assert set(pks(client.get(URL), "due_today")) == {mine.pk, theirs.pk}
    response = client.get(URL, {"mine": "1"})
    assert pks(response, "due_today") == [mine.pk]
    assert response.context["mine"] is True
    assert f'href="{URL}?mine=1"' in response.text


def test_a_section_shows_its_first_rows_and_says_how_many_there_are(
    client, coordinator, labour_service, monkeypatch, english
):
    monkeypatch.setattr(desk_views, "SECTION_ROWS", 2)
    asked = [make(S.ASKED, coordinator, labour_service, asked_at=days_ago(d)) for d in (3, 5, 4)]
    client.force_login(coordinator)

    response = client.get(URL)

    assert pks(response, "waiting") == [asked[1].pk, asked[2].pk]  # the longest waiting
    assert response.context["waiting"]["total"] == 3
    assert "3 referrals" in response.text
    assert "The first 2 are shown." in response.text
    assert 'href="?section=waiting">Show all 3</a>' in response.text


def test_a_section_alone_shows_all_its_rows_page_by_page(
    client, center, coordinator, labour_service, monkeypatch, english
):
    monkeypatch.setattr(desk_views, "SECTION_PAGE_ROWS", 2)
    colleague = UserFactory(center=center, roles=[Role.COORDINATOR])
    asked = [make(S.ASKED, coordinator, labour_service, asked_at=days_ago(d)) for d in (3, 5, 4)]
    make(S.ASKED, colleague, labour_service, asked_at=days_ago(9))
    overdue = make(
        S.REFERRED,
        coordinator,
        labour_service,
        follow_up_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    client.force_login(coordinator)

    first = client.get(URL, {"section": "waiting", "mine": "1"})
    second = client.get(URL, {"section": "waiting", "mine": "1", "page": "2"})

    assert pks(first, "waiting") == [asked[1].pk, asked[2].pk]
    assert pks(second, "waiting") == [asked[0].pk]
    assert first.context["waiting"]["total"] == 3
    assert "waiting 5 days" in first.text
    assert "overdue" not in first.context
    assert overdue.case.number not in first.text
    assert "?section=waiting&amp;mine=1&amp;page=2" in first.text
    assert "Back to the whole desk" in first.text
    assert "Show all" not in first.text


def test_an_unknown_section_shows_the_whole_desk(client, coordinator):
    client.force_login(coordinator)
    response = client.get(URL, {"section": "everything"})
    assert response.status_code == 200
    assert response.context["only"] is None
    assert all(section in response.context for section in desk_sections())
    # No referral at all: every count is 0.
    assert all(response.context[section]["total"] == 0 for section in desk_sections())


def test_counter_staff_may_see_the_desk_but_not_restricted_cases_referrals(
    client, counter_staff, coordinator, labour_service
):
    today = timezone.localdate()
    open_case = make(S.REFERRED, coordinator, labour_service, follow_up_on=today)
    restricted = make(S.REFERRED, coordinator, labour_service, restricted=True, follow_up_on=today)
    client.force_login(counter_staff)

    response = client.get(URL)

    assert response.status_code == 200
    assert pks(response, "due_today") == [open_case.pk]
    assert response.context["due_today"]["total"] == 1
    assert restricted.case.number not in response.text
    # The coordinator sees both.
    client.force_login(coordinator)
    assert set(pks(client.get(URL), "due_today")) == {open_case.pk, restricted.pk}


def test_another_centres_coordinator_sees_none_of_ours(
    client, coordinator, coordinator_elsewhere, labour_service
):
    ours = make(S.ASKED, coordinator, labour_service)
    client.force_login(coordinator_elsewhere)

    response = client.get(URL)

    assert response.status_code == 200
    assert all(response.context[section]["total"] == 0 for section in desk_sections())
    assert ours.case.number not in response.text


@pytest.mark.parametrize("role_holder", ["viewer", "manager"])
def test_roles_without_referrals_are_refused(client, request, role_holder):
    client.force_login(request.getfixturevalue(role_holder))
    assert client.get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("count", [3, 40])
def test_query_budget_does_not_grow_with_referrals(
    client, center, coordinator, labour_service, django_assert_max_num_queries, count
):
    today = timezone.localdate()
    coordinators = [coordinator, UserFactory(center=center, roles=[Role.COORDINATOR])]
    states = itertools.cycle(
        [
            (S.ASKED, {}),
            (S.ACCEPTED, {}),
            (S.REFERRED, {"follow_up_on": today}),
            (S.FOLLOWING_UP, {"follow_up_on": today - datetime.timedelta(days=4)}),
            (S.REFERRED, {"follow_up_on": add_business_days(today, 1)}),
            (S.COMPLETED, {}),
            (S.DECLINED, {}),
        ]
    )
    for n, (status, dates) in zip(range(count), states, strict=False):
        make(status, coordinators[n % 2], labour_service, **dates)
    client.force_login(coordinator)
    # One section alone: its page of rows and their count, instead of the totals.
    with django_assert_max_num_queries(11):
        client.get(URL, {"section": "overdue"})
    # session, user with their centre, permissions (one query: accounts.backends), the six
    # sections' totals (one aggregate), the six sections' first rows (one query: their ids
    # as subqueries, and case, client, service, partner and coordinator joined), and the
    # session save behind the idle timeout (savepoint, update, release): 8 with 3 referrals
    # as with 40.
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert sum(response.context[section]["total"] for section in desk_sections()) == count

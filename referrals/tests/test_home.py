"""The start page: the consultation panels as before, and the desk's counts for those
who follow referrals."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from consultations.tests.factories import CaseFactory, HandoverNoteFactory
from referrals.models import Referral
from referrals.tests.factories import referral_in

pytestmark = pytest.mark.django_db

URL = reverse("home")
DESK = reverse("referrals:desk")
S = Referral.Status


def make(status, coordinator, service, *, restricted=False, **dates):
    case = CaseFactory(center=coordinator.center, created_by=coordinator, restricted=restricted)
    referral = referral_in(status, case=case, service=service, coordinator=coordinator)
    if dates:
        Referral.objects.filter(pk=referral.pk).update(**dates)
    return referral


@pytest.fixture
def desk_referrals(coordinator, coordinator_elsewhere, labour_service):
    """Two waiting for an answer, one due today, three overdue (one of a restricted
    case), and some that count nowhere; and one overdue at another centre."""
    today = timezone.localdate()
    past = today - datetime.timedelta(days=2)
    make(S.ASKED, coordinator, labour_service)
    make(S.ASKED, coordinator, labour_service)
    make(S.REFERRED, coordinator, labour_service, follow_up_on=today)
    make(S.REFERRED, coordinator, labour_service, follow_up_on=past)
    make(S.FOLLOWING_UP, coordinator, labour_service, follow_up_on=past)
    make(S.FOLLOWING_UP, coordinator, labour_service, restricted=True, follow_up_on=past)
    make(S.REFERRED, coordinator, labour_service, follow_up_on=today + datetime.timedelta(1))
    make(S.ACCEPTED, coordinator, labour_service)
    make(S.COMPLETED, coordinator, labour_service)
    make(S.REFERRED, coordinator_elsewhere, labour_service, follow_up_on=past)


def test_coordinators_see_the_desk_counts_linking_to_the_desk(client, coordinator, desk_referrals):
    client.force_login(coordinator)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["referral_counts"] == {"waiting": 2, "due_today": 1, "overdue": 3}
    assert f'href="{DESK}#overdue"' in response.text
    assert 'id="count-overdue">3<' in response.text
    assert "text-bg-danger" in response.text


def test_counter_staff_counts_leave_out_restricted_cases(client, counter_staff, desk_referrals):
    client.force_login(counter_staff)
    counts = client.get(URL).context["referral_counts"]
    assert counts == {"waiting": 2, "due_today": 1, "overdue": 2}


def test_another_centre_counts_only_its_own(client, coordinator_elsewhere, desk_referrals):
    client.force_login(coordinator_elsewhere)
    counts = client.get(URL).context["referral_counts"]
    assert counts == {"waiting": 0, "due_today": 0, "overdue": 1}


@pytest.mark.parametrize("role_holder", ["viewer", "manager"])
def test_roles_without_referrals_see_no_counts(client, request, role_holder, desk_referrals):
    client.force_login(request.getfixturevalue(role_holder))
    response = client.get(URL)
    assert response.status_code == 200
    assert "referral_counts" not in response.context
    assert DESK not in response.text


def test_the_consultation_panels_are_still_there(client, center, counter_staff, coordinator):
    case = CaseFactory(center=center, assigned_to=counter_staff, created_by=counter_staff)
    note = HandoverNoteFactory(center=center, author=coordinator, text="未読のメモ")
    client.force_login(counter_staff)

    response = client.get(URL)

    assert list(response.context["my_cases"]) == [case]
    assert list(response.context["unread_notes"]) == [note]
    assert "未読のメモ" in response.text
    assert "previous_login" in response.context


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("referrals", "cases", "notes"), [(3, 3, 2), (30, 20, 10)])
def test_query_budget_does_not_grow(
    client,
    center,
    counter_staff,
    coordinator,
    labour_service,
    django_assert_num_queries,
    referrals,
    cases,
    notes,
):
    today = timezone.localdate()
    authors = UserFactory.create_batch(3, center=center, roles=[Role.COORDINATOR])
    for n in range(cases):
        CaseFactory(center=center, assigned_to=counter_staff, created_by=authors[n % 3])
    for n in range(notes):
        HandoverNoteFactory(center=center, author=authors[n % 3])
    states = [(S.ASKED, None), (S.REFERRED, today), (S.REFERRED, today - datetime.timedelta(1))]
    for n in range(referrals):
        status, day = states[n % 3]
        make(status, coordinator, labour_service, **({"follow_up_on": day} if day else {}))
    client.force_login(counter_staff)
    # session, user with their centre, previous login, failed logins since, the
    # permissions (one query: accounts.backends), the unread notes with their author, my
    # open cases with their client, assignee and main topic, the referral counts
    # (waiting, due today, overdue: one aggregate), the user's groups (the roles line),
    # the second factor's device (django-otp), and the session save behind the idle
    # timeout (savepoint, update, release): 13 with 3 referrals, 3 cases and 2 notes as
    # with 30, 20 and 10.
    with django_assert_num_queries(13):
        response = client.get(URL)
    assert sum(response.context["referral_counts"].values()) == referrals
    assert len(response.context["my_cases"]) == cases
    assert len(response.context["unread_notes"]) == notes

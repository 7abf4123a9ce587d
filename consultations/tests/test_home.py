"""The home page's consultation panels: my open cases and unread hand-over notes."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from consultations.models import HANDOVER_NOTE_DAYS, Case
from consultations.tests.factories import CaseFactory, HandoverNoteFactory

pytestmark = pytest.mark.django_db

URL = reverse("home")


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def test_my_open_cases_are_the_open_visible_cases_assigned_to_me(
    client, center, counter_staff, coordinator, case, restricted_case, case_elsewhere
):
    mine_restricted = CaseFactory(
        center=center, assigned_to=counter_staff, restricted=True, title="要配慮の件"
    )
    closed = CaseFactory(center=center, assigned_to=counter_staff, title="終わった件")
    closed.close(reason=Case.ClosedReason.RESOLVED, by=counter_staff)
    in_progress = CaseFactory(center=center, assigned_to=counter_staff)
    in_progress.change_status(Case.Status.IN_PROGRESS, by=counter_staff)
    CaseFactory(center=center, assigned_to=coordinator, title="他の人の件")
    client.force_login(counter_staff)

    response = client.get(URL)

    assert response.status_code == 200
    assert {c.pk for c in response.context["my_cases"]} == {
        case.pk,
        mine_restricted.pk,
        in_progress.pk,
    }
    assert "要配慮の件" in response.text
    assert case.number in response.text
    for title in ["終わった件", "他の人の件", restricted_case.title, case_elsewhere.title]:
        assert title not in response.text


def test_unread_notes_are_recent_notes_of_others_not_yet_acknowledged(
    client, center, counter_staff, coordinator, coordinator_elsewhere
):
    unread = HandoverNoteFactory(center=center, author=coordinator, text="未読のメモ")
    acknowledged = HandoverNoteFactory(center=center, author=coordinator, text="既読のメモ")
    acknowledged.acknowledge(counter_staff)
    HandoverNoteFactory(center=center, author=counter_staff, text="自分のメモ")
    HandoverNoteFactory(
        center=center,
        author=coordinator,
        text="古いメモ",
        created_at=days_ago(HANDOVER_NOTE_DAYS + 1),
    )
    HandoverNoteFactory(
        center=coordinator_elsewhere.center, author=coordinator_elsewhere, text="小松のメモ"
    )
    client.force_login(counter_staff)

    response = client.get(URL)

    assert list(response.context["unread_notes"]) == [unread]
    assert "未読のメモ" in response.text
    for text in ["既読のメモ", "自分のメモ", "古いメモ", "小松のメモ"]:
        assert text not in response.text
    # Once read from the home page, it is gone from it.
    client.post(reverse("consultations:handover-note-read", args=[unread.pk]), {"back_to": "home"})
    assert list(client.get(URL).context["unread_notes"]) == []


def test_someone_elses_acknowledgement_does_not_count_as_mine(
    client, center, counter_staff, coordinator
):
    note = HandoverNoteFactory(center=center, author=coordinator)
    note.acknowledge(UserFactory(center=center))
    client.force_login(counter_staff)
    assert list(client.get(URL).context["unread_notes"]) == [note]


@pytest.mark.parametrize("role_holder", ["viewer", "manager"])
def test_viewers_and_managers_see_neither_panel(
    client, request, role_holder, center, coordinator, case
):
    user = request.getfixturevalue(role_holder)
    HandoverNoteFactory(center=center, author=coordinator, text="未読のメモ")
    CaseFactory(center=center, assigned_to=user, title="担当の件")
    client.force_login(user)

    response = client.get(URL)

    assert response.status_code == 200
    assert "my_cases" not in response.context
    assert "unread_notes" not in response.context
    for text in ["未読のメモ", "担当の件", case.title, "山田"]:
        assert text not in response.text


def test_coordinators_see_their_restricted_cases(client, coordinator, restricted_case):
    client.force_login(coordinator)
    assert list(client.get(URL).context["my_cases"]) == [restricted_case]


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("cases", "notes"), [(3, 2), (20, 10)])
def test_query_budget_does_not_grow_with_cases_and_notes(
    client, center, counter_staff, django_assert_max_num_queries, cases, notes
):
    authors = UserFactory.create_batch(3, center=center, roles=[Role.COORDINATOR])
    for n in range(cases):
        CaseFactory(center=center, assigned_to=counter_staff, created_by=authors[n % 3])
    for n in range(notes):
        HandoverNoteFactory(center=center, author=authors[n % 3])
    client.force_login(counter_staff)
    # session, user with their centre, previous login, failed logins since, the
    # permissions (one query: accounts.backends), the second factor's device
    # (django-otp), the unread notes with their author, my open cases with their client,
    # assignee and main topic (one join), the referral counts (one aggregate), the user's
    # groups (the roles line), and the session save behind the idle timeout (savepoint,
    # update, release): 13 with 3 cases and 2 notes as with 20 and 10.
    with django_assert_max_num_queries(13):
        response = client.get(URL)
    assert len(response.context["my_cases"]) == cases
    assert len(response.context["unread_notes"]) == notes

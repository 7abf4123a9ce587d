"""The case page: its timeline, the audit of each view, and the status verbs."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import constants as message_levels
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from consultations.models import Case, CaseEvent
from consultations.tests.factories import CaseFactory, ConsultationFactory
from network.models import Topic

pytestmark = pytest.mark.django_db

VERBS = ["case-change-status", "case-close", "case-reopen", "case-add-note"]


def url(case, name="case-detail"):
    return reverse(f"consultations:{name}", args=[case.number])


def audit_of(case, action):
    return AuditEvent.objects.filter(
        action=action,
        content_type=ContentType.objects.get_for_model(Case),
        object_id=str(case.pk),
    )


def subjects_of(case):
    return {"cases": [case.number], "clients": [case.client_id]}


def message_levels_of(response):
    return [message.level for message in response.context["messages"]]


def ago(**kwargs):
    return timezone.now() - datetime.timedelta(**kwargs)


# The page -------------------------------------------------------------------------------


def test_the_timeline_lists_consultations_and_events_in_time_order(
    client, counter_staff, coordinator, case
):
    first = case.consultations.get()
    first.received_at = ago(days=3)
    first.save()
    CaseEvent.objects.create(
        case=case, kind="note", by=counter_staff, text="折り返し待ち", at=ago(days=2)
    )
    second = ConsultationFactory(case=case, received_at=ago(days=1), summary="会社から回答あり")
    CaseEvent.objects.create(
        case=case,
        kind="status",
        by=coordinator,
        old_value="received",
        new_value="in_progress",
        at=ago(hours=20),
    )
    CaseEvent.objects.create(
        case=case,
        kind="assigned",
        by=coordinator,
        old_value="",
        new_value="担当 一郎",
        at=ago(days=2, hours=12),
    )
    client.force_login(counter_staff)

    response = client.get(url(case))

    assert response.status_code == 200
    timeline = response.context["timeline"]
    assert [entry.kind for entry in timeline] == [
        "consultation",
        "assigned",
        "note",
        "consultation",
        "status",
    ]
    assert timeline[0].item == first
    assert timeline[3].item == second
    text = response.text
    assert text.index(first.summary) < text.index("担当 一郎") < text.index("折り返し待ち")
    assert text.index("折り返し待ち") < text.index("会社から回答あり")
    assert case.number in text
    assert "山田 花子" in text
    assert "090-1234-5678" in text


def test_a_view_is_audited_with_the_case(client, counter_staff, case):
    client.force_login(counter_staff)
    client.get(url(case))
    [event] = audit_of(case, AuditEvent.Action.VIEW)
    assert event.user == counter_staff
    assert event.center == counter_staff.center
    # Whose data it was, by number and id only.
    assert event.detail == {"subjects": {"cases": [case.number], "clients": [case.client_id]}}


def test_anonymous_visitors_are_sent_to_the_login_page(client, case):
    response = client.get(url(case))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role_holder", ["viewer", "manager"])
def test_viewers_and_managers_get_403(client, request, role_holder, case):
    client.force_login(request.getfixturevalue(role_holder))
    assert client.get(url(case)).status_code == 403
    assert not audit_of(case, AuditEvent.Action.VIEW).exists()


def test_another_centres_case_is_404_and_not_audited(client, coordinator, case_elsewhere):
    client.force_login(coordinator)
    assert client.get(url(case_elsewhere)).status_code == 404
    assert not audit_of(case_elsewhere, AuditEvent.Action.VIEW).exists()


def test_an_unknown_number_is_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("consultations:case-detail", args=["2026-999999"])).status_code == 404


def test_a_restricted_case_is_404_to_unassigned_counter_staff_and_not_audited(
    client, counter_staff, restricted_case
):
    client.force_login(counter_staff)
    assert client.get(url(restricted_case)).status_code == 404
    assert not audit_of(restricted_case, AuditEvent.Action.VIEW).exists()


def test_a_restricted_case_is_shown_to_its_assignee_and_the_coordinators(
    client, center, counter_staff, coordinator
):
    restricted = CaseFactory(center=center, restricted=True, assigned_to=counter_staff)
    ConsultationFactory(case=restricted)
    for user in [counter_staff, coordinator]:
        client.force_login(user)
        assert client.get(url(restricted)).status_code == 200
    assert audit_of(restricted, AuditEvent.Action.VIEW).count() == 2


def _case_with(center, *, consultations, events):
    case = CaseFactory(center=center, main_topic=Topic.objects.get(code="W2-01"))
    for n in range(consultations):
        ConsultationFactory(case=case, topics=["W2-01", "W1-01"], received_at=ago(hours=n + 1))
    for n in range(events):
        CaseEvent.objects.create(case=case, kind="note", by=case.created_by, text=f"メモ{n}")
    return case


@pytest.mark.parametrize(("consultations", "events"), [(10, 5), (20, 10)])
def test_query_budget_does_not_grow_with_the_timeline(
    client, center, coordinator, django_assert_max_num_queries, consultations, events
):
    case = _case_with(center, consultations=consultations, events=events)
    client.force_login(coordinator)
    # session, user with their centre, permissions (one query: accounts.backends), the
    # case, the audit event's content type (cached after the first use) and insert, the
    # consultations with who took them, their topic links with the topics (one
    # prefetch), the events with who wrote them, the case's client, assignee and main
    # topic (one each, lazily from the template), and the session save behind the idle
    # timeout (savepoint, update, release): 15 with 10 or 20 consultations.
    with django_assert_max_num_queries(15):
        response = client.get(url(case))
    assert len(response.context["timeline"]) == consultations + events


# Status verbs -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", VERBS)
def test_the_verbs_are_post_only(client, coordinator, case, name):
    client.force_login(coordinator)
    assert client.get(url(case, name)).status_code == 405


@pytest.mark.parametrize("name", VERBS)
def test_the_verbs_need_a_login(client, case, name):
    response = client.post(url(case, name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", VERBS)
@pytest.mark.parametrize("role_holder", ["viewer", "manager"])
def test_viewers_and_managers_may_not_use_the_verbs(client, request, case, name, role_holder):
    client.force_login(request.getfixturevalue(role_holder))
    response = client.post(url(case, name), {"status": "in_progress", "text": "x", "note": "x"})
    assert response.status_code == 403
    assert not case.events.exists()


@pytest.mark.parametrize("name", VERBS)
def test_the_verbs_on_another_centres_case_are_404(client, coordinator, case_elsewhere, name):
    client.force_login(coordinator)
    data = {"status": "in_progress", "reason": "resolved", "text": "x", "note": "x"}
    assert client.post(url(case_elsewhere, name), data).status_code == 404
    assert not case_elsewhere.events.exists()


@pytest.mark.parametrize("name", VERBS)
def test_the_verbs_on_a_hidden_restricted_case_are_404(
    client, counter_staff, restricted_case, name
):
    client.force_login(counter_staff)
    data = {"status": "in_progress", "reason": "resolved", "text": "x", "note": "x"}
    assert client.post(url(restricted_case, name), data).status_code == 404
    assert not restricted_case.events.exists()


def test_change_status_writes_an_event_and_an_audit(client, counter_staff, case):
    client.force_login(counter_staff)

    response = client.post(
        url(case, "case-change-status"), {"status": "in_progress", "note": "会社に連絡する"}
    )

    assert response.status_code == 302
    assert response["Location"] == url(case)
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    assert case.version == 2
    [event] = case.events.all()
    assert (event.kind, event.old_value, event.new_value, event.text, event.by) == (
        "status",
        "received",
        "in_progress",
        "会社に連絡する",
        counter_staff,
    )
    [audit] = audit_of(case, AuditEvent.Action.CHANGE)
    assert audit.user == counter_staff
    assert audit.detail == {"status": "in_progress", "subjects": subjects_of(case)}


@pytest.mark.parametrize("status", ["follow_up", "closed", "received", "lost", ""])
def test_a_status_not_allowed_from_the_current_one_is_refused(client, counter_staff, case, status):
    client.force_login(counter_staff)

    response = client.post(url(case, "case-change-status"), {"status": status}, follow=True)

    assert response.status_code == 200
    assert message_levels_of(response) == [message_levels.ERROR]
    case.refresh_from_db()
    assert (case.status, case.version) == (Case.Status.RECEIVED, 1)
    assert not case.events.exists()
    assert not audit_of(case, AuditEvent.Action.CHANGE).exists()


def test_close_needs_a_reason(client, counter_staff, case):
    client.force_login(counter_staff)

    for data in [{}, {"reason": "bored"}, {"reason": "", "note": "終了"}]:
        response = client.post(url(case, "case-close"), data, follow=True)
        assert message_levels_of(response) == [message_levels.ERROR]

    case.refresh_from_db()
    assert case.is_open
    assert not case.events.exists()
    assert not audit_of(case, AuditEvent.Action.CHANGE).exists()


def test_close_writes_the_reason_an_event_and_an_audit(client, counter_staff, case):
    client.force_login(counter_staff)

    response = client.post(url(case, "case-close"), {"reason": "referred", "note": "法テラスへ"})

    assert response["Location"] == url(case)
    case.refresh_from_db()
    assert (case.status, case.closed_reason) == ("closed", "referred")
    assert case.closed_at is not None
    [event] = case.events.all()
    assert (event.kind, event.old_value, event.new_value, event.reason, event.text) == (
        "status",
        "received",
        "closed",
        "referred",
        "法テラスへ",
    )
    assert audit_of(case, AuditEvent.Action.CHANGE).get().detail == {
        "status": "closed",
        "subjects": subjects_of(case),
    }
    page = client.get(url(case))
    assert page.context["reopen_form"] is not None
    assert page.context["close_form"] is None
    assert page.context["status_form"] is None


def test_closing_a_closed_case_is_refused_and_changes_nothing(client, counter_staff, case):
    case.close(reason=Case.ClosedReason.RESOLVED, by=counter_staff)
    closed_at = Case.objects.get(pk=case.pk).closed_at
    client.force_login(counter_staff)

    response = client.post(url(case, "case-close"), {"reason": "withdrawn"}, follow=True)

    assert message_levels_of(response) == [message_levels.ERROR]
    case.refresh_from_db()
    assert (case.closed_reason, case.closed_at, case.version) == ("resolved", closed_at, 2)
    assert case.events.count() == 1
    assert not audit_of(case, AuditEvent.Action.CHANGE).exists()


def test_a_closed_case_takes_no_other_status(client, counter_staff, case):
    case.close(reason=Case.ClosedReason.RESOLVED, by=counter_staff)
    client.force_login(counter_staff)
    client.post(url(case, "case-change-status"), {"status": "in_progress"})
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.events.count() == 1


def test_reopen_needs_a_note(client, counter_staff, case):
    case.close(reason=Case.ClosedReason.RESOLVED, by=counter_staff)
    client.force_login(counter_staff)

    response = client.post(url(case, "case-reopen"), {"note": ""}, follow=True)

    assert message_levels_of(response) == [message_levels.ERROR]
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.events.count() == 1


def test_reopen_writes_an_event_and_an_audit(client, counter_staff, case):
    case.close(reason=Case.ClosedReason.RESOLVED, by=counter_staff)
    client.force_login(counter_staff)

    response = client.post(url(case, "case-reopen"), {"note": "再度の相談"})

    assert response["Location"] == url(case)
    case.refresh_from_db()
    assert (case.status, case.closed_reason, case.closed_at) == ("in_progress", "", None)
    event = case.events.last()
    assert (event.old_value, event.new_value, event.text) == ("closed", "in_progress", "再度の相談")
    assert audit_of(case, AuditEvent.Action.CHANGE).get().detail == {
        "status": "in_progress",
        "subjects": subjects_of(case),
    }


def test_reopening_an_open_case_is_refused(client, counter_staff, case):
    client.force_login(counter_staff)
    response = client.post(url(case, "case-reopen"), {"note": "再度"}, follow=True)
    assert message_levels_of(response) == [message_levels.ERROR]
    case.refresh_from_db()
    assert (case.status, case.version) == ("received", 1)
    assert not case.events.exists()
    assert not audit_of(case, AuditEvent.Action.CHANGE).exists()


def test_add_note_writes_an_event_and_an_audit(client, counter_staff, case):
    client.force_login(counter_staff)

    response = client.post(url(case, "case-add-note"), {"text": "本人から電話。明日来所。"})

    assert response["Location"] == url(case)
    [event] = case.events.all()
    assert (event.kind, event.text, event.by) == ("note", "本人から電話。明日来所。", counter_staff)
    [audit] = audit_of(case, AuditEvent.Action.CHANGE)
    assert "本人" not in str(audit.detail)
    assert "本人から電話。明日来所。" in client.get(url(case)).text


@pytest.mark.parametrize("text", ["", "   ", "あ" * 4001])
def test_an_empty_or_too_long_note_is_refused(client, counter_staff, case, text):
    client.force_login(counter_staff)
    response = client.post(url(case, "case-add-note"), {"text": text}, follow=True)
    assert response.status_code == 200
    assert message_levels_of(response) == [message_levels.ERROR]
    assert not case.events.exists()
    assert not audit_of(case, AuditEvent.Action.CHANGE).exists()

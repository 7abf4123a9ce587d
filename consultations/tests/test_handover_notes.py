"""Hand-over notes (連絡ノート): posting, the centre's recent notes, acknowledging."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Role
from accounts.tests.factories import UserFactory
from consultations.models import HANDOVER_NOTE_DAYS, HandoverNote, NoteAcknowledgement
from consultations.tests.factories import HandoverNoteFactory

pytestmark = pytest.mark.django_db

URL = reverse("consultations:handover-notes")


def read_url(note):
    return reverse("consultations:handover-note-read", args=[note.pk])


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def test_posting_a_note_saves_it_for_the_centre_and_audits_it(client, counter_staff):
    client.force_login(counter_staff)

    response = client.post(URL, {"text": "山田さんから折り返しの電話あり。明朝対応。"})

    assert response.status_code == 302
    assert response["Location"] == URL
    note = HandoverNote.objects.get()
    assert (note.center, note.author) == (counter_staff.center, counter_staff)
    [audit] = AuditEvent.objects.filter(action=AuditEvent.Action.CREATE)
    assert (audit.user, audit.object_id) == (counter_staff, str(note.pk))
    assert audit.content_type == ContentType.objects.get_for_model(HandoverNote)
    assert "山田" not in str(audit.detail)
    assert "明朝対応" in client.get(URL).text


@pytest.mark.parametrize("text", ["", "あ" * 1001])
def test_an_empty_or_too_long_note_answers_with_the_form(client, counter_staff, text):
    client.force_login(counter_staff)
    response = client.post(URL, {"text": text})
    assert response.status_code == 200
    assert "text" in response.context["form"].errors
    assert not HandoverNote.objects.exists()


def test_the_list_shows_the_centres_recent_notes_newest_first(
    client, counter_staff, coordinator, coordinator_elsewhere
):
    older = HandoverNoteFactory(
        center=coordinator.center, author=coordinator, created_at=days_ago(HANDOVER_NOTE_DAYS - 1)
    )
    newer = HandoverNoteFactory(center=coordinator.center, author=coordinator, text="今日のメモ")
    HandoverNoteFactory(
        center=coordinator.center, text="古いメモ", created_at=days_ago(HANDOVER_NOTE_DAYS + 1)
    )
    HandoverNoteFactory(
        center=coordinator_elsewhere.center, author=coordinator_elsewhere, text="小松のメモ"
    )
    client.force_login(counter_staff)

    response = client.get(URL)

    assert response.status_code == 200
    assert list(response.context["page"]) == [newer, older]
    assert "今日のメモ" in response.text
    assert "古いメモ" not in response.text
    assert "小松のメモ" not in response.text


def test_acknowledging_is_idempotent_and_goes_back_to_the_list(client, counter_staff, coordinator):
    note = HandoverNoteFactory(center=coordinator.center, author=coordinator)
    client.force_login(counter_staff)

    for _ in range(2):
        response = client.post(read_url(note))
        assert response.status_code == 302
        assert response["Location"] == URL

    assert NoteAcknowledgement.objects.filter(note=note, user=counter_staff).count() == 1
    page = client.get(URL)
    assert read_url(note) not in page.text
    assert counter_staff.name in page.text


def test_acknowledging_from_the_home_page_goes_back_home(client, counter_staff, coordinator):
    note = HandoverNoteFactory(center=coordinator.center, author=coordinator)
    client.force_login(counter_staff)
    response = client.post(read_url(note), {"back_to": "home"})
    assert response["Location"] == reverse("home")
    # Anything else goes back to the notes, never to a URL from the request.
    response = client.post(read_url(note), {"back_to": "https://example.com/"})
    assert response["Location"] == URL


def test_an_htmx_acknowledgement_returns_the_read_badge(client, counter_staff, coordinator):
    note = HandoverNoteFactory(center=coordinator.center, author=coordinator)
    client.force_login(counter_staff)

    response = client.post(read_url(note), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert [t.name for t in response.templates] == ["consultations/_note_read.html"]
    assert response.text.startswith("<span")
    assert "<html" not in response.text
    assert NoteAcknowledgement.objects.filter(note=note, user=counter_staff).exists()


def test_the_author_is_not_asked_to_acknowledge_their_own_note(client, counter_staff):
    note = HandoverNoteFactory(center=counter_staff.center, author=counter_staff)
    client.force_login(counter_staff)
    assert read_url(note) not in client.get(URL).text


# Denials -----------------------------------------------------------------------------------


def test_acknowledging_is_post_only(client, counter_staff, coordinator):
    note = HandoverNoteFactory(center=coordinator.center, author=coordinator)
    client.force_login(counter_staff)
    assert client.get(read_url(note)).status_code == 405
    assert not NoteAcknowledgement.objects.exists()


def test_another_centres_note_is_404(client, counter_staff, coordinator_elsewhere):
    note = HandoverNoteFactory(center=coordinator_elsewhere.center, author=coordinator_elsewhere)
    client.force_login(counter_staff)
    assert client.post(read_url(note)).status_code == 404
    assert not NoteAcknowledgement.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, coordinator):
    note = HandoverNoteFactory(center=coordinator.center, author=coordinator)
    for response in [client.get(URL), client.post(URL, {"text": "x"}), client.post(read_url(note))]:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert HandoverNote.objects.count() == 1


@pytest.mark.parametrize("role_holder", ["viewer", "manager"])
def test_viewers_and_managers_get_403(client, request, role_holder, coordinator):
    note = HandoverNoteFactory(center=coordinator.center, author=coordinator)
    client.force_login(request.getfixturevalue(role_holder))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"text": "x"}).status_code == 403
    assert client.post(read_url(note)).status_code == 403
    assert HandoverNote.objects.count() == 1
    assert not NoteAcknowledgement.objects.exists()


# Query budget --------------------------------------------------------------------------------


def test_query_budget_does_not_grow_with_the_notes(
    client, center, counter_staff, django_assert_max_num_queries
):
    staff = UserFactory.create_batch(4, center=center, roles=[Role.COUNTER])
    for n in range(15):
        note = HandoverNoteFactory(center=center, author=staff[n % 4])
        for reader in staff[: n % 4]:
            note.acknowledge(reader)
    client.force_login(counter_staff)
    # session, user with their centre, permissions (one query: accounts.backends), the
    # second factor's device (django-otp), count, the page of notes with their author,
    # who read them (one prefetch), and the session save behind the idle timeout
    # (savepoint, update, release).
    with django_assert_max_num_queries(10):
        response = client.get(URL)
    assert len(response.context["page"]) == 15

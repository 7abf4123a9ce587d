"""A form sent twice saves once; a database that does not answer gives the 503 page."""

import threading
import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import OperationalError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse

from accounts.idempotency import FIELD, SavedMeanwhile, record_save, replayed
from accounts.models import Center, SaveReceipt
from accounts.templatetags.idempotency import save_once
from accounts.views import server_error


def posted(user, key):
    request = RequestFactory().post("/somewhere/", {FIELD: str(key)})
    request.user = user
    return request


@pytest.mark.django_db
def test_a_save_is_recorded_and_the_same_key_again_gets_its_page(coordinator, other_center):
    key = uuid.uuid4()
    with transaction.atomic():
        receipt = record_save(posted(coordinator, key), other_center, "/centres/2/")

    assert (receipt.key, receipt.user) == (key, coordinator)
    assert receipt.object_id == str(other_center.pk)
    assert receipt.content_type == ContentType.objects.get_for_model(Center)
    response = replayed(posted(coordinator, key))
    assert (response.status_code, response.url) == (302, "/centres/2/")


@pytest.mark.django_db
def test_a_second_save_with_the_same_key_rolls_back_its_own_writes(coordinator, center):
    key = uuid.uuid4()
    with transaction.atomic():
        record_save(posted(coordinator, key), center, "/first/")

    def save_again():
        with transaction.atomic():
            Center.objects.create(name="二重に保存された拠点", code="DUP")
            record_save(posted(coordinator, key), center, "/second/")

    with pytest.raises(SavedMeanwhile):
        save_again()

    assert not Center.objects.filter(code="DUP").exists()
    assert SaveReceipt.objects.get().location == "/first/"


@pytest.mark.django_db
def test_forms_without_a_key_or_with_a_bad_one_save_as_before(coordinator, center):
    for value in ["", "not-a-uuid", "'; DROP TABLE x; --"]:
        request = RequestFactory().post("/x/", {FIELD: value} if value else {})
        request.user = coordinator
        assert replayed(request) is None
        assert record_save(request, center, "/x/") is None
    assert not SaveReceipt.objects.exists()


@pytest.mark.django_db
def test_another_users_key_is_not_theirs_to_replay(coordinator, counter_staff, center):
    key = uuid.uuid4()
    record_save(posted(coordinator, key), center, "/case/1/")

    assert replayed(posted(counter_staff, key)) is None


# Every transactional test here rolls back by serialization: a plain flush would make the
# content types again under new ids, and the next serialized test could not load its rows.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sendings_at_the_same_moment_save_once(coordinator, center):
    """Two requests with one key, in two connections: one saves, the other is refused."""
    key = uuid.uuid4()
    barrier = threading.Barrier(2, timeout=10)
    outcomes = []

    def send(code):
        try:
            with transaction.atomic():
                made = Center.objects.create(name=f"拠点{code}", code=code)
                barrier.wait()
                record_save(posted(coordinator, key), made, f"/{code}/")
            outcomes.append("saved")
        except SavedMeanwhile:
            outcomes.append("refused")
        except OperationalError:  # SQLite: one writer at a time; the other waits and fails
            outcomes.append("refused")
        finally:
            connection.close()

    if connection.vendor == "sqlite":
        pytest.skip("SQLite lets one transaction write at a time: no two saves can overlap.")
    threads = [threading.Thread(target=send, args=(code,)) for code in ("AAA", "BBB")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(outcomes) == ["refused", "saved"]
    assert SaveReceipt.objects.count() == 1
    assert Center.objects.filter(code__in=["AAA", "BBB"]).count() == 1


def test_the_hidden_field_carries_a_new_key_each_time():
    first, second = save_once(), save_once()
    assert f'name="{FIELD}"' in first
    assert 'type="hidden"' in first
    assert first != second
    uuid.UUID(first.split('value="')[1].split('"')[0])


def test_a_database_error_answers_503_in_japanese_without_a_traceback():
    request = RequestFactory().get("/consultations/cases/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    text = response.content.decode()
    assert "混み合っています" in text
    assert "Traceback" not in text
    assert "OperationalError" not in text


def test_other_errors_still_answer_500():
    request = RequestFactory().get("/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)

    assert response.status_code == 500


@pytest.mark.django_db
def test_a_failing_database_mid_request_gives_the_503_page(client, coordinator, monkeypatch):
    """The real handler, wired in the URLconf, through the whole middleware stack."""

    def database_gone(request):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr("referrals.views.desk.home_context", database_gone)
    client.force_login(coordinator)
    client.raise_request_exception = False

    response = client.get(reverse("home"))

    assert response.status_code == 503
    assert "Traceback" not in response.text


def test_the_liveness_page_needs_no_login_and_no_query(client):
    # No django_db mark: any query here would raise.
    response = client.get(reverse("alive"))
    assert response.status_code == 200
    assert "ライフサポートは動作しています" in response.text

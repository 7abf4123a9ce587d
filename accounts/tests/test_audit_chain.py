"""Row 37: the audit trail is append-only (PostgreSQL trigger) and tamper-evident (a hash
chain that `verify_audit_chain` checks)."""

import contextlib
import datetime
import importlib
import threading
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from accounts import audit_chain
from accounts.audit import log_action
from accounts.models import AuditEvent

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger and the lock are PostgreSQL's"
)


def verify():
    """verify_audit_chain's output, or its error."""
    try:
        call_command("verify_audit_chain", stdout=(out := _Output()))
    except CommandError as error:
        return str(error)
    return out.text


class _Output:
    text = ""

    def write(self, text):
        self.text += text


def write_events(user, count=3):
    return [
        log_action(action=AuditEvent.Action.VIEW, user=user, number=n, at_hour=1.0)
        for n in range(count)
    ]


@contextlib.contextmanager
def trigger_off():
    """As the database's superuser could: triggers off (PostgreSQL; SQLite has none) for
    the rest of a transaction, which switches them on again before it ends."""
    on_postgresql = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if on_postgresql:
            cursor.execute("SET LOCAL session_replication_role = replica")
        yield cursor
        if on_postgresql:
            cursor.execute("SET LOCAL session_replication_role = origin")


def tamper(sql, params):
    with trigger_off() as cursor:
        cursor.execute(sql, params)


def test_row_37_each_event_links_to_the_one_before(coordinator):
    first, second, third = write_events(coordinator)
    assert first.previous_hash == audit_chain.GENESIS
    assert second.previous_hash == first.entry_hash
    assert third.previous_hash == second.entry_hash
    assert len({first.entry_hash, second.entry_hash, third.entry_hash}) == 3


def test_row_37_verify_prints_ok_with_the_count(coordinator):
    write_events(coordinator, count=4)
    assert verify().startswith("OK 4 ")


def test_row_37_the_hash_survives_the_round_trip_through_the_database(coordinator):
    # What jsonb and the inet type give back must hash as what was written.
    log_action(
        action=AuditEvent.Action.EXPORT,
        user=coordinator,
        request=SimpleNamespace(META={"REMOTE_ADDR": "2001:0db8:0000:0000:0000:0000:0000:0001"}),
        when=datetime.datetime(2026, 11, 1, 9, 30, tzinfo=datetime.UTC),
        whole=1e20,
        ratio=0.1,
        nested={"b": [1, 2.0], "a": "金沢"},
        none=None,
    )
    assert verify().startswith("OK 1 ")


def test_row_37_a_changed_event_is_reported_by_its_id(coordinator):
    _first, second, _third = write_events(coordinator)
    tamper("UPDATE accounts_auditevent SET username = %s WHERE id = %s", ["someone", second.pk])
    assert f" {second.pk} " in verify()
    with pytest.raises(CommandError):
        call_command("verify_audit_chain")


def test_row_37_a_deleted_event_breaks_the_link_of_the_next(coordinator):
    _first, second, third = write_events(coordinator)
    tamper("DELETE FROM accounts_auditevent WHERE id = %s", [second.pk])
    assert f" {third.pk} " in verify()


def test_row_37_an_event_inserted_around_the_chain_is_reported(coordinator):
    write_events(coordinator, count=2)
    # bulk_create skips save(), as raw SQL would: the row has no hash.
    [forged] = AuditEvent.objects.bulk_create([AuditEvent(action=AuditEvent.Action.LOGIN)])
    assert f" {forged.pk} " in verify()


@on_postgresql
def test_row_37_on_postgresql_update_and_delete_are_refused(coordinator):
    event = log_action(action=AuditEvent.Action.VIEW, user=coordinator)
    events = AuditEvent.objects.filter(pk=event.pk)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        events.update(username="someone")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        events._raw_delete(connection.alias)
    assert events.get().username == coordinator.username
    # TRUNCATE, which the test suite's flush uses, still empties the table (once the
    # foreign keys' deferred checks of this test's transaction have run).
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE accounts_auditevent")
    assert not AuditEvent.objects.exists()


def test_the_model_refuses_to_change_or_delete_an_event(coordinator):
    event = log_action(action=AuditEvent.Action.VIEW, user=coordinator)
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


@on_postgresql
# Serialised like the suite's other transactional tests, so that the flush after it
# leaves the tables empty for theirs.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_row_37_concurrent_writers_do_not_fork_the_chain(coordinator):
    """Four workers, each writing events in transactions that stay open a moment after
    the insert: without the chain's lock two of them would link to the same head."""
    errors = []

    def worker():
        try:
            for _n in range(10):
                with transaction.atomic():
                    log_action(action=AuditEvent.Action.VIEW, user=coordinator)
                    # Still inside the transaction: the next writer must wait for it.
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_sleep(0.005)")
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    previous = list(AuditEvent.objects.order_by("pk").values_list("previous_hash", flat=True))
    assert len(previous) == len(set(previous)) == 40
    assert verify().startswith("OK 40 ")


def test_row_37_the_migration_chains_the_events_already_there(coordinator):
    # Events as the code before the chain wrote them: no hashes.
    AuditEvent.objects.bulk_create(
        AuditEvent(action=AuditEvent.Action.VIEW, user=coordinator, detail={"n": n})
        for n in range(5)
    )
    assert "OK" not in verify()
    migration = importlib.import_module(
        "accounts.migrations.0007_auditevent_hash_chain_append_only"
    )
    # In a real upgrade the trigger comes after this step, in the same migration.
    with trigger_off():
        migration.chain_existing_events(apps, SimpleNamespace(connection=connection))
    assert verify().startswith("OK 5 ")
    # And the next event carries on from them.
    log_action(action=AuditEvent.Action.VIEW, user=coordinator)
    assert verify().startswith("OK 6 ")

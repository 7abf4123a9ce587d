"""The audit trail becomes tamper-evident and, on PostgreSQL, append-only.

Every event gets the sha256 of its content and of the previous event's hash; the events
already there are chained here, oldest first, so `verify_audit_chain` passes right after
the upgrade. Run it with the application stopped: an event written meanwhile by the old
code would carry no hash and show as a broken link.

On PostgreSQL a trigger then refuses UPDATE and DELETE on the table (TRUNCATE, which the
test suite's flush uses, is not a row change and still works), and a function hands out
the chain's head under a lock held to the end of the inserting transaction.
"""

from types import SimpleNamespace

from django.db import migrations, models

from accounts import audit_chain

BATCH = 2000
UPDATE = "UPDATE accounts_auditevent SET previous_hash = %s, entry_hash = %s WHERE id = %s"

PG_FORWARD = [
    """
    CREATE FUNCTION accounts_auditevent_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'accounts_auditevent is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$
    """,
    """
    CREATE TRIGGER accounts_auditevent_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION accounts_auditevent_refuse_change()
    """,
    # The chain's head (accounts.audit_chain.PG_HEAD_QUERY), under an advisory lock held
    # to the end of the transaction (824301: a number the app uses for nothing else).
    # VOLATILE: the SELECT runs in a snapshot taken after the lock was granted, so it
    # sees the event of the transaction that held the lock before.
    """
    CREATE FUNCTION accounts_auditevent_chain_head() RETURNS varchar
    LANGUAGE plpgsql VOLATILE AS $$
    DECLARE
        head varchar;
    BEGIN
        PERFORM pg_advisory_xact_lock(824301);
        SELECT entry_hash INTO head FROM accounts_auditevent ORDER BY id DESC LIMIT 1;
        RETURN head;
    END;
    $$
    """,
]
PG_BACKWARD = [
    "DROP FUNCTION IF EXISTS accounts_auditevent_chain_head()",
    "DROP TRIGGER IF EXISTS accounts_auditevent_append_only ON accounts_auditevent",
    "DROP FUNCTION IF EXISTS accounts_auditevent_refuse_change()",
]


def chain_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    connection = schema_editor.connection
    events = AuditEvent.objects.using(connection.alias).order_by("pk")
    previous = audit_chain.GENESIS
    batch = []
    # A parameterised UPDATE per row, sent in batches (psycopg pipelines executemany):
    # 80,000 events took 90 s with bulk_update's CASE expressions.
    with connection.cursor() as cursor:
        for row in events.values("pk", *audit_chain.FIELDS).iterator(chunk_size=BATCH):
            digest = audit_chain.entry_hash(previous, SimpleNamespace(**row))
            batch.append((previous, digest, row["pk"]))
            previous = digest
            if len(batch) == BATCH:
                cursor.executemany(UPDATE, batch)
                batch = []
        if batch:
            cursor.executemany(UPDATE, batch)


def protect_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_FORWARD:
            schema_editor.execute(statement, params=None)


def unprotect_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_BACKWARD:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_second_factor"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="previous event's hash"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="entry_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
        migrations.RunPython(protect_on_postgresql, unprotect_on_postgresql),
    ]

"""The audit trail's hash chain: each event's hash covers its content and the previous
event's hash, so a changed, removed or inserted row breaks every link after it.

The canonical form below is a contract with every row already written: changing it
makes `verify_audit_chain` report the first old row. Migrations import it too.
"""

import hashlib
import ipaddress
import json
from datetime import UTC
from types import SimpleNamespace

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections

# The "previous hash" of the first event.
GENESIS = "0" * 64

# A function of migration 0005: it takes the chain's lock, then reads the head with a
# snapshot of its own (PL/pgSQL runs each query of a VOLATILE function in a fresh one),
# so the head is the last committed one even when the call waited for another writer.
PG_HEAD_QUERY = "SELECT accounts_auditevent_chain_head()"

# The fields a hash covers, in this order.
FIELDS = (
    "at",
    "action",
    "user_id",
    "username",
    "center_id",
    "ip_address",
    "content_type_id",
    "object_id",
    "detail",
)


def canonical(event):
    """The event's content as bytes, as it reads back from either database: times in
    UTC with microseconds, addresses compressed, `detail` as JSON with sorted keys."""
    values = {
        "at": event.at.astimezone(UTC).isoformat(),
        "action": event.action,
        "user_id": event.user_id,
        "username": event.username,
        "center_id": event.center_id,
        "ip_address": _address(event.ip_address),
        "content_type_id": event.content_type_id,
        "object_id": event.object_id,
        "detail": _as_stored(event.detail),
    }
    return json.dumps(
        [values[name] for name in FIELDS], ensure_ascii=True, separators=(",", ":"), sort_keys=True
    ).encode()


def _address(value):
    if not value:
        return None
    try:
        return ipaddress.ip_address(value).compressed
    except ValueError:
        return value


def entry_hash(previous_hash, event):
    return hashlib.sha256(previous_hash.encode() + b"\n" + canonical(event)).hexdigest()


def _as_stored(detail):
    """`detail` as the JSON column gives it back: encoded as the field encodes it, and
    whole-number floats as integers (PostgreSQL's jsonb prints 1e20 without exponent)."""
    return _whole_floats_as_int(json.loads(json.dumps(detail, cls=DjangoJSONEncoder)))


def _whole_floats_as_int(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole_floats_as_int(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_floats_as_int(item) for item in value]
    return value


def chain_head(model, using):
    """The hash of the newest event; call inside the transaction that inserts the next.

    On PostgreSQL this waits for the chain's lock, held to the end of the transaction,
    so that two workers never link to the same head. SQLite lets one writer at a time.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(PG_HEAD_QUERY)
            head = cursor.fetchone()[0]
    else:
        head = (
            model._base_manager.using(using)
            .order_by("-pk")
            .values_list("entry_hash", flat=True)[:1]
        )
        head = next(iter(head), None)
    return head or GENESIS


def first_broken_link(events):
    """Walk `events` (a queryset of the whole trail) in insertion order.

    Returns (count, None) when every link holds, else (count so far, the first event
    whose hash does not match its content or whose previous hash is not its
    predecessor's).
    """
    previous = GENESIS
    count = 0
    rows = events.order_by("pk").values("pk", "previous_hash", "entry_hash", *FIELDS)
    for row in rows.iterator(chunk_size=5000):
        event = SimpleNamespace(**row)
        count += 1
        if event.previous_hash != previous or event.entry_hash != entry_hash(previous, event):
            return count, event
        previous = event.entry_hash
    return count, None

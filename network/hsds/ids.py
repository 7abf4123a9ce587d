"""Stable HSDS identifiers.

Organisations, services, schedules and contacts keep their own `hsds_id`. What HSDS
makes an object but we keep as a field (phones, locations, addresses, service areas,
languages, attribute links) gets a UUID derived from its owner's, so every export
names it the same way and a re-import finds it again.
"""

import uuid

# Fixed for ever: other systems recognise our taxonomy by this id or by its name.
TAXONOMY_ID = uuid.UUID("25a4b7d7-b07b-4379-8283-9c5c3ec29137")
TAXONOMY_NAME = "Lifesupport consultation topics"


def derived_id(owner_id, *parts) -> str:
    """A UUID for a part of the object `owner_id`, e.g. derived_id(org.hsds_id, "phone")."""
    return str(uuid.uuid5(owner_id, ":".join(str(part) for part in parts)))


def term_id(code) -> str:
    """The taxonomy term id of a topic (W1-01) or a consultation field (W1)."""
    return str(uuid.uuid5(TAXONOMY_ID, code))

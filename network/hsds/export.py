"""The directory as one HSDS 3.0 "Page" of fully nested organizations.

Every organisation is written, active or not (`jp_active`, service `status`), with its
services (schedules, service areas, languages, phones, contacts, topics as taxonomy
terms), its address as a physical location, its other contacts and its phone. Fields
HSDS lacks travel in our profile's `jp_` fields (see profile/README.md).
"""

from collections import defaultdict

from django.db.models import Prefetch

from ..models import Contact, Municipality, Organisation, Schedule, Service, Topic
from .ids import TAXONOMY_ID, TAXONOMY_NAME, derived_id, term_id

# Organisations are read this many at a time, each batch with its 6 queries.
CHUNK_SIZE = 1000

TAXONOMY = {
    "id": str(TAXONOMY_ID),
    "name": TAXONOMY_NAME,
    "description": "ライフサポート相談分野・相談項目 (consultation fields W1 … and topics W1-01 …)",
    "version": "1",
}

# ISO 639-1 codes of the languages staff write in Japanese; others go by name only.
LANGUAGE_CODES = {
    "日本語": "ja",
    "やさしい日本語": "ja",
    "英語": "en",
    "中国語": "zh",
    "韓国語": "ko",
    "ポルトガル語": "pt",
    "スペイン語": "es",
    "ベトナム語": "vi",
    "タガログ語": "tl",
    "ネパール語": "ne",
    "インドネシア語": "id",
    "タイ語": "th",
}


def export_directory(*, include_staff_notes=False) -> dict:
    """Every organisation as an HSDS Page. Staff notes only in a full backup."""
    contents = [
        organization(organisation, include_staff_notes=include_staff_notes)
        for organisation in organisations_for_export().iterator(chunk_size=CHUNK_SIZE)
    ]
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }


def organisations_for_export():
    """Organisations with everything the export writes: 6 queries per chunk (organisations
    with their municipality and prefecture, services, their topics, areas and schedules,
    contacts)."""
    services = Service.objects.order_by("name", "pk").prefetch_related(
        Prefetch("topics", queryset=Topic.objects.select_related("category").order_by("code")),
        Prefetch(
            "areas", queryset=Municipality.objects.select_related("prefecture").order_by("code")
        ),
        Prefetch("schedules", queryset=Schedule.objects.order_by("pk")),
    )
    return (
        Organisation.objects.select_related("municipality__prefecture")
        .order_by("name_kana", "name", "pk")
        .prefetch_related(
            Prefetch("services", queryset=services),
            Prefetch("contacts", queryset=Contact.objects.order_by("name_kana", "name", "pk")),
        )
    )


def _compact(data):
    """Leave out empty values: HSDS checks formats (e-mail, URI) even on empty strings."""
    return {key: value for key, value in data.items() if value not in ("", None)}


def organization(org, *, include_staff_notes=False) -> dict:
    services = list(org.services.all())
    service_pks = {item.pk for item in services}
    contacts = defaultdict(list)
    for person in org.contacts.all():
        contacts[person.service_id if person.service_id in service_pks else None].append(person)
    data = _compact(
        {
            "id": str(org.hsds_id),
            "name": org.name,
            "alternate_name": org.aliases,
            # Required by HSDS; the importer reads a description equal to the name as none.
            "description": org.description or org.name,
            "email": org.email,
            "website": org.website,
        }
    )
    data |= {
        "services": [service(item, contacts[item.pk]) for item in services],
        "locations": _locations(org),
        "contacts": [contact(person) for person in contacts[None]],
        "phones": _phones(org.phone, org.hsds_id, "organization_id"),
        "jp_name_kana": org.name_kana,
        "jp_kind": org.kind,
        "jp_tie": org.tie,
        "jp_agreement_date": _date(org.agreement_date),
        "jp_active": org.is_active,
        "jp_verified_on": _date(org.verified_on),
    }
    if include_staff_notes:
        data["jp_staff_notes"] = org.staff_notes
    return data


def service(item, contacts=()) -> dict:
    data = _compact(
        {
            "id": str(item.hsds_id),
            "organization_id": str(item.organisation.hsds_id),
            "name": item.name,
            "description": item.description,
            "url": item.url,
            "email": item.email,
            "status": item.status,
            "eligibility_description": item.eligibility,
            "application_process": item.how_to_apply,
            "fees_description": item.fee_note,
        }
    )
    return data | {
        "phones": _phones(item.phone, item.hsds_id, "service_id"),
        "schedules": [schedule(rule, item) for rule in item.schedules.all()],
        "service_areas": _service_areas(item),
        "languages": _languages(item),
        "contacts": [contact(person, item) for person in contacts],
        "attributes": [_attribute(topic, item) for topic in item.topics.all()],
        "jp_fee": item.fee,
        "jp_capacity_note": item.capacity_note,
        "jp_serves_all_areas": item.serves_all_areas,
    }


def schedule(rule, item) -> dict:
    data = _compact(
        {
            "id": str(rule.hsds_id),
            "service_id": str(item.hsds_id),
            "freq": rule.freq,
            "interval": rule.interval,
            "byday": rule.byday,
            "bymonthday": rule.bymonthday,
            "opens_at": _time(rule.opens_at),
            "closes_at": _time(rule.closes_at),
            "valid_from": _date(rule.valid_from),
            "valid_to": _date(rule.valid_to),
            "dtstart": _date(rule.valid_from),
            "description": rule.description,
        }
    )
    return data | {"timezone": 9, "jp_closed_on_holidays": rule.closed_on_holidays}


def contact(person, item=None) -> dict:
    """A contact person; `item` is the service they handle, if any."""
    data = _compact(
        {
            "id": str(person.hsds_id),
            "organization_id": str(person.organisation.hsds_id),
            "service_id": str(item.hsds_id) if item else None,
            "name": person.name,
            "title": person.title,
            "email": person.email,
        }
    )
    return data | {
        "phones": _phones(person.phone, person.hsds_id, "contact_id"),
        "jp_name_kana": person.name_kana,
        "jp_qualification": person.qualification,
        "jp_preferred_channel": person.preferred_channel,
        "jp_note": person.note,
        "jp_active": person.is_active,
    }


def _date(value):
    return value.isoformat() if value else None


def _time(value):
    """HH:MM with our offset, as HSDS asks ("13:00+09:00")."""
    if value is None:
        return None
    return f"{value:%H:%M:%S}+09:00" if value.second else f"{value:%H:%M}+09:00"


def _phones(number, owner_id, owner_key):
    if not number:
        return []
    return [
        {
            "id": derived_id(owner_id, "phone"),
            owner_key: str(owner_id),
            "number": number,
            "type": "voice",
        }
    ]


def _locations(org):
    if not (org.address or org.postcode or org.municipality_id):
        return []
    location_id = derived_id(org.hsds_id, "location")
    municipality = org.municipality
    address = {
        "id": derived_id(org.hsds_id, "address"),
        "location_id": location_id,
        "address_1": org.address,
        "city": municipality.name if municipality else "",
        "state_province": municipality.prefecture.name if municipality else "",
        "postal_code": org.postcode,
        "country": "JP",
        "address_type": "physical",
    }
    if municipality:
        address["jp_municipality_code"] = municipality.code
    location = {
        "id": location_id,
        "location_type": "physical",
        "organization_id": str(org.hsds_id),
        "name": org.name,
        "addresses": [address],
    }
    return [location]


def _service_areas(item):
    areas = [
        {
            "id": derived_id(item.hsds_id, "area", area.code),
            "service_id": str(item.hsds_id),
            "name": area.full_name,
            "jp_municipality_code": area.code,
        }
        for area in item.areas.all()
    ]
    if item.serves_all_areas:
        areas.insert(
            0,
            {
                "id": derived_id(item.hsds_id, "area", "all"),
                "service_id": str(item.hsds_id),
                "name": "全域",
            },
        )
    return areas


def _languages(item):
    return [
        _compact(
            {
                "id": derived_id(item.hsds_id, "language", name),
                "service_id": str(item.hsds_id),
                "name": name,
                "code": LANGUAGE_CODES.get(name),
            }
        )
        for name in item.language_list
    ]


def _attribute(topic, item):
    return {
        "id": derived_id(item.hsds_id, "topic", topic.code),
        "link_id": str(item.hsds_id),
        "link_type": "topic",
        "link_entity": "service",
        "taxonomy_term_id": term_id(topic.code),
        "taxonomy_term": {
            "id": term_id(topic.code),
            "code": topic.code,
            "name": topic.name,
            "description": f"{topic.category.name}: {topic.name}",
            "parent_id": term_id(topic.category.code),
            "taxonomy": TAXONOMY_NAME,
            "taxonomy_id": str(TAXONOMY_ID),
            "taxonomy_detail": TAXONOMY,
            "language": "ja",
        },
    }

"""HSDS 3.0 export and import: schemas, round trip, idempotence, rejected files."""

import copy
import datetime
import json
import uuid
from pathlib import Path

import pytest

from network.hsds import schemas
from network.hsds.export import export_directory
from network.hsds.ids import TAXONOMY_ID, TAXONOMY_NAME, derived_id, term_id
from network.hsds.importer import import_directory, import_file
from network.hsds.reading import read_time
from network.models import Contact, Organisation, Schedule, Service

from .factories import (
    ContactFactory,
    OrganisationFactory,
    ScheduleFactory,
    ServiceFactory,
)

DATA = Path(__file__).parent / "data"

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def directory(db):
    """Three partners: a full one, an ended one without address, a bare one."""
    npo = OrganisationFactory(
        name="かなざわ労働相談ネット",
        name_kana="カナザワロウドウソウダンネット",
        aliases="労働ネット",
        email="info@roudou.example.jp",
        website="https://roudou.example.jp/",
        tie=Organisation.Tie.PARTNERSHIP,
        agreement_date=datetime.date(2024, 4, 1),
        staff_notes="理事長と直接話せる。",
        verified_on=datetime.date(2026, 5, 20),
    )
    lawyers = ServiceFactory(
        organisation=npo,
        name="弁護士による労働相談",
        topics=["W1-01", "W1-02"],
        areas=["17201", "17210"],
        fee=Service.Fee.PAID,
        fee_note="30分 5,500円",
        eligibility="石川県内で働く方",
        how_to_apply="電話で予約",
        languages="日本語、英語",
        capacity_note="受入可",
        phone="076-300-1111",
        email="soudan@roudou.example.jp",
        url="https://roudou.example.jp/bengoshi",
    )
    ScheduleFactory(service=lawyers)
    ScheduleFactory(
        service=ServiceFactory(
            organisation=npo,
            name="電話相談",
            serves_all_areas=True,
            status=Service.Status.TEMPORARILY_CLOSED,
            topics=["L3-01"],
        ),
        freq=Schedule.Frequency.WEEKLY,
        interval=2,
        byday="WE,FR",
        opens_at=datetime.time(18, 0),
        closes_at=datetime.time(20, 30),
        valid_from=datetime.date(2026, 4, 1),
        valid_to=datetime.date(2027, 3, 31),
        closed_on_holidays=False,
        description="",
    )
    ContactFactory(
        organisation=npo,
        service=lawyers,
        qualification=Contact.Qualification.LAWYER,
        preferred_channel=Contact.Channel.EMAIL,
        email="bengoshi@roudou.example.jp",
        note="平日午後のみ",
        title="顧問弁護士",
    )
    ContactFactory(organisation=npo)
    ended = OrganisationFactory(
        name="旧 生活相談室",
        kind=Organisation.Kind.GOVERNMENT,
        description="",
        postcode="",
        address="",
        municipality=None,
        phone="",
        is_active=False,
    )
    ServiceFactory(organisation=ended, status=Service.Status.INACTIVE, description="")
    OrganisationFactory(
        name="金沢こども食堂",
        kind=Organisation.Kind.OTHER,
        postcode="",
        address="金沢市内（会場は毎回お知らせ）",
        municipality=None,
    )
    return npo


def dump():
    """Every field and link of the directory, keyed by HSDS id, for comparisons."""
    skip = {"id", "updated_at", "search_text", "verified_by"}

    def row(obj):
        values = {}
        for field in obj._meta.concrete_fields:
            if field.name in skip:
                continue
            value = getattr(obj, field.name)
            if field.is_relation:
                value = getattr(value, "hsds_id", getattr(value, "code", None))
            values[field.name] = value
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(related.code for related in getattr(obj, field.name).all())
        return values

    return {
        model.__name__: {obj.hsds_id: row(obj) for obj in model.objects.all()}
        for model in (Organisation, Service, Schedule, Contact)
    }


def row_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Organisation, Service, Schedule, Contact)
    }


def locations(report):
    return [problem.location for problem in report.errors]


# Profile and schemas


@pytest.mark.parametrize(
    ("schema", "key", "choices"),
    [
        ("organization.json", "jp_kind", Organisation.Kind.values),
        ("organization.json", "jp_tie", Organisation.Tie.values),
        ("service.json", "jp_fee", Service.Fee.values),
        ("contact.json", "jp_qualification", Contact.Qualification.values),
        ("contact.json", "jp_preferred_channel", Contact.Channel.values),
    ],
)
def test_profile_enums_match_the_models(schema, key, choices):
    assert schemas.profiled_schemas()[schema]["properties"][key]["enum"] == choices


def test_profile_patches_only_add_optional_fields():
    for name, schema in schemas.profiled_schemas().items():
        official = json.loads((schemas.SCHEMA_DIR / name).read_text(encoding="utf-8"))
        assert schema["required"] == official.get("required", schema["required"])
        added = set(schema.get("properties", {})) - set(official.get("properties", {}))
        assert all(key.startswith("jp_") for key in added), name


def test_merge_patch_follows_rfc_7396():
    target = {"a": "b", "c": {"d": "e", "f": "g"}}
    patch = {"a": "z", "c": {"f": None}}
    assert schemas.merge_patch(target, patch) == {"a": "z", "c": {"d": "e"}}
    assert target == {"a": "b", "c": {"d": "e", "f": "g"}}


# Export


def test_export_is_a_page_that_validates(directory):
    page = export_directory()

    assert page["total_items"] == page["size"] == 3
    assert page["first_page"]
    assert page["last_page"]
    assert not page["empty"]
    for organization in page["contents"]:
        assert not list(schemas.validator("organization.json").iter_errors(organization))
        for service in organization["services"]:
            assert not list(schemas.validator("service.json").iter_errors(service))


def test_export_nests_services_locations_contacts_and_terms(directory):
    organization = next(
        item for item in export_directory()["contents"] if item["id"] == str(directory.hsds_id)
    )
    lawyers = next(item for item in organization["services"] if item["name"].startswith("弁護士"))

    assert organization["jp_kind"] == "npo"
    assert organization["jp_active"] is True
    assert "jp_staff_notes" not in organization  # only in a full backup
    address = organization["locations"][0]["addresses"][0]
    assert address["postal_code"] == "920-0853"
    assert address["city"] == "金沢市"
    assert address["jp_municipality_code"] == "17201"
    assert lawyers["schedules"][0]["byday"] == "2TU"
    assert lawyers["schedules"][0]["opens_at"] == "13:00+09:00"
    assert [area["name"] for area in lawyers["service_areas"]] == ["石川県金沢市", "石川県白山市"]
    assert [contact["jp_qualification"] for contact in lawyers["contacts"]] == ["lawyer"]
    assert [contact["jp_qualification"] for contact in organization["contacts"]] == ["staff"]
    term = lawyers["attributes"][0]["taxonomy_term"]
    assert term["code"] == "W1-01"
    assert term["id"] == term_id("W1-01")
    assert term["parent_id"] == term_id("W1")
    assert term["taxonomy_detail"]["id"] == str(TAXONOMY_ID)
    assert term["taxonomy"] == TAXONOMY_NAME
    assert lawyers["phones"][0]["id"] == derived_id(uuid.UUID(lawyers["id"]), "phone")


def test_export_writes_inactive_entries_and_falls_back_to_the_name(directory):
    ended = next(item for item in export_directory()["contents"] if item["name"] == "旧 生活相談室")

    assert ended["jp_active"] is False
    assert ended["description"] == "旧 生活相談室"
    assert ended["locations"] == []
    assert ended["services"][0]["status"] == "inactive"


def test_export_ids_are_stable(directory):
    assert export_directory() == export_directory()


def test_export_query_budget(db, django_assert_max_num_queries):
    for _ in range(50):
        service = ServiceFactory(topics=["W1-01"], areas=["17201"])
        ScheduleFactory(service=service)
        ContactFactory(organisation=service.organisation, service=service)
    # organisations with municipality and prefecture, services, topics with category,
    # areas with prefecture, schedules, contacts
    with django_assert_max_num_queries(6):
        page = export_directory()
    assert page["total_items"] == 50


# Import: round trip and idempotence


def test_round_trip_into_an_empty_directory(directory):
    page = export_directory(include_staff_notes=True)
    before = dump()
    Organisation.objects.all().delete()

    report = import_directory(json.loads(json.dumps(page)))

    assert report.ok, report.errors
    assert report.created == {"organisation": 3, "service": 3, "schedule": 2, "contact": 2}
    assert dump() == before


def test_reimport_changes_nothing(directory):
    page = export_directory()
    before, counts = dump(), row_counts()

    report = import_directory(page)

    assert report.ok, report.errors
    assert not report.created
    assert not report.updated
    assert report.unchanged["organisation"] == 3
    assert row_counts() == counts
    assert dump() == before


def test_reimport_keeps_staff_notes_when_the_file_has_none(directory):
    import_directory(export_directory())

    directory.refresh_from_db()
    assert directory.staff_notes == "理事長と直接話せる。"


def test_reimport_updates_a_changed_field(directory):
    page = export_directory()
    organization = next(item for item in page["contents"] if item["id"] == str(directory.hsds_id))
    organization["name"] = "金沢労働相談ネットワーク"
    organization["services"][0]["schedules"][0]["byday"] = "4TH"
    counts = row_counts()

    report = import_directory(page)

    assert report.ok, report.errors
    assert report.updated == {"organisation": 1, "schedule": 1}
    assert row_counts() == counts
    directory.refresh_from_db()
    assert directory.name == "金沢労働相談ネットワーク"
    assert Schedule.objects.filter(byday="4TH").count() == 1


def test_dry_run_saves_nothing(directory):
    page = export_directory()
    Organisation.objects.all().delete()

    report = import_directory(page, dry_run=True)

    assert report.ok
    assert report.created["organisation"] == 3
    assert row_counts() == {"Organisation": 0, "Service": 0, "Schedule": 0, "Contact": 0}


def test_progress_is_reported_every_100_entries(db):
    entries = [
        {"id": str(uuid.uuid4()), "name": f"団体{n}", "description": "説明"} for n in range(250)
    ]
    calls = []

    report = import_directory(entries, progress=lambda done, total: calls.append((done, total)))

    assert report.ok, report.errors[:3]
    assert calls == [(100, 250), (200, 250), (250, 250)]
    assert Organisation.objects.count() == 250


# Import: other systems' files


def test_foreign_page_of_services_imports():
    raw = (DATA / "hsds_foreign_services.json").read_bytes()

    report = import_file(raw)

    assert report.ok, report.errors
    assert report.created == {"organisation": 2, "service": 3, "schedule": 2, "contact": 2}
    assert report.skipped_terms == 2
    assert [problem.location for problem in report.warnings] == [
        "contents[2].schedules[0].count",
        "",
    ]
    shakyo = Organisation.objects.get(name="白山市社会福祉協議会")
    assert (shakyo.kind, shakyo.tie) == (Organisation.Kind.OTHER, Organisation.Tie.INFORMATION)
    assert shakyo.phone == "076-274-9572"  # from +81 76-274-9572
    assert shakyo.municipality.code == "17210"
    assert shakyo.services.count() == 2
    loans = Service.objects.get(name="生活福祉資金の貸付相談")
    assert [area.code for area in loans.areas.all()] == ["17210"]
    assert loans.topics.count() == 0
    weekdays = loans.schedules.get()
    assert (weekdays.opens_at, weekdays.closes_at) == (datetime.time(9, 30), datetime.time(17, 15))
    food = Service.objects.get(name="フードバンクはくさん")
    assert (food.fee, food.fee_note) == (Service.Fee.FREE, "")
    assert food.status == Service.Status.TEMPORARILY_CLOSED
    monthly = Schedule.objects.get(byday="3SA")
    assert monthly.valid_to == datetime.date(2027, 3, 31)  # from until
    assert Contact.objects.get(name="山本 さくら").service.name == "ひとり親家庭の暮らし相談会"


def test_foreign_reimport_keeps_our_topics_and_profile(db):
    raw = (DATA / "hsds_foreign_services.json").read_bytes()
    import_file(raw)
    loans = Service.objects.get(name="生活福祉資金の貸付相談")
    loans.topics.set(loans.topics.model.objects.filter(code="L3-01"))
    Organisation.objects.filter(name="白山市社会福祉協議会").update(kind="shakyo")

    report = import_file(raw)

    assert report.ok
    assert not report.created
    assert [topic.code for topic in loans.topics.all()] == ["L3-01"]
    assert Organisation.objects.get(name="白山市社会福祉協議会").kind == "shakyo"


@pytest.mark.parametrize("shape", ["list", "single", "services"])
def test_other_shapes_import(directory, shape):
    page = export_directory()
    Organisation.objects.all().delete()
    organization = page["contents"][0]
    if shape == "list":
        data = page["contents"]
    elif shape == "single":
        data = organization
    else:
        data = [
            {**service, "organization": {k: v for k, v in organization.items() if k != "services"}}
            for service in organization["services"]
        ]

    report = import_directory(data)

    assert report.ok, report.errors
    assert Organisation.objects.filter(hsds_id=organization["id"]).exists()
    assert Service.objects.filter(organisation__hsds_id=organization["id"]).count() == len(
        organization["services"]
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13:00", datetime.time(13, 0)),
        ("13:00:00", datetime.time(13, 0)),
        ("13:00+09:00", datetime.time(13, 0)),
        ("04:00Z", datetime.time(13, 0)),
        ("00:00-05:00", datetime.time(14, 0)),
    ],
)
def test_times_are_read_as_japan_time(value, expected):
    assert read_time(value) == expected


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        ({"name": "全域"}, ("all", [])),
        ({"name": "石川県白山市"}, ("some", ["17210"])),
        ({"name": "白山市"}, ("some", ["17210"])),
        ({"name": "東京都府中市"}, ("some", ["13206"])),
        ({"name": "x", "jp_municipality_code": "17201"}, ("some", ["17201"])),
    ],
)
def test_service_areas_are_found_by_name_or_code(directory, area, expected):
    page = export_directory()
    service = page["contents"][0]["services"][0]
    service["service_areas"] = [{"id": str(uuid.uuid4()), **area}]
    service.pop("jp_serves_all_areas")

    report = import_directory(page)

    assert report.ok, report.errors
    saved = Service.objects.get(hsds_id=service["id"])
    assert ("all" if saved.serves_all_areas else "some") == expected[0]
    assert [area.code for area in saved.areas.all()] == expected[1]


# Import: rejected files change nothing


def _first(page):
    return page["contents"][0]


def _set(path, value):
    """A change to the page: _set(["services", 0, "name"], "x") on the first organization."""

    def change(page):
        target = _first(page)
        for key in path[:-1]:
            target = target[key]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return change


_DELETE = object()


def _attribute_with_code(code):
    def change(page):
        term = _first(page)["services"][0]["attributes"][0]["taxonomy_term"]
        term["code"] = code

    return change


BAD = {
    "postcode": (
        _set(["locations", 0, "addresses", 0, "postal_code"], "920-085"),
        "contents[0].locations[0].addresses[0].postal_code",
    ),
    "phone": (_set(["phones", 0, "number"], "076-12"), "contents[0].phones[0].number"),
    "url": (_set(["website"], "https://example"), "contents[0].website"),
    "uri": (_set(["website"], "www.example.jp"), "contents[0].website"),
    "email": (_set(["email"], "info.example.jp"), "contents[0].email"),
    "byday": (
        _set(["services", 0, "schedules", 0, "byday"], "6TU"),
        "contents[0].services[0].schedules[0].byday",
    ),
    "time": (
        _set(["services", 0, "schedules", 0, "opens_at"], "25:00"),
        "contents[0].services[0].schedules[0].opens_at",
    ),
    "topic": (
        _attribute_with_code("W9-99"),
        "contents[0].services[0].attributes[0].taxonomy_term.code",
    ),
    "area": (
        _set(["services", 0, "service_areas", 1], {"id": str(uuid.uuid4()), "name": "府中市"}),
        "contents[0].services[0].service_areas[1].name",
    ),
    "area code": (
        _set(
            ["services", 0, "service_areas", 1],
            {"id": str(uuid.uuid4()), "name": "どこか", "jp_municipality_code": "99999"},
        ),
        "contents[0].services[0].service_areas[1].jp_municipality_code",
    ),
    "missing name": (_set(["name"], _DELETE), "contents[0].name"),
    "bad uuid": (_set(["id"], "not-a-uuid"), "contents[0].id"),
    "bad kind": (_set(["jp_kind"], "union"), "contents[0].jp_kind"),
    "kana": (_set(["jp_name_kana"], "Kanazawa"), "contents[0].jp_name_kana"),
    "service status": (
        _set(["services", 1, "status"], "open"),
        "contents[0].services[1].status",
    ),
    "contact name": (
        _set(["contacts", 0, "name"], _DELETE),
        "contents[0].contacts[0].name",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_rejected_with_its_place_and_changes_nothing(directory, case):
    change, location = BAD[case]
    page = export_directory()
    _first(page)["name"] = "書き換え"  # would be saved if anything were
    change(page)
    before = dump()

    report = import_directory(copy.deepcopy(page))

    assert location in locations(report), report.errors
    assert not report.ok
    assert report.errors[0].message
    assert dump() == before


def _first_with_services(page, directory):
    page["contents"].sort(key=lambda item: item["id"] != str(directory.hsds_id))
    return page


def test_a_schedule_that_never_happens_is_rejected(directory):
    page = _first_with_services(export_directory(), directory)
    schedule = _first(page)["services"][0]["schedules"][0]
    schedule.update(byday="", bymonthday="31", valid_from="2027-02-01", valid_to="2027-02-28")
    before = dump()

    report = import_directory(page)

    assert "contents[0].services[0].schedules[0]" in locations(report)
    assert dump() == before


def test_every_error_is_reported_not_just_the_first(directory):
    page = _first_with_services(export_directory(), directory)
    _first(page)["phones"][0]["number"] = "12"
    _first(page)["services"][0]["schedules"][0]["byday"] = "6TU"
    page["contents"][1]["name"] = 42

    report = import_directory(page)

    assert set(locations(report)) >= {
        "contents[0].phones[0].number",
        "contents[0].services[0].schedules[0].byday",
        "contents[1].name",
    }


def test_duplicate_ids_are_rejected(directory):
    page = export_directory()
    page["contents"].append(copy.deepcopy(page["contents"][0]))

    report = import_directory(page)

    assert "contents[3].id" in locations(report)


def test_a_service_without_organization_is_rejected(db):
    service = {"id": str(uuid.uuid4()), "name": "相談", "status": "active"}

    report = import_directory([service])

    assert locations(report) == ["[0]"]
    assert not Service.objects.exists()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"contents": [', "The file is not JSON (line 1, column 15)."),
        ("{}".encode("utf-16"), "The file is not UTF-8 text."),
        (b"42", "Expected HSDS data"),
        (b'{"contents": {}}', "“contents” must be a list."),
    ],
)
def test_files_that_are_not_hsds_are_rejected(db, raw, message):
    report = import_file(raw)

    assert not report.ok
    assert report.errors[0].message.startswith(message)


def test_unsupported_schedule_parts_are_warnings(directory):
    page = _first_with_services(export_directory(), directory)
    _first(page)["services"][0]["schedules"][0] |= {"byweekno": "1,2", "count": 10}

    report = import_directory(page)

    assert report.ok
    assert [problem.location for problem in report.warnings] == [
        "contents[0].services[0].schedules[0].count",
        "contents[0].services[0].schedules[0].byweekno",
    ]


def _bare_service(**fields):
    organization = {"id": str(uuid.uuid4()), "name": "相談の会", "description": "説明"}
    return {
        "id": str(uuid.uuid4()),
        "name": "よろず相談",
        "status": "active",
        "organization": organization,
        **fields,
    }


@pytest.mark.parametrize(
    "term",
    [
        {"taxonomy": TAXONOMY_NAME},
        {"taxonomy_id": str(TAXONOMY_ID)},
        {"taxonomy_detail": {"id": str(TAXONOMY_ID), "name": "x", "description": "x"}},
        {},  # no taxonomy named: a code shaped like ours is ours
    ],
)
def test_terms_of_our_taxonomy_are_recognised(db, term):
    attribute = {
        "id": str(uuid.uuid4()),
        "taxonomy_term": {"id": str(uuid.uuid4()), "code": "W1-01", "name": "解雇", **term},
    }
    attribute["taxonomy_term"].setdefault("description", "解雇")

    report = import_directory(_bare_service(attributes=[attribute]))

    assert report.ok, report.errors
    assert [topic.code for topic in Service.objects.get().topics.all()] == ["W1-01"]


def test_a_term_id_of_ours_without_the_term_is_enough(db):
    attribute = {"id": str(uuid.uuid4()), "taxonomy_term_id": term_id("L3-01")}

    report = import_directory(_bare_service(attributes=[attribute]))

    assert report.ok, report.errors
    assert [topic.code for topic in Service.objects.get().topics.all()] == ["L3-01"]


def test_languages_by_code_and_times_by_timezone(db):
    schedule = {
        "id": str(uuid.uuid4()),
        "freq": "WEEKLY",
        "byday": "MO",
        "opens_at": "05:00",
        "closes_at": "07:00",
        "timezone": 0,
    }
    languages = [{"id": str(uuid.uuid4()), "code": code} for code in ("ja", "en", "fr")]

    report = import_directory(_bare_service(schedules=[schedule], languages=languages))

    assert report.ok, report.errors
    service = Service.objects.get()
    assert service.languages == "日本語、英語、fr"
    assert service.schedules.get().opens_at == datetime.time(14, 0)

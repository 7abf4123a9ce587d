"""Import an HSDS 3.0 directory, ours or another system's: all or nothing.

What the file may hold: a Page (`contents`) of organizations or of services (services
carry their `organization`), a bare list of either, or one organization or service.

The rules, which the command's help and the upload page repeat:
- Rows are matched by their HSDS id: a re-import updates them, never duplicates them.
  Entries absent from the file are left alone; nothing is ever deleted.
- Every organization is checked against organization.json and every service against
  service.json (with our profile), then every row with the model's `full_clean()`.
  Any error and nothing is saved; the report lists every error with its place.
- HSDS fields are the record: one that is missing or empty empties ours. Our `jp_`
  fields, which other systems do not write, keep the current value when missing.
- Topics come from terms of our taxonomy; a service naming none keeps its topics.
  Terms of other taxonomies are skipped and counted. Service areas are replaced when
  the service lists `service_areas`.
"""

import json
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import AuditEvent

from ..models import Contact, Organisation, Schedule, Service
from .export import LANGUAGE_CODES
from .messages import Problem, join, list_expected, schema_problems
from .reading import (
    Areas,
    Terms,
    is_all_areas,
    read_date,
    read_interval,
    read_phone,
    read_time,
)
from .schemas import validator

BATCH_SIZE = 100  # entries read, written and reported on at a time
MODELS = (Organisation, Service, Schedule, Contact)
STATUSES = {
    "active": Service.Status.ACTIVE,
    "temporarily closed": Service.Status.TEMPORARILY_CLOSED,
    "inactive": Service.Status.INACTIVE,
    "defunct": Service.Status.INACTIVE,
}
LANGUAGE_NAMES = {code: name for name, code in LANGUAGE_CODES.items() if name != "やさしい日本語"}
RELATIONS = {
    Organisation: ("municipality", "verified_by"),
    Service: ("organisation",),
    Schedule: ("service",),
    Contact: ("organisation", "service"),
}
UNSUPPORTED_SCHEDULE_PARTS = ("count", "byweekno", "byyearday")
# A fees_description that only says "free" means a free service (which has no fee details).
FREE_WORDS = {"無料", "無償", "0円", "free", "none"}

# HSDS key -> model field, for text: missing or empty means empty.
ORGANISATION_TEXT = {
    "name": "name",
    "alternate_name": "aliases",
    "description": "description",
    "email": "email",
    "website": "website",
}
SERVICE_TEXT = {
    "name": "name",
    "description": "description",
    "url": "url",
    "email": "email",
    "eligibility_description": "eligibility",
    "application_process": "how_to_apply",
    "fees_description": "fee_note",
}
CONTACT_TEXT = {"name": "name", "email": "email"}
SCHEDULE_TEXT = {"freq": "freq", "byday": "byday", "bymonthday": "bymonthday"}
SCHEDULE_TEXT |= {"description": "description"}

# Profile key -> (model field, reader): missing means unchanged, null means empty.
ORGANISATION_PROFILE = {
    "jp_name_kana": ("name_kana", None),
    "jp_kind": ("kind", None),
    "jp_tie": ("tie", None),
    "jp_agreement_date": ("agreement_date", read_date),
    "jp_staff_notes": ("staff_notes", None),
    "jp_active": ("is_active", None),
    "jp_verified_on": ("verified_on", read_date),
}
SERVICE_PROFILE = {
    "jp_fee": ("fee", None),
    "jp_capacity_note": ("capacity_note", None),
    "jp_serves_all_areas": ("serves_all_areas", None),
}
CONTACT_PROFILE = {
    "jp_name_kana": ("name_kana", None),
    "jp_qualification": ("qualification", None),
    "jp_preferred_channel": ("preferred_channel", None),
    "jp_note": ("note", None),
    "jp_active": ("is_active", None),
}
SCHEDULE_PROFILE = {"jp_closed_on_holidays": ("closed_on_holidays", None)}


@dataclass
class ImportReport:
    """What an import did, or would do (dry run), or why it changed nothing (errors)."""

    dry_run: bool = False
    total: int = 0
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    skipped_terms: int = 0

    @property
    def ok(self):
        return not self.errors

    @property
    def saved(self):
        return self.ok and not self.dry_run

    @property
    def audit_action(self):
        """What the audit trail calls this import: CREATE when it added rows, else CHANGE."""
        return AuditEvent.Action.CREATE if self.created else AuditEvent.Action.CHANGE

    def counts(self) -> dict:
        """Counts by model name, for the audit trail."""
        return {
            "created": dict(self.created),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            "warnings": len(self.warnings),
        }

    def summary(self) -> str:
        if self.errors:
            count = len(self.errors)
            return ngettext(
                "%(count)d error: nothing was changed.",
                "%(count)d errors: nothing was changed.",
                count,
            ) % {"count": count}
        parts = [self._model_summary(model) for model in MODELS]
        if self.warnings:
            count = len(self.warnings)
            parts.append(
                ngettext("%(count)d warning", "%(count)d warnings", count) % {"count": count}
            )
        text = "; ".join(parts)
        if self.dry_run:
            text = _("Dry run, nothing was saved. %(summary)s") % {"summary": text}
        return text

    def _model_summary(self, model):
        key = model._meta.model_name
        return _(
            "%(things)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged"
        ) % {
            "things": capfirst(model._meta.verbose_name_plural),
            "created": self.created[key],
            "updated": self.updated[key],
            "unchanged": self.unchanged[key],
        }


def read_file(raw: bytes):
    """The JSON in an uploaded or given file; ValueError with a message if it is not."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(_("The file is not UTF-8 text.")) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            _("The file is not JSON (line %(line)d, column %(column)d).")
            % {"line": error.lineno, "column": error.colno}
        ) from None


def import_file(raw: bytes, *, progress=None, dry_run=False) -> ImportReport:
    """import_directory() on the bytes of a file; not JSON or not UTF-8 is an error too."""
    try:
        data = read_file(raw)
    except ValueError as error:
        return ImportReport(dry_run=dry_run, errors=[Problem("", str(error))])
    return import_directory(data, progress=progress, dry_run=dry_run)


def import_directory(data, *, progress=None, dry_run=False) -> ImportReport:
    """Create or update the directory from HSDS 3.0 data, in one transaction.

    Rolls everything back when there is any error (listed in the report) or on a dry
    run. `progress(done, total)` is called every 100 entries and at the end.
    """
    report = ImportReport(dry_run=dry_run)
    try:
        entries = _entries(data)
    except ValueError as error:
        report.errors.append(Problem(*error.args))
        return report
    report.total = len(entries)
    with transaction.atomic():
        _Import(report).run(entries, progress)
        if report.errors or dry_run:
            transaction.set_rollback(True)
    return report


def _entries(data):
    """(location, object) for each organization or service at the top of the file."""
    if isinstance(data, dict) and "contents" in data:
        if not isinstance(data["contents"], list):
            raise ValueError("contents", list_expected("contents"))
        return [(join("contents", index), item) for index, item in enumerate(data["contents"])]
    if isinstance(data, list):
        return [(join("", index), item) for index, item in enumerate(data)]
    if isinstance(data, dict):
        return [("", data)]
    raise ValueError(
        "",
        _(
            "Expected HSDS data: an organization or a service, a list of them, or a page "
            "with “contents”."
        ),
    )


def _is_service(item):
    return "services" not in item and ("status" in item or "organization" in item)


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _as_list(value):
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, dict) else []


def _snapshot(obj):
    skip = {"updated_at", "search_text"}
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in skip
    }


# What each kind of object nests, to find the ids of a batch before reading it.
_CHILDREN = {
    Organisation: [("services", Service), ("contacts", Contact)],
    Service: [("organization", Organisation), ("schedules", Schedule), ("contacts", Contact)],
    Schedule: [],
    Contact: [],
}


def _collect_ids(item, model, found):
    if not isinstance(item, dict):
        return
    if uid := _uuid(item.get("id")):
        found[model].add(uid)
    if model is Service and (uid := _uuid(item.get("organization_id"))):
        found[Organisation].add(uid)
    for key, child_model in _CHILDREN[model]:
        for child in _as_list(item.get(key)):
            _collect_ids(child, child_model, found)


class _Import:
    """One import run: lookups loaded once, rows matched batch by batch."""

    def __init__(self, report):
        self.report = report
        self.areas = Areas()
        self.terms = Terms()
        self.seen = {model: {} for model in MODELS}  # hsds id -> where first seen
        self.organisations = {}  # hsds id -> Organisation read from the file
        self.services = {}  # hsds id -> Service read from the file
        self.existing = {model: {} for model in MODELS}
        self.before = {}  # (model, pk) -> field values as they were
        self.current = defaultdict(set)  # (m2m field, service pk) -> ids as they were
        self.new_links = defaultdict(list)  # through model -> rows to insert
        self.foreign_terms = Counter()

    # Reporting

    def error(self, location, message):
        self.report.errors.append(Problem(location, str(message)))

    def warn(self, location, message):
        self.report.warnings.append(Problem(location, str(message)))

    def count(self, model, state):
        getattr(self.report, state)[model._meta.model_name] += 1

    # The run

    def run(self, entries, progress):
        total = len(entries)
        for start in range(0, total, BATCH_SIZE):
            batch = entries[start : start + BATCH_SIZE]
            self.load_existing(batch)
            for location, item in batch:
                self.entry(location, item)
            self.flush_links()
            if progress:
                progress(start + len(batch), total)
        if progress and not total:
            progress(0, 0)
        self.warn_foreign_terms()

    def load_existing(self, batch):
        """The rows this batch names, with their topics and areas (6 queries)."""
        found = defaultdict(set)
        for _location, item in batch:
            model = Service if isinstance(item, dict) and _is_service(item) else Organisation
            _collect_ids(item, model, found)
        for model in MODELS:
            rows = model.objects.in_bulk(found[model], field_name="hsds_id")
            self.existing[model] = rows
            self.before |= {(model, obj.pk): _snapshot(obj) for obj in rows.values()}
        service_pks = [obj.pk for obj in self.existing[Service].values()]
        for name, column in (("topics", "topic_id"), ("areas", "municipality_id")):
            through = getattr(Service, name).through
            pairs = through.objects.filter(service_id__in=service_pks)
            for service_pk, target_pk in pairs.values_list("service_id", column):
                self.current[name, service_pk].add(target_pk)

    def flush_links(self):
        for through, rows in self.new_links.items():
            through.objects.bulk_create(rows)
        self.new_links.clear()

    def entry(self, location, item):
        if not isinstance(item, dict):
            self.error(location, _("Expected an organization or a service object."))
        elif _is_service(item):
            self.service_entry(item, location)
        else:
            self.organisation_entry(item, location)

    def valid(self, item, location, schema_name, default_name):
        problems = []
        for error in validator(schema_name).iter_errors(item):
            problems += schema_problems(error, location, default_name)
        problems = list(dict.fromkeys(problems))
        self.report.errors += problems
        return not problems

    def organisation_entry(self, item, location):
        services = item.get("services", [])
        valid = self.valid(item, location, "organization.json", "organization")
        if not isinstance(services, list):
            self.error(join(location, "services"), list_expected("services"))
            return
        checks = [
            self.valid(data, join(location, "services", index), "service.json", "service")
            for index, data in enumerate(services)
        ]
        # Even under a broken organization, its services are read for their own errors.
        organisation = self.organisation(item, location, nested=False) if valid else None
        for index, data in enumerate(services):
            if checks[index]:
                self.service(data, join(location, "services", index), organisation)
        if valid:
            self.contacts(item, location, organisation)

    def service_entry(self, item, location):
        if not self.valid(item, location, "service.json", "service"):
            return
        self.service(item, location, self.organisation_of(item, location))

    def organisation_of(self, item, location):
        """The organisation of a service given on its own: nested, in the file or ours."""
        if isinstance(item.get("organization"), dict):
            nested = item["organization"]
            return self.organisation(nested, join(location, "organization"), nested=True)
        uid = _uuid(item.get("organization_id"))
        found = self.organisations.get(uid) or self.existing[Organisation].get(uid)
        if found is None:
            self.error(
                location,
                _(
                    "The service names no organization: add “organization”, or an "
                    "“organization_id” already in the directory."
                ),
            )
        return found

    # Rows

    def instance(self, model, item, location, **defaults):
        """The row with the item's id (updated) or a new one; None if the id came before."""
        uid = uuid.UUID(item["id"])
        if uid in self.seen[model]:
            self.error(
                join(location, "id"),
                _("The id %(id)s appears more than once in the file (first at %(location)s).")
                % {"id": uid, "location": self.seen[model][uid] or "-"},
            )
            return None
        self.seen[model][uid] = location
        return self.existing[model].get(uid) or model(hsds_id=uid, **defaults)

    def save(self, obj, sources, location, *, can_save=True):
        """Validate `obj` (errors placed through `sources`) and save it if it changed.

        Returns "created", "updated", "unchanged", or None when not saved."""
        try:
            # Matched by hsds_id, so unique; relations are rows we hold (or a parent with
            # errors of its own), so their existence queries are skipped.
            obj.full_clean(exclude=RELATIONS[type(obj)], validate_unique=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                where = join(location, sources[name]) if name in sources else location
                for message in messages:
                    self.error(where, message)
            return None
        if not can_save:
            return None
        if obj.pk is None:
            obj.save()
            return "created"
        if _snapshot(obj) == self.before.get((type(obj), obj.pk)):
            return "unchanged"
        obj.save()
        return "updated"

    def set_text(self, obj, item, mapping, sources):
        for key, name in mapping.items():
            setattr(obj, name, item.get(key) or "")
            sources[name] = key

    def set_profile(self, obj, item, mapping, sources, location):
        for key, (name, reader) in mapping.items():
            if key not in item:
                continue
            value = item[key]
            sources[name] = key
            try:
                if value is None:
                    value = None if reader else ""
                elif reader:
                    value = reader(value)
            except ValueError as error:
                self.error(join(location, key), error)
                continue
            setattr(obj, name, value)

    def set_phone(self, obj, item, sources):
        phones = [phone for phone in item.get("phones") or [] if phone.get("number")]
        obj.phone = read_phone(phones[0]["number"]) if phones else ""
        sources["phone"] = "phones[0].number"

    # Organisations

    def organisation(self, item, location, *, nested):
        """Create or update the organisation; a nested one repeated is read once."""
        uid = uuid.UUID(item["id"])
        if nested and uid in self.organisations:
            return self.organisations[uid]
        default = {"kind": Organisation.Kind.OTHER, "tie": Organisation.Tie.INFORMATION}
        organisation = self.instance(Organisation, item, location, **default)
        if organisation is None:
            return None
        sources = {}
        self.set_text(organisation, item, ORGANISATION_TEXT, sources)
        if organisation.description == organisation.name:  # the export's stand-in
            organisation.description = ""
        self.set_profile(organisation, item, ORGANISATION_PROFILE, sources, location)
        self.set_address(organisation, item, sources, location)
        self.set_phone(organisation, item, sources)
        self.count_saved(Organisation, self.save(organisation, sources, location))
        self.organisations[uid] = organisation
        if nested:
            self.contacts(item, location, organisation)
        return organisation

    def set_address(self, organisation, item, sources, location):
        """Address, postal code and municipality from the first address of a location."""
        found = _first_address(item.get("locations") or [])
        organisation.address, organisation.postcode, organisation.municipality = "", "", None
        if found is None:
            return
        path, address = found
        lines = [address.get("address_1"), address.get("address_2")]
        organisation.address = " ".join(line for line in lines if line)
        organisation.postcode = address.get("postal_code") or ""
        sources |= {"address": f"{path}.address_1", "postcode": f"{path}.postal_code"}
        if code := address.get("jp_municipality_code"):
            sources["municipality"] = f"{path}.jp_municipality_code"
            try:
                organisation.municipality = self.areas.by_local_code(code)
            except ValueError as error:
                self.error(join(location, sources["municipality"]), error)
        else:
            sources["municipality"] = f"{path}.city"
            organisation.municipality = self.areas.in_address(
                address.get("state_province"), address.get("city")
            )

    def count_saved(self, model, state):
        if state:
            self.count(model, state)

    # Services

    def service(self, item, location, organisation):
        service = self.instance(Service, item, location)
        if service is None:
            return
        sources = {"status": "status", "languages": "languages"}
        if organisation is not None:
            service.organisation = organisation
        self.set_text(service, item, SERVICE_TEXT, sources)
        service.status = STATUSES[item["status"]]
        self.set_profile(service, item, SERVICE_PROFILE, sources, location)
        if "jp_fee" not in item:  # another system's: paid when it describes fees
            self.guess_fee(service)
        names = [
            language.get("name") or LANGUAGE_NAMES.get(language.get("code"), language.get("code"))
            for language in item.get("languages", [])
        ]
        service.languages = "、".join(name for name in names if name)
        self.set_phone(service, item, sources)
        areas = self.service_areas(item, location, service)
        topics = self.topics(item, location)
        saved = organisation is not None and organisation.pk is not None
        state = self.save(service, sources, location, can_save=saved)
        if state:
            self.link_and_count(service, state, topics=topics, areas=areas)
        self.services[service.hsds_id] = service
        for index, data in enumerate(item.get("schedules", [])):
            self.schedule(data, join(location, "schedules", index), service)
        self.contacts(item, location, organisation, service)

    @staticmethod
    def guess_fee(service):
        if service.fee_note.strip().lower() in FREE_WORDS:
            service.fee, service.fee_note = Service.Fee.FREE, ""
        elif service.fee_note:
            service.fee = Service.Fee.PAID
        elif service.pk is None:
            service.fee = Service.Fee.FREE

    def service_areas(self, item, location, service):
        """The municipalities listed (None: not listed, keep); sets serves_all_areas."""
        if "service_areas" not in item:
            return None
        all_areas, found = False, []
        for index, area in enumerate(item["service_areas"]):
            code, name = area.get("jp_municipality_code"), area.get("name") or ""
            where = join(
                location, "service_areas", index, "jp_municipality_code" if code else "name"
            )
            try:
                if code:
                    found.append(self.areas.by_local_code(code))
                elif is_all_areas(name):
                    all_areas = True
                elif name:
                    found.append(self.areas.named(name))
                else:
                    raise ValueError(_("Give the area's name or its jp_municipality_code."))
            except ValueError as error:
                self.error(where, error)
        if "jp_serves_all_areas" not in item:
            service.serves_all_areas = all_areas
        return found

    def topics(self, item, location):
        """The topics named by terms of our taxonomy (None: none named, keep)."""
        topics, ours = [], False
        for index, attribute in enumerate(item.get("attributes", [])):
            try:
                topic, taxonomy = self.terms.topic_for(attribute)
            except ValueError as error:
                self.error(join(location, "attributes", index, "taxonomy_term", "code"), error)
                ours = True
                continue
            if topic is not None:
                topics.append(topic)
                ours = True
            else:
                self.foreign_terms[taxonomy] += 1
        return topics if ours else None

    def link_and_count(self, service, state, **targets):
        """Set the service's topics and areas where the file says; count the service."""
        for name, objects in targets.items():
            if objects is None:
                continue
            pks = {obj.pk for obj in objects}
            if state == "created":
                through = getattr(Service, name).through
                column = "topic_id" if name == "topics" else "municipality_id"
                rows = [through(service_id=service.pk, **{column: pk}) for pk in pks]
                self.new_links[through] += rows
            elif pks != self.current[name, service.pk]:
                getattr(service, name).set(pks)
                state = "updated"
        self.count(Service, state)

    def warn_foreign_terms(self):
        for taxonomy, count in self.foreign_terms.items():
            self.report.skipped_terms += count
            message = ngettext(
                "%(count)d link to a term of the taxonomy “%(taxonomy)s” was skipped: only "
                "our consultation topics are imported.",
                "%(count)d links to terms of the taxonomy “%(taxonomy)s” were skipped: only "
                "our consultation topics are imported.",
                count,
            )
            self.warn("", message % {"count": count, "taxonomy": taxonomy})

    # Schedules

    def schedule(self, item, location, service):
        schedule = self.instance(Schedule, item, location)
        if schedule is None:
            return
        sources = {}
        schedule.service = service
        self.set_text(schedule, item, SCHEDULE_TEXT, sources)
        self.set_profile(schedule, item, SCHEDULE_PROFILE, sources, location)
        self.set_schedule_values(schedule, item, sources, location)
        for part in UNSUPPORTED_SCHEDULE_PARTS:
            if item.get(part) not in (None, ""):
                message = _("“%(field)s” is not supported and was ignored.") % {"field": part}
                self.warn(join(location, part), message)
        saved = service.pk is not None
        state = self.save(schedule, sources, location, can_save=saved)
        self.count_saved(Schedule, state)

    def set_schedule_values(self, schedule, item, sources, location):
        """Interval, times and dates, each read on its own so that every error is told."""
        from_key = "valid_from" if item.get("valid_from") else "dtstart"
        to_key = "valid_to" if item.get("valid_to") else "until"
        readers = {
            "interval": ("interval", read_interval, 1),
            "opens_at": ("opens_at", lambda value: read_time(value, item.get("timezone")), None),
            "closes_at": ("closes_at", lambda value: read_time(value, item.get("timezone")), None),
            "valid_from": (from_key, read_date, None),
            "valid_to": (to_key, read_date, None),
        }
        for name, (key, reader, empty) in readers.items():
            sources[name] = key
            value = item.get(key)
            try:
                setattr(schedule, name, reader(value) if value not in (None, "") else empty)
            except ValueError as error:
                self.error(join(location, key), error)
                setattr(schedule, name, empty)

    # Contacts

    def contacts(self, item, location, organisation, service=None):
        for index, data in enumerate(item.get("contacts") or []):
            self.contact(data, join(location, "contacts", index), organisation, service)

    def contact(self, item, location, organisation, service):
        person = self.instance(Contact, item, location)
        if person is None:
            return
        sources = {"title": "title"}
        if organisation is not None:
            person.organisation = organisation
        person.service = service or self.org_service(item, organisation)
        self.set_text(person, item, CONTACT_TEXT, sources)
        person.title = item.get("title") or item.get("department") or ""
        self.set_profile(person, item, CONTACT_PROFILE, sources, location)
        self.set_phone(person, item, sources)
        saved = organisation is not None and organisation.pk is not None
        state = self.save(person, sources, location, can_save=saved)
        self.count_saved(Contact, state)

    def org_service(self, item, organisation):
        """The service an organisation-level contact names, if it is one of the file's."""
        service = self.services.get(_uuid(item.get("service_id")))
        if service is not None and service.organisation is organisation:
            return service
        return None


def _first_address(locations):
    """(path, address) of the first address of the first physical location, else any."""
    ordered = sorted(
        enumerate(locations), key=lambda pair: pair[1].get("location_type") != "physical"
    )
    for index, location in ordered:
        for number, address in enumerate(location.get("addresses") or []):
            return join("", "locations", index, "addresses", number), address
    return None

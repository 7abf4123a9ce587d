"""開示請求 (個人情報保護法 33条): everything the centre holds about one client, with the
records of provision of their data to partners (33条5項), for the privacy officer.

`gather()` collects every row linked to the client, section by section, and nothing of
anyone else's; the officer then withholds what would disclose a third party (other
people named in what was said, the partners' contact people, staff names) or seriously
hinder the centre's work (33条2項), and each withheld value reads 「不開示」 with the reason.
The same sections are written as JSON, as a zip of CSV files, or as a page to print.

Hand-over notes are not linked to a client and are not in it: the officer reads the
recent ones (kept 90 days, privacy.retention) by hand.
"""

import csv
import datetime
import io
import json
import zipfile
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.exports import defused
from consultations.models import (
    Case,
    CaseEvent,
    Client,
    Consent,
    Consultation,
    ConsultationTopic,
)
from referrals.models import (
    FollowUp,
    HandoffSheet,
    PartnerLink,
    ProvisionRecord,
    Referral,
    ReferralStep,
)

FORMAT_VERSION = "lifesupport-disclosure/1"

# Why a value is withheld (33条2項各号); the officer picks one for the passages.
REASONS = {
    "third_party": gettext_lazy(
        "It would harm the life, body, property or other rights or interests of another "
        "person (個人情報保護法 33条2項1号)."
    ),
    "business": gettext_lazy(
        "It would seriously hinder the proper conduct of the centre's work "
        "(個人情報保護法 33条2項2号)."
    ),
}
# Staff who recorded something, by the field that names them.
STAFF_FIELDS = {
    "taken_by",
    "by",
    "recorded_by",
    "withdrawn_by",
    "assigned_to",
    "created_by",
    "coordinator",
    "provided_by",
    "use_stopped_by",
    "updated_by",
    "approved_by",
    "sent_by",
}
# The partners' people: their names and addresses are theirs, not the client's.
PARTNER_CONTACT_FIELDS = {"contact", "appointment_with", "sent_to"}
# Free text where other people (an employer, family, colleagues) may be named: the
# officer reads each and may withhold it.
PASSAGE_FIELDS = {
    "consultation": ["summary", "action_taken"],
    "case_event": ["text"],
    "referral_step": ["comment"],
    "follow_up": ["note"],
    "handoff_sheet": ["history", "already_tried", "client_wishes", "contact_notes"],
}


@dataclass
class SectionSpec:
    name: str
    title: str
    model: type
    row_kind: str
    columns: list


SECTIONS = [
    SectionSpec(
        "client",
        gettext_lazy("The client"),
        Client,
        "client",
        [
            *["id", "family_name", "given_name", "family_name_kana", "given_name_kana"],
            *["alias", "birth_date", "stated_age", "phone_mobile", "phone_home"],
            *["contact_hours", "email", "postcode", "prefecture", "municipality", "town"],
            *["building", "no_company_name", "no_calls_home", "no_post_home"],
            *["no_voicemail", "contact_note", "gender", "employment_type"],
            *["employment_status", "industry", "company_size", "workplace_union"],
            *["workplace_union_name", "member", "center", "created_at", "created_by"],
            *["use_stopped_at", "use_stopped_reason"],
        ],
    ),
    SectionSpec(
        "cases",
        gettext_lazy("Cases"),
        Case,
        "case",
        [
            *["id", "number", "title", "status", "closed_reason", "opened_at", "closed_at"],
            *["last_contact_at", "restricted", "main_topic", "assigned_to", "created_by"],
        ],
    ),
    SectionSpec(
        "consultations",
        gettext_lazy("Consultations"),
        Consultation,
        "consultation",
        [
            *["id", "case.number", "received_at", "channel", "duration_minutes"],
            *["consulter_type", "consulter_relation", "route", "age", "gender"],
            *["employment_type", "employment_status", "industry", "company_size"],
            *["workplace_union", "workplace_union_name", "municipality", "topics"],
            *["summary", "action_taken", "outcome", "next_action_on", "taken_by"],
        ],
    ),
    SectionSpec(
        "case_events",
        gettext_lazy("Case timeline"),
        CaseEvent,
        "case_event",
        ["id", "case.number", "at", "kind", "what", "text", "by"],
    ),
    SectionSpec(
        "consents",
        gettext_lazy("Consents"),
        Consent,
        "consent",
        [
            *["id", "organisation", "kind", "purpose", "shares_name", "shares_contact"],
            *["shares_address", "shares_age", "shares_work", "shares_sensitive", "method"],
            *["given_on", "document_ref", "recorded_by", "recorded_at", "withdrawn_at"],
            *["withdrawn_by", "withdrawal_note"],
        ],
    ),
    SectionSpec(
        "referrals",
        gettext_lazy("Referrals"),
        Referral,
        "referral",
        [
            *["id", "case.number", "organisation", "service", "contact", "need"],
            *["is_anonymous", "status", "decline_reason", "outcome", "appointment_at"],
            *["appointment_place", "appointment_with", "follow_up_on", "coordinator"],
            *["created_at", "asked_at", "answered_at", "referred_at", "closed_at"],
        ],
    ),
    SectionSpec(
        "referral_steps",
        gettext_lazy("Referral steps"),
        ReferralStep,
        "referral_step",
        ["id", "referral_id", "at", "old_status", "status", "channel", "comment", "by"],
    ),
    SectionSpec(
        "follow_ups",
        gettext_lazy("Follow-ups"),
        FollowUp,
        "follow_up",
        ["id", "referral_id", "done_on", "method", "spoke_with", "note", "next_on", "by"],
    ),
    SectionSpec(
        "handoff_sheets",
        gettext_lazy("Hand-off sheets"),
        HandoffSheet,
        "handoff_sheet",
        [
            *["id", "referral_id", "need", "history", "already_tried", "client_wishes"],
            *["contact_notes", "updated_at", "updated_by", "approved_at", "approved_by"],
        ],
    ),
    SectionSpec(
        "partner_links",
        gettext_lazy("Answer links sent to partners"),
        PartnerLink,
        "partner_link",
        ["id", "referral_id", "sent_to", "sent_at", "sent_by", "expires_at", "revoked_at"],
    ),
    SectionSpec(
        "provision_records",
        gettext_lazy("Records of provision to third parties"),
        ProvisionRecord,
        "provision_record",
        [
            *["id", "provided_at", "recipient", "client_identification", "items"],
            *["consent_basis", "channel", "provided_by", "keep_until"],
        ],
    ),
]
VIRTUAL_LABELS = {
    "topics": gettext_lazy("topics"),
    "what": gettext_lazy("what happened"),
}


@dataclass
class Redaction:
    """What the officer chose to withhold, and why."""

    passages: set = field(default_factory=set)
    passage_reason: str = "third_party"
    partner_contacts: bool = True
    staff_names: bool = False

    def reason_for(self, row_kind, row_id, name):
        """The reason this value is withheld, or None when it is disclosed."""
        if name in PARTNER_CONTACT_FIELDS and self.partner_contacts:
            return REASONS["third_party"]
        if name in STAFF_FIELDS and self.staff_names:
            return REASONS["business"]
        if passage_key(row_kind, row_id, name) in self.passages:
            return REASONS[self.passage_reason]
        return None


def passage_key(row_kind, row_id, name):
    return f"{row_kind}:{row_id}:{name}"


@dataclass
class Cell:
    name: str
    value: object
    passage: str = ""  # the key to withhold it by, for free text
    withheld: str = ""  # the reason, when withheld

    @property
    def shown(self):
        if self.withheld:
            return _("Withheld (不開示): %(reason)s") % {"reason": self.withheld}
        return self.value


@dataclass
class Section:
    name: str
    title: str
    row_kind: str
    names: list
    labels: list
    rows: list  # of lists of Cell

    def records(self):
        """Each row as (label, cell) pairs: a record reads down the page, as some have
        thirty fields and a table that wide cannot be read or printed."""
        return [list(zip(self.labels, row, strict=True)) for row in self.rows]


@dataclass
class Disclosure:
    client: object
    sections: list
    made_at: datetime.datetime

    def passages(self):
        """Every free-text value the officer may withhold, by key."""
        return [
            cell.passage
            for section in self.sections
            for row in section.rows
            for cell in row
            if cell.passage
        ]

    def apply(self, redaction):
        """Mark anew what `redaction` withholds."""
        for section in self.sections:
            for row in section.rows:
                for cell in row:
                    reason = redaction.reason_for(section.row_kind, row[0].value, cell.name)
                    cell.withheld = str(reason) if reason and cell.value != "" else ""

    def counts(self):
        return {section.name: len(section.rows) for section in self.sections}

    def ids(self):
        return {
            section.name: [row[0].value for row in section.rows]
            for section in self.sections
            if section.rows
        }

    def withheld(self):
        return [
            {"section": section.name, "id": row[0].value, "field": cell.name}
            for section in self.sections
            for row in section.rows
            for cell in row
            if cell.withheld
        ]

    def as_json(self):
        data = {
            "format": FORMAT_VERSION,
            "client": self.client.pk,
            "made_at": _text(self.made_at),
            "labels": {
                section.name: dict(zip(section.names, map(str, section.labels), strict=True))
                for section in self.sections
            },
            "sections": {
                section.name: [{cell.name: cell.shown for cell in row} for row in section.rows]
                for section in self.sections
            },
            "withheld": self.withheld(),
        }
        return json.dumps(data, ensure_ascii=False, indent=2, default=str)

    def as_csv_zip(self):
        """A zip of one CSV per section (UTF-8 with BOM, for Excel), cells defused."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for number, section in enumerate(self.sections, start=1):
                text = io.StringIO()
                text.write("\ufeff")
                writer = csv.writer(text)
                writer.writerow([str(label) for label in section.labels])
                for row in section.rows:
                    writer.writerow([defused(str(cell.shown)) for cell in row])
                archive.writestr(f"{number:02d}-{section.name}.csv", text.getvalue())
        return buffer.getvalue()


def gather(client, redaction=None):
    """The Disclosure of `client` (fetched within the officer's centre), with the values
    `redaction` withholds marked. Twelve queries whatever the number of rows."""
    redaction = redaction or Redaction()
    cases = list(
        Case.objects.filter(client=client)
        .select_related("main_topic", "assigned_to", "created_by")
        .order_by("opened_at", "pk")
    )
    referrals = list(
        Referral.objects.filter(case__in=cases)
        .select_related("case", "organisation", "service", "contact", "coordinator")
        .order_by("created_at", "pk")
    )
    topics = Prefetch("topic_links", queryset=ConsultationTopic.objects.select_related("topic"))
    rows = {
        "client": [client],
        "case": cases,
        "consultation": Consultation.objects.filter(Q(case__in=cases) | Q(client=client))
        .select_related("case", "municipality", "taken_by")
        .prefetch_related(topics)
        .order_by("received_at", "pk"),
        "case_event": CaseEvent.objects.filter(case__in=cases).select_related("case", "by"),
        "consent": client.consents.select_related(
            "organisation", "recorded_by", "withdrawn_by"
        ).order_by("given_on", "pk"),
        "referral": referrals,
        "referral_step": ReferralStep.objects.filter(referral__in=referrals).select_related("by"),
        "follow_up": FollowUp.objects.filter(referral__in=referrals).select_related("by"),
        "handoff_sheet": HandoffSheet.objects.filter(referral__in=referrals).select_related(
            "updated_by", "approved_by"
        ),
        "partner_link": PartnerLink.objects.filter(referral__in=referrals)
        .select_related("sent_by")
        .order_by("sent_at", "pk"),
        # By the client, or by a referral of theirs whose record lost its client link.
        "provision_record": ProvisionRecord.objects.filter(
            Q(client=client) | Q(referral__in=referrals)
        )
        .select_related("provided_by")
        .order_by("provided_at", "pk"),
    }
    sections = [
        Section(
            spec.name,
            spec.title,
            spec.row_kind,
            spec.columns,
            [_label(spec.model, name) for name in spec.columns],
            [
                [_cell(obj, spec.row_kind, name, redaction) for name in spec.columns]
                for obj in rows[spec.row_kind]
            ],
        )
        for spec in SECTIONS
    ]
    return Disclosure(client=client, sections=sections, made_at=timezone.now())


def _label(model, name):
    if name in VIRTUAL_LABELS:
        return VIRTUAL_LABELS[name]
    if name == "id":
        return _("number in the system")
    name = name.split(".")[0].removesuffix("_id")
    return model._meta.get_field(name).verbose_name


def _cell(obj, row_kind, name, redaction):
    passage = ""
    if name in PASSAGE_FIELDS.get(row_kind, []) and getattr(obj, name):
        passage = passage_key(row_kind, obj.pk, name)
    reason = redaction.reason_for(row_kind, obj.pk, name)
    value = _value(obj, name)
    return Cell(name, value, passage, str(reason) if reason and value != "" else "")


def _value(obj, name):
    """The value as a person reads it: choices by their label, records by their name,
    times in local time, yes/no in words."""
    if name == "topics":
        return "、".join(
            f"{link.topic}（{_('main concern')}）" if link.is_main else str(link.topic)
            for link in obj.topic_links.all()
        )
    if name == "what":
        return _event_what(obj)
    if "." in name:
        related, attribute = name.split(".")
        return _text(getattr(getattr(obj, related), attribute))
    if not name.endswith("_id") and name != "id":
        model_field = obj._meta.get_field(name)
        if model_field.choices:
            return str(getattr(obj, f"get_{name}_display")()) if getattr(obj, name) else ""
    return _text(getattr(obj, name))


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return value


def _event_what(event):
    if event.kind == CaseEvent.Kind.STATUS:
        what = f"{event.old_status_label} → {event.new_status_label}"
        return f"{what}（{event.reason_label}）" if event.reason else what
    if event.kind in (CaseEvent.Kind.ASSIGNED, CaseEvent.Kind.REFERRAL):
        return f"{event.old_value} → {event.new_value}"
    return ""

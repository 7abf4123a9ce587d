"""Output is encoded for its context (security.md row 23): what staff, partners or an
import typed is shown as text, never run as markup, a template or a link to script.

Two tests: a corpus of attacks saved in every free-text field of the casework and
directory models, read back through their pages; and a lint that keeps `|safe`,
`{% autoescape off %}` and `mark_safe(` out of the code but for the uses listed below.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.fields import NormalizedCharField
from consultations.models import CaseEvent
from consultations.tests.factories import (
    CaseFactory,
    ClientFactory,
    ConsentFactory,
    ConsultationFactory,
    HandoverNoteFactory,
)
from network.tests.factories import ContactFactory, OrganisationFactory, ServiceFactory

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{7*7}}{% debug %}",
    "'><svg onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
]

# Free text that no page shows (still checked never to appear unescaped).
NOT_SHOWN = {
    "consent.purpose": "kept for the provision record; the client page lists partner and date",
    "consultation.workplace_union_name": "statistics only; the client page shows the client's",
}


def free_text_fields(model):
    """The text a person types or an import brings: editable character and text fields
    without fixed choices, e-mail and web addresses included. Kana, phone and postcode
    fields are not free: they refuse any other character on every write, even
    `QuerySet.update()` (their `to_python` runs in `get_prep_value`)."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField))
        and not isinstance(field, NormalizedCharField)
        and field.editable
        and not field.choices
    ]


def fill_with(obj, payload):
    """Save `payload` into each free-text field of `obj`, tagged with the field's name
    where it fits (cut to the column's length otherwise), as the database would keep
    a value that got past a form. Returns {field name: stored value}."""
    stored = {}
    fields = free_text_fields(type(obj))
    if isinstance(obj, CaseEvent):
        # A note's text; the old and new values of a status change are the code's labels.
        fields = [CaseEvent._meta.get_field("text")]
    for field in fields:
        value = f"{payload}·{field.name}"
        if field.max_length:
            value = value[: field.max_length]
        setattr(obj, field.name, value)
        stored[field.name] = value
    # Straight to the table: no save() hook normalises the value on the way.
    type(obj).objects.filter(pk=obj.pk).update(**stored)
    return stored


class LinkTargets(HTMLParser):
    """Every href, src, action and formaction in a page."""

    def __init__(self):
        super().__init__()
        self.targets = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action", "formaction") and value is not None:
                self.targets.append(value)


def link_targets(html):
    parser = LinkTargets()
    parser.feed(html)
    return parser.targets


@pytest.fixture
def everything(center, coordinator):
    """A client with a consent, a case with a consultation and a note, a hand-over
    note, and a partner with a service and a contact, all at the coordinator's centre."""
    client_record = ClientFactory(center=center, created_by=coordinator)
    case = CaseFactory(center=center, client=client_record, created_by=coordinator)
    organisation = OrganisationFactory()
    objects = {
        "client": client_record,
        # Withdrawn, so that the page shows the note on the withdrawal.
        "consent": ConsentFactory(
            client=client_record,
            organisation=organisation,
            withdrawn_at=timezone.now(),
            withdrawn_by=coordinator,
        ),
        "case": case,
        "consultation": ConsultationFactory(case=case),
        "case note": CaseEvent.objects.create(
            case=case, kind=CaseEvent.Kind.NOTE, by=coordinator, text="x"
        ),
        "hand-over note": HandoverNoteFactory(center=center, author=coordinator),
        "organisation": organisation,
        "service": ServiceFactory(organisation=organisation, fee="paid"),
        "contact": ContactFactory(organisation=organisation),
    }
    pages = {
        "client": [
            reverse("consultations:client-detail", args=[client_record.pk]),
            reverse("consultations:client-edit", args=[client_record.pk]),
        ],
        "consent": [reverse("consultations:client-detail", args=[client_record.pk])],
        "case": [case.get_absolute_url(), reverse("consultations:case-edit", args=[case.number])],
        "consultation": [case.get_absolute_url()],
        "case note": [case.get_absolute_url()],
        "hand-over note": [reverse("consultations:handover-notes")],
        "organisation": [organisation.get_absolute_url()],
        "service": [reverse("network:service-detail", args=[objects["service"].pk])],
        "contact": [organisation.get_absolute_url()],
    }
    return objects, pages


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS)
def test_row_23_payloads_in_every_free_text_field_are_shown_escaped(
    client, coordinator, everything, payload
):
    objects, pages = everything
    stored = {name: fill_with(obj, payload) for name, obj in objects.items()}
    client.force_login(coordinator)

    html = {}
    for urls in pages.values():
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            html[url] = response.content.decode()

    not_shown, unescaped = [], []
    for name, values in stored.items():
        shown = "".join(html[url] for url in pages[name])
        for field_name, value in values.items():
            # Each value is on one of its pages, as text...
            if escape(value) not in shown and f"{name}.{field_name}" not in NOT_SHOWN:
                not_shown.append(f"{name}.{field_name}")
            # ...and never as markup.
            if escape(value) != value and value in shown:
                unescaped.append(f"{name}.{field_name}")
    assert unescaped == []
    assert not_shown == [], not_shown
    for url, page in html.items():
        scripts = [t for t in link_targets(page) if t.strip().lower().startswith("javascript:")]
        assert scripts == [], url


# Every use of |safe, {% autoescape off %} or mark_safe( in our code, with its reason.
# {path: (number of uses, reason)}; a new use fails the lint until it is listed here.
SAFE_MARKUP_ALLOWED = {
    "accounts/templatetags/quick_fields.py": (
        5,
        "the intake's fast field renderer: a constant asterisk, an empty start, widget "
        "and option markup whose every value from outside goes through its _escape (as "
        "conditional_escape), and the code's own help texts (as Django's and crispy's "
        "templates print them, which a comment there says with '|safe')",
    ),
    "accounts/views.py": (
        1,
        "the authenticator app's QR code: segno's SVG holds only the code's squares and "
        "our own title, escaped by segno",
    ),
    # Plain-text e-mails: no HTML, so escaping would only show "&amp;" to the reader.
    **{
        f"referrals/templates/referrals/email/{name}.txt": (1, "plain-text e-mail")
        for name in ("followup_reminder", "partner_link", "partner_link_subject")
    },
    # Django's name for it, but a plain-text e-mail too.
    "templates/registration/password_reset_email.html": (1, "plain-text e-mail"),
}
LINT_PATTERNS = {
    ".html": re.compile(r"\|\s*safe(seq)?\b|{%\s*autoescape\s+off\s*%}"),
    ".txt": re.compile(r"\|\s*safe(seq)?\b|{%\s*autoescape\s+off\s*%}"),
    ".py": re.compile(r"\bmark_safe\(|\bSafeString\(|\|\s*safe\b"),
}
SKIPPED_DIRECTORIES = {".venv", "staticfiles", "var", "node_modules", ".git", "bench"}


def our_files():
    base = Path(settings.BASE_DIR)
    for path in base.rglob("*"):
        relative = path.relative_to(base)
        if relative.parts[0] in SKIPPED_DIRECTORIES or "tests" in relative.parts:
            continue
        if path.suffix in LINT_PATTERNS and path.is_file():
            yield relative, path


def safe_markup_uses():
    """{path: number of uses} of the patterns above, comments included (a commented-out
    mark_safe is one edit away from being live)."""
    uses = {}
    for relative, path in our_files():
        count = len(LINT_PATTERNS[path.suffix].findall(path.read_text(encoding="utf-8")))
        if count:
            uses[str(relative)] = count
    return uses


def test_row_23_no_safe_markup_outside_the_allow_list():
    allowed = {path: count for path, (count, _reason) in SAFE_MARKUP_ALLOWED.items()}
    assert safe_markup_uses() == allowed


def test_row_23_the_lint_finds_what_it_looks_for():
    html, python = LINT_PATTERNS[".html"], LINT_PATTERNS[".py"]
    assert html.search("{{ note.text|safe }}")
    assert html.search("{{ notes | safeseq }}")
    assert html.search("{% autoescape off %}")
    assert not html.search("{{ note.safety_plan }}")
    assert python.search("return mark_safe(text)")
    assert not python.search("return format_html('{}', text)")

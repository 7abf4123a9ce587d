import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.template import Context, Template

from accounts.templatetags.quick_fields import _widget, as_field, as_tag
from consultations.forms import (
    CaseFilterForm,
    ClientForm,
    ClientIntakeForm,
    ConsentForm,
    IntakeForm,
)
from consultations.tests.factories import CaseFactory, ClientFactory
from members.forms import MemberFilterForm

pytestmark = pytest.mark.django_db

TYPED_BADLY = {
    "duration_minutes": "twenty",
    "age": "-4",
    "next_action_on": "someday",
    "anonymous": "on",
    "client-email": "not an address",
    "client-family_name_kana": "<b>やまだ</b>",
}


SELECTED = {
    "main_topic": "W2-01",
    "other_topics": ["W3-01", "W1-02"],
    "gender": "female",
    "client-prefecture": "13",
}


def _same_markup(html):
    """What a browser sees the same: runs of white space as one, none between tags."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


@pytest.mark.parametrize("data", [None, TYPED_BADLY], ids=["empty", "with errors"])
def test_as_field_writes_what_crispy_renders(counter_staff, data):
    client = ClientFactory(center=counter_staff.center, created_by=counter_staff)
    forms = [
        lambda: IntakeForm(data, user=counter_staff),
        lambda: ClientIntakeForm(data, prefix="client", user=counter_staff),
        lambda: ClientForm(data, instance=client, user=counter_staff),
        lambda: MemberFilterForm(data and {"status": "nonsense", "q": "<b>山田</b>"}),
    ]
    for make in forms:
        for name in make().fields:
            # Each side gets a form of its own: both add classes to the widgets.
            assert _same_markup(as_field(make()[name])) == _same_markup(
                as_crispy_field(make()[name])
            ), name


def test_selects_write_the_options_django_would(counter_staff):
    """The intake forms' selects have a template of their own, with the same markup."""
    data = {**SELECTED, "taken_by": str(counter_staff.pk)}
    for make in [
        lambda: IntakeForm(data, user=counter_staff),
        lambda: ClientIntakeForm(data, prefix="client", user=counter_staff),
    ]:
        ours, djangos = make(), make()
        for name, field in djangos.fields.items():
            field.widget.template_name = type(field.widget).template_name
            assert str(ours[name]) == str(djangos[name]), name
        if "main_topic" in ours.fields:
            assert '<option value="W3-01" selected>' in str(ours["other_topics"])


TYPED_WELL = {
    **SELECTED,
    "received_at": "2026-04-01T09:30",
    "duration_minutes": "15",
    "summary": 'Said "no" & <left>\nthen called again',
    "counts_for_rengo": "on",
    "next_action_on": "2026-04-08",
    "client-phone_mobile": "090-1234-5678",
    "client-no_calls_home": "on",
    "client-birth_date": "1980-02-29",
    "q": "山田 & <b>",
    "contact_from": "2026-01-01",
}


@pytest.mark.parametrize("data", [None, TYPED_BADLY, TYPED_WELL], ids=["empty", "bad", "good"])
def test_widgets_are_written_as_djangos_templates_render_them(counter_staff, data):
    """Byte for byte, every widget of the forms that use |as_field (the others fall back
    to their templates, e.g. the hidden initial values of an edit form)."""
    client = ClientFactory(center=counter_staff.center, created_by=counter_staff)
    forms = [
        lambda: IntakeForm(data, user=counter_staff),
        lambda: IntakeForm(user=counter_staff, client=client),
        lambda: ClientIntakeForm(data, prefix="client", user=counter_staff),
        lambda: ClientForm(data, instance=client, user=counter_staff),
        lambda: CaseFilterForm(data, user=counter_staff),
    ]
    for make in forms:
        form = make()
        for name in form.fields:
            assert _widget(make()[name]) == str(make()[name]), name


@pytest.mark.parametrize("data", [None, {"channel": "visit", "outcome": "x", "method": "oral"}])
def test_toggle_buttons_are_written_as_djangos_templates_render_them(counter_staff, data):
    client = ClientFactory(center=counter_staff.center, created_by=counter_staff)
    CaseFactory(center=counter_staff.center, client=client)
    forms = [
        (IntakeForm(data, user=counter_staff, client=client), ["channel", "outcome", "case"]),
        (ConsentForm(data), ["method"]),
    ]
    for form, names in forms:
        for name in names:
            radios = list(form[name])
            assert radios, name
            for radio in radios:
                assert as_tag(radio) == radio.tag(), name


@pytest.mark.parametrize(
    ("choices", "selected"),
    [
        ([(2026, "2026"), (2025, "2025"), (2024, "2024")], 2025),
        ([("fiscal_year", "年度"), ("month", "月"), ("<b>", "<i>&</i>")], "month"),
        ([(1, "1"), (2, "2")], None),
    ],
)
def test_choice_options_are_written_as_the_template_loop_wrote_them(choices, selected):
    loop = Template(
        '{% for value, label in choices %}<option value="{{ value }}"{% if value == selected %}'
        " selected{% endif %}>{{ label }}</option>{% endfor %}"
    )
    written = Template("{% load quick_fields %}{{ choices|as_choice_options:selected }}")
    context = Context({"choices": choices, "selected": selected})
    assert written.render(context) == loop.render(context)

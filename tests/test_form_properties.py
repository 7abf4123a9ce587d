"""security.md row 24: every form validates whatever it is sent, on the server.

For each form of the apps, Hypothesis posts 200 sets of values (any text with control
characters and NUL, full-width digits, dates in odd shapes, huge numbers, the field's
own choices and values outside them). `is_valid()` must answer without raising, and
what a model form accepts must also satisfy the database's constraints when saved.
"""

import importlib
import inspect

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.japanese import format_phone
from accounts.models import Role
from accounts.tests.factories import UserFactory
from consultations.forms import ClientForm
from consultations.tests.factories import CaseFactory, ConsentFactory
from members.tests.factories import MemberFactory
from network.tests.factories import ServiceFactory
from referrals.tests.factories import ReferralFactory

APPS = ["accounts", "network", "members", "consultations", "referrals", "reports"]
MODULES = ["forms", "forms_checklist", "imports"]


def app_forms():
    found = []
    for app in APPS:
        for name in MODULES:
            try:
                module = importlib.import_module(f"{app}.{name}")
            except ModuleNotFoundError:
                continue
            found += [
                form
                for form in vars(module).values()
                if inspect.isclass(form)
                and issubclass(form, forms.BaseForm)
                and form.__module__ == module.__name__
                # A base class for model forms, without a model of its own
                and not (issubclass(form, forms.ModelForm) and form._meta.model is None)
            ]
    return found


FORMS = app_forms()

ANY_TEXT = st.text(max_size=200)
ODD_VALUES = st.sampled_from(
    [
        *["", " ", "on", "0", "-1", "1e9", "²", "１２", "０９０-１２３４-５６７８", "や\x00ま"],
        *["2026-02-30", "令和8年2月30日"],
    ]
)
NUMBERS = st.integers(min_value=-(2**70), max_value=2**70).map(str)
DATEISH = st.from_regex(r"[0-9０-９]{0,5}[-/年]?[0-9]{0,3}[-/月]?[0-9]{0,3}(T[0-9:]{0,6})?")


def values_for(field):
    """Values a browser (or anyone) could send for this field."""
    garbage = ANY_TEXT | ODD_VALUES | NUMBERS
    choices = getattr(field, "choices", None)
    if isinstance(field, forms.ModelChoiceField):
        # Real ids and ids that do not exist; the queryset is read by the form itself.
        own = st.integers(min_value=0, max_value=50).map(str)
    elif choices:
        own = st.sampled_from([str(value) for value, _ in flat_choices(choices)] or [""])
    elif isinstance(field, (forms.DateField, forms.DateTimeField)):
        own = DATEISH
    elif isinstance(field, (forms.IntegerField, forms.DecimalField)):
        own = NUMBERS
    elif isinstance(field, forms.BooleanField):
        own = st.sampled_from(["on", "", "false"])
    else:
        own = ANY_TEXT
    one = own | garbage
    if isinstance(field, forms.MultipleChoiceField):
        return st.lists(one, max_size=4)
    return st.lists(one, min_size=0, max_size=2)


def flat_choices(choices):
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            yield from label
        else:
            yield value, label


@pytest.fixture
def world(center):
    """What the forms' constructors ask for, in one centre."""
    staff = UserFactory(center=center, roles=list(Role), is_staff=True)
    case = CaseFactory(center=center, created_by=staff)
    service = ServiceFactory()
    member = MemberFactory(center=center)
    referral = ReferralFactory(case=case)
    return {
        # The records that edit forms are always given by their views
        "instances": [case, case.client, member, referral, referral.sheet],
        "user": staff,
        "case": case,
        "service": service,
        "consent": ConsentFactory(client=case.client, organisation=service.organisation),
        "member": member,
        "types": {member.membership_type.name.casefold(): member.membership_type},
        "municipality_ids": set(),
        "reader": staff,
    }


def build(form_class, data, world):
    needed = {
        name: world[name]
        for name, parameter in inspect.signature(form_class.__init__).parameters.items()
        if parameter.kind is parameter.KEYWORD_ONLY and parameter.default is parameter.empty
    }
    if issubclass(form_class, forms.ModelForm):
        model = form_class._meta.model
        instance = next((obj for obj in world["instances"] if isinstance(obj, model)), None)
        if instance is not None:
            needed["instance"] = instance
    return form_class(data, **needed)


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORMS, ids=lambda form: form.__name__)
def test_row_24_every_form_validates_any_input_without_raising(form_class, world):
    blank = build(form_class, MultiValueDict(), world)
    fields, prefix = blank.fields, blank.prefix

    @settings(
        max_examples=200,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.fixed_dictionaries({name: values_for(field) for name, field in fields.items()}))
    def posted(values):
        data = MultiValueDict(
            {f"{prefix}-{name}" if prefix else name: items for name, items in values.items()}
        )
        form = build(form_class, data, world)
        valid = form.is_valid()
        if valid and isinstance(form, forms.ModelForm) and not needs_more_than_data(form):
            with transaction.atomic():
                form.save()
                transaction.set_rollback(True)

    posted()


def needs_more_than_data(form):
    """Model forms whose instance gets required values from the view (its author, its
    case) before saving: saving them bare would test the view's job, not the form's."""
    try:
        form.instance.full_clean(exclude=list(form.fields), validate_unique=False)
    except ValidationError:  # a value the view fills in
        return True
    return False


def test_row_24_the_walk_finds_the_forms():
    names = {form.__name__ for form in FORMS}
    assert {"IntakeForm", "ClientForm", "MemberForm", "ReferralForm", "CaseForm"} <= names


@pytest.mark.django_db
def test_row_24_full_width_phone_digits_are_stored_half_width(world):
    client = world["case"].client
    loaded = ClientForm(instance=client, user=world["user"])
    data = {name: value for name, value in loaded.initial.items() if value is not None}
    data["version"] = client.version
    data["phone_mobile"] = "０９０-１２３４-５６７８"
    form = ClientForm(data, instance=client, user=world["user"])
    assert form.is_valid(), form.errors
    form.save()
    client.refresh_from_db()
    # Clients' numbers are kept as digits, so that look-ups match however they were typed,
    # and shown with hyphens.
    assert client.phone_mobile == "09012345678"
    assert format_phone(client.phone_mobile) == "090-1234-5678"

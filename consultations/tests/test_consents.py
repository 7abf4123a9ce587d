"""A client's consents (同意): recorded, listed on the client's page, and withdrawn."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from consultations.models import Consent
from consultations.tests.factories import ClientFactory, ConsentFactory, ConsultationFactory
from network.models import Organisation
from network.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(db):
    return OrganisationFactory(name="金沢労働基準監督署", kind=Organisation.Kind.GOVERNMENT)


@pytest.fixture
def hidden_client(center, coordinator):
    """A client known only through a restricted case assigned to the coordinator."""
    hidden = ClientFactory(center=center)
    ConsultationFactory(
        case__center=center,
        case__client=hidden,
        case__restricted=True,
        case__assigned_to=coordinator,
    )
    return hidden


def create_url(client_record):
    return reverse("consultations:consent-create", args=[client_record.pk])


def withdraw_url(consent):
    return reverse("consultations:consent-withdraw", args=[consent.pk])


def form_data(**changes):
    data = {
        "organisation": "",
        "kind": "",
        "shares_name": "on",
        "shares_contact": "on",
        "shares_age": "on",
        "purpose": "相談の引継ぎのため",
        "method": Consent.Method.ORAL,
        "given_on": timezone.localdate().isoformat(),
        "document_ref": "",
    }
    return {**data, **changes}


def audits(action):
    return AuditEvent.objects.filter(action=action)


def messages_of(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


# Recording a consent --------------------------------------------------------------------


def test_the_form_shows_active_partners_and_the_consents_in_force(
    client, counter_staff, coordinator, client_record, partner
):
    closed = OrganisationFactory(name="閉鎖した団体", is_active=False)
    in_force = ConsentFactory(client=client_record, organisation=partner, recorded_by=coordinator)
    withdrawn = ConsentFactory(
        client=client_record, kind=Organisation.Kind.NPO, recorded_by=coordinator
    )
    withdrawn.withdraw(by=coordinator)
    client.force_login(counter_staff)

    response = client.get(create_url(client_record))

    assert response.status_code == 200
    choices = response.context["form"].fields["organisation"].queryset
    assert partner in choices
    assert closed not in choices
    assert list(response.context["in_force"]) == [in_force]
    assert response.context["form"].partner is None
    assert "金沢労働基準監督署" in response.text


def test_a_partner_in_the_query_string_is_chosen_and_named(
    client, counter_staff, client_record, partner
):
    client.force_login(counter_staff)

    response = client.get(create_url(client_record), {"organisation": partner.pk})

    form = response.context["form"]
    assert form.partner == partner
    assert form["organisation"].value() == partner.pk
    assert f'<option value="{partner.pk}" selected>' in response.text


@pytest.mark.parametrize("organisation", ["999999", "abc", "²", "1" * 30, "-1", ""])
def test_an_unknown_partner_in_the_query_string_is_ignored(
    client, counter_staff, client_record, organisation
):
    client.force_login(counter_staff)
    response = client.get(create_url(client_record), {"organisation": organisation})
    assert response.status_code == 200
    assert response.context["form"].partner is None


def test_an_inactive_partner_in_the_query_string_is_not_chosen(
    client, counter_staff, client_record
):
    closed = OrganisationFactory(is_active=False)
    client.force_login(counter_staff)
    response = client.get(create_url(client_record), {"organisation": closed.pk})
    assert response.context["form"].partner is None


def test_a_consent_for_a_partner_is_recorded_and_audited(
    client, counter_staff, client_record, partner
):
    client.force_login(counter_staff)

    response = client.post(
        create_url(client_record),
        form_data(
            organisation=partner.pk,
            shares_sensitive="on",
            method=Consent.Method.WRITTEN,
            document_ref="同意書-12",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == client_record.get_absolute_url()
    consent = Consent.objects.get()
    assert (consent.client, consent.organisation, consent.kind) == (client_record, partner, "")
    assert (consent.method, consent.document_ref) == (Consent.Method.WRITTEN, "同意書-12")
    assert (consent.recorded_by, consent.is_in_force) == (counter_staff, True)
    assert [consent.shares_name, consent.shares_address, consent.shares_sensitive] == [
        True,
        False,
        True,
    ]
    [event] = audits(AuditEvent.Action.CREATE)
    assert (event.user, event.object_id, event.detail) == (
        counter_staff,
        str(consent.pk),
        {"client": client_record.pk, "subjects": {"clients": [client_record.pk]}},
    )
    assert messages_of(response)[0][0] == "success"


def test_a_consent_for_every_partner_of_a_kind_needs_no_partner(
    client, coordinator, client_record, partner
):
    client.force_login(coordinator)
    client.post(create_url(client_record), form_data(kind=Organisation.Kind.GOVERNMENT))
    consent = Consent.objects.get()
    assert (consent.organisation, consent.kind) == (None, Organisation.Kind.GOVERNMENT)
    assert list(client_record.consents.covering(partner)) == [consent]


def test_a_partner_and_its_own_kind_are_accepted_together(
    client, counter_staff, client_record, partner
):
    client.force_login(counter_staff)
    response = client.post(
        create_url(client_record),
        form_data(organisation=partner.pk, kind=Organisation.Kind.GOVERNMENT),
    )
    assert response.status_code == 302
    assert Consent.objects.get().organisation == partner


def test_the_user_goes_back_to_the_referral_being_started(
    client, coordinator, client_record, partner
):
    back = "/referrals/new/2026-000001/?service=3"
    client.force_login(coordinator)

    page = client.get(create_url(client_record), {"organisation": partner.pk, "next": back})
    response = client.post(
        f"{create_url(client_record)}?organisation={partner.pk}",
        form_data(organisation=partner.pk, next=back),
    )

    assert f'name="next" value="{back.replace("&", "&amp;")}"' in page.text
    assert response.status_code == 302
    assert response["Location"] == back


def test_next_in_the_query_string_is_kept_when_the_form_is_posted_to_it(
    client, coordinator, client_record, partner
):
    client.force_login(coordinator)
    response = client.post(
        f"{create_url(client_record)}?next=/consultations/cases/",
        form_data(organisation=partner.pk),
    )
    assert response["Location"] == "/consultations/cases/"


@pytest.mark.parametrize(
    "back",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "javascript:alert(1)",
        "https://testserver.evil.example/",
        "\\\\evil.example",
    ],
)
def test_next_to_another_site_is_ignored(client, coordinator, client_record, partner, back):
    client.force_login(coordinator)

    page = client.get(create_url(client_record), {"next": back})
    response = client.post(create_url(client_record), form_data(organisation=partner.pk, next=back))

    assert page.context["next"] is None
    assert response["Location"] == client_record.get_absolute_url()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({}, "__all__"),
        ({"kind": Organisation.Kind.NPO, "organisation": "PARTNER"}, "kind"),
        ({"organisation": "PARTNER", "given_on": "FUTURE"}, "given_on"),
        ({"organisation": "999999"}, "organisation"),
        ({"organisation": "abc"}, "organisation"),
        ({"organisation": "1" * 30}, "organisation"),
        ({"organisation": "CLOSED"}, "organisation"),
        ({"kind": "nonsense"}, "kind"),
        ({"organisation": "PARTNER", "method": ""}, "method"),
        ({"organisation": "PARTNER", "method": "email"}, "method"),
        ({"organisation": "PARTNER", "given_on": "2026-02-30"}, "given_on"),
        ({"organisation": "PARTNER", "purpose": ""}, "purpose"),
        ({"organisation": "PARTNER", "purpose": "x" * 201}, "purpose"),
        ({"organisation": "PARTNER", "purpose": "引継ぎ\x00"}, "purpose"),
        ({"organisation": "PARTNER", "document_ref": "1" * 51}, "document_ref"),
    ],
)
def test_bad_input_answers_with_the_form(
    client, counter_staff, client_record, partner, changes, field
):
    closed = OrganisationFactory(is_active=False)
    stand_ins = {
        "PARTNER": str(partner.pk),
        "CLOSED": str(closed.pk),
        "FUTURE": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
    }
    changes = {name: stand_ins.get(value, value) for name, value in changes.items()}
    client.force_login(counter_staff)

    response = client.post(create_url(client_record), form_data(**changes))

    assert response.status_code == 200
    errors = response.context["form"].errors
    # A partner that is not in the list also leaves the consent without a scope.
    assert field in errors
    assert set(errors) <= {field, "__all__"}
    assert not Consent.objects.exists()
    assert not audits(AuditEvent.Action.CREATE).exists()


def test_a_missing_scope_is_said_once_on_the_page(client, counter_staff, client_record):
    client.force_login(counter_staff)
    response = client.post(create_url(client_record), form_data())
    # Consent.clean()'s words, not also the name of its check constraint.
    [error] = response.context["form"].non_field_errors()
    assert "consent_has_scope" not in error
    assert "consent_has_scope" not in response.text
    assert 'class="alert alert-danger"' in response.text


# Withdrawing a consent --------------------------------------------------------------------


@pytest.fixture
def consent(client_record, partner, coordinator):
    return ConsentFactory(client=client_record, organisation=partner, recorded_by=coordinator)


def test_a_withdrawal_is_recorded_and_audited(client, counter_staff, client_record, consent):
    client.force_login(counter_staff)

    response = client.post(withdraw_url(consent), {"note": "電話で撤回の申し出"})

    assert response.status_code == 302
    assert response["Location"] == client_record.get_absolute_url()
    consent.refresh_from_db()
    assert not consent.is_in_force
    assert (consent.withdrawn_by, consent.withdrawal_note) == (counter_staff, "電話で撤回の申し出")
    [event] = audits(AuditEvent.Action.CHANGE)
    assert (event.user, event.object_id, event.detail) == (
        counter_staff,
        str(consent.pk),
        {
            "client": client_record.pk,
            "withdrawn": True,
            "subjects": {"clients": [client_record.pk]},
        },
    )
    assert messages_of(response)[0][0] == "success"
    assert not client_record.consents.in_force().exists()


def test_a_withdrawal_needs_no_note(client, coordinator, consent):
    client.force_login(coordinator)
    client.post(withdraw_url(consent))
    consent.refresh_from_db()
    assert (consent.is_in_force, consent.withdrawal_note) == (False, "")


def test_withdrawing_twice_says_so_and_changes_nothing(client, counter_staff, coordinator, consent):
    consent.withdraw(by=coordinator, note="最初の撤回")
    client.force_login(counter_staff)

    response = client.post(withdraw_url(consent), {"note": "二度目"})

    assert response.status_code == 302
    assert [level for level, _text in messages_of(response)] == ["error"]
    consent.refresh_from_db()
    assert (consent.withdrawn_by, consent.withdrawal_note) == (coordinator, "最初の撤回")
    assert not audits(AuditEvent.Action.CHANGE).exists()


def test_a_note_too_long_withdraws_nothing(client, counter_staff, consent):
    client.force_login(counter_staff)
    response = client.post(withdraw_url(consent), {"note": "x" * 201})
    assert [level for level, _text in messages_of(response)] == ["error"]
    consent.refresh_from_db()
    assert consent.is_in_force


def test_get_on_withdraw_is_405(client, counter_staff, consent):
    client.force_login(counter_staff)
    assert client.get(withdraw_url(consent)).status_code == 405
    consent.refresh_from_db()
    assert consent.is_in_force


# Denials ----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, client_record, consent):
    for response in [
        client.get(create_url(client_record)),
        client.post(create_url(client_record), form_data(kind="npo")),
        client.post(withdraw_url(consent)),
    ]:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert Consent.objects.get().is_in_force
    assert Consent.objects.count() == 1


@pytest.mark.parametrize("role_holder", ["viewer", "manager"])
def test_viewers_and_managers_get_403(client, request, role_holder, client_record, consent):
    client.force_login(request.getfixturevalue(role_holder))
    assert client.get(create_url(client_record)).status_code == 403
    assert client.post(create_url(client_record), form_data(kind="npo")).status_code == 403
    assert client.post(withdraw_url(consent)).status_code == 403
    assert Consent.objects.count() == 1
    assert Consent.objects.get().is_in_force


def test_another_centres_client_is_404_and_the_attempt_audited(
    client, coordinator, case_elsewhere, partner
):
    elsewhere = ConsentFactory(client=case_elsewhere.client, organisation=partner)
    client.force_login(coordinator)

    assert client.get(create_url(case_elsewhere.client)).status_code == 404
    assert client.post(create_url(case_elsewhere.client), form_data(kind="npo")).status_code == 404
    assert client.post(withdraw_url(elsewhere)).status_code == 404

    assert Consent.objects.count() == 1
    elsewhere.refresh_from_db()
    assert elsewhere.is_in_force
    assert [e.detail for e in audits(AuditEvent.Action.DENIED).order_by("pk")] == [
        {"client": case_elsewhere.client.pk},
        {"client": case_elsewhere.client.pk},
        {"consent": elsewhere.pk},
    ]


def test_a_restricted_client_is_404_for_unassigned_counter_staff(
    client, counter_staff, coordinator, hidden_client, partner
):
    hidden = ConsentFactory(client=hidden_client, organisation=partner, recorded_by=coordinator)
    client.force_login(counter_staff)

    assert client.get(create_url(hidden_client)).status_code == 404
    assert client.post(create_url(hidden_client), form_data(kind="npo")).status_code == 404
    assert client.post(withdraw_url(hidden)).status_code == 404
    hidden.refresh_from_db()
    assert hidden.is_in_force

    client.force_login(coordinator)
    assert client.get(create_url(hidden_client)).status_code == 200
    assert client.post(withdraw_url(hidden)).status_code == 302


def test_an_unknown_consent_is_404(client, counter_staff):
    client.force_login(counter_staff)
    response = client.post(reverse("consultations:consent-withdraw", args=[999999]))
    assert response.status_code == 404


# The client's page ------------------------------------------------------------------------


def test_the_client_page_lists_consents_with_their_state(
    client, counter_staff, coordinator, client_record, partner
):
    in_force = ConsentFactory(
        client=client_record, organisation=partner, recorded_by=coordinator, document_ref="A-7"
    )
    withdrawn = ConsentFactory(
        client=client_record, kind=Organisation.Kind.NPO, recorded_by=coordinator
    )
    withdrawn.withdraw(by=coordinator, note="撤回の申し出")
    ConsentFactory(client=ClientFactory(center=client_record.center), organisation=partner)
    client.force_login(counter_staff)

    response = client.get(client_record.get_absolute_url())

    assert list(response.context["consents"]) == [withdrawn, in_force]
    text = response.text
    for shown in ["金沢労働基準監督署", "A-7", "撤回の申し出", str(coordinator)]:
        assert shown in text
    assert withdraw_url(in_force) in text
    assert withdraw_url(withdrawn) not in text
    assert create_url(client_record) in text
    assert reverse("referrals:provision-list", args=[client_record.pk]) in text


@pytest.mark.parametrize("consents", [1, 10])
def test_the_client_page_query_budget_does_not_grow_with_consents(
    client,
    counter_staff,
    coordinator,
    client_record,
    partner,
    consents,
    django_assert_max_num_queries,
):
    for index in range(consents):
        consent = ConsentFactory(
            client=client_record,
            organisation=OrganisationFactory() if index else partner,
            recorded_by=counter_staff if index % 2 else coordinator,
        )
        if index % 3 == 1:
            consent.withdraw(by=coordinator)
    client.force_login(counter_staff)

    # session, user, user + group permissions, the client with membership, the audit
    # entry (+ its content type, when not cached yet), the user's centre (menu), the
    # cases, the consents with partner and staff (the one query this page gained for
    # them), and the session's save (savepoint, update, release).
    # ...and the second factor's device (django-otp), on every signed-in request.
    with django_assert_max_num_queries(14):
        response = client.get(client_record.get_absolute_url())
    assert len(response.context["consents"]) == consents

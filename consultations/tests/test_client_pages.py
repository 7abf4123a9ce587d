"""A client's page and the edit of their record."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from consultations.models import Case, Client
from consultations.tests.factories import CaseFactory, ClientFactory, ConsultationFactory
from consultations.tests.test_case_edit import form_data
from network.models import Municipality

pytestmark = pytest.mark.django_db


def detail_url(client_record):
    return reverse("consultations:client-detail", args=[client_record.pk])


def edit_url(client_record):
    return reverse("consultations:client-edit", args=[client_record.pk])


def audits(obj, action):
    return AuditEvent.objects.filter(
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
    )


def edit(client, client_record, **changes):
    """Post the edit form as loaded, with `changes` typed in."""
    data = {**form_data(client.get(edit_url(client_record))), **changes}
    return client.post(edit_url(client_record), data)


# The page ----------------------------------------------------------------------------------


def test_the_page_shows_the_client_and_their_cases_and_is_audited(
    client, counter_staff, client_record, case
):
    closed = CaseFactory(center=case.center, client=client_record, title="解雇予告")
    closed.close(reason=Case.ClosedReason.RESOLVED, by=counter_staff)
    CaseFactory(center=case.center, title="別の人の件")
    client.force_login(counter_staff)

    response = client.get(detail_url(client_record))

    assert response.status_code == 200
    assert {c.pk for c in response.context["cases"]} == {case.pk, closed.pk}
    for text in ["山田 花子", "ヤマダ ハナコ", "090-1234-5678", case.number, "解雇予告"]:
        assert text in response.text
    assert "別の人の件" not in response.text
    [event] = audits(client_record, AuditEvent.Action.VIEW)
    assert (event.user, event.detail) == (
        counter_staff,
        {"subjects": {"clients": [client_record.pk]}},
    )


def test_the_page_shows_the_age_from_the_birth_date(client, counter_staff, client_record):
    today = timezone.localdate()
    Client.objects.filter(pk=client_record.pk).update(
        birth_date=today.replace(year=today.year - 40) - datetime.timedelta(days=1)
    )
    client.force_login(counter_staff)
    assert client.get(detail_url(client_record)).context["age"] == 40


def test_a_restricted_case_of_the_client_is_hidden_from_unassigned_counter_staff(
    client, counter_staff, coordinator, client_record, case
):
    hidden = CaseFactory(
        center=case.center, client=client_record, restricted=True, assigned_to=coordinator
    )
    client.force_login(counter_staff)

    response = client.get(detail_url(client_record))

    assert response.status_code == 200
    assert {c.pk for c in response.context["cases"]} == {case.pk}
    assert hidden.number not in response.text


def test_the_restricted_case_of_the_client_is_listed_for_coordinators(
    client, coordinator, client_record, case
):
    hidden = CaseFactory(center=case.center, client=client_record, restricted=True)
    client.force_login(coordinator)
    response = client.get(detail_url(client_record))
    assert {c.pk for c in response.context["cases"]} == {case.pk, hidden.pk}


def test_a_client_known_only_through_a_hidden_restricted_case_is_404(
    client, counter_staff, coordinator, center
):
    only_restricted = ClientFactory(center=center)
    ConsultationFactory(
        case__center=center,
        case__client=only_restricted,
        case__restricted=True,
        case__assigned_to=coordinator,
    )
    client.force_login(counter_staff)
    assert client.get(detail_url(only_restricted)).status_code == 404
    assert client.get(edit_url(only_restricted)).status_code == 404
    assert not audits(only_restricted, AuditEvent.Action.VIEW).exists()
    client.force_login(coordinator)
    assert client.get(detail_url(only_restricted)).status_code == 200


def test_a_client_known_through_their_own_restricted_case_is_shown_to_its_assignee(
    client, counter_staff, center
):
    mine = ClientFactory(center=center)
    CaseFactory(center=center, client=mine, restricted=True, assigned_to=counter_staff)
    client.force_login(counter_staff)
    assert client.get(detail_url(mine)).status_code == 200


def test_another_centres_client_is_404(client, coordinator, case_elsewhere):
    client.force_login(coordinator)
    assert client.get(detail_url(case_elsewhere.client)).status_code == 404
    assert client.get(edit_url(case_elsewhere.client)).status_code == 404
    assert client.post(edit_url(case_elsewhere.client), {"version": "1"}).status_code == 404
    assert not AuditEvent.objects.filter(action__in=["view", "change"]).exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, client_record):
    for url in [detail_url(client_record), edit_url(client_record)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role_holder", ["viewer", "manager"])
def test_viewers_and_managers_get_403(client, request, role_holder, client_record):
    client.force_login(request.getfixturevalue(role_holder))
    assert client.get(detail_url(client_record)).status_code == 403
    assert client.get(edit_url(client_record)).status_code == 403
    assert client.post(edit_url(client_record), {"version": "1"}).status_code == 403
    assert not AuditEvent.objects.filter(action__in=["view", "change"]).exists()


# The edit -----------------------------------------------------------------------------------


def test_an_edit_is_saved_and_audited_with_field_names_only(client, counter_staff, client_record):
    client.force_login(counter_staff)

    response = edit(
        client,
        client_record,
        phone_mobile="０８０－９８７６－５４３２",
        contact_hours="夜",
        no_voicemail="on",
    )

    assert response.status_code == 302
    assert response["Location"] == detail_url(client_record)
    saved = Client.objects.get(pk=client_record.pk)
    assert (saved.phone_mobile, saved.contact_hours, saved.no_voicemail, saved.version) == (
        "08098765432",
        "夜",
        True,
        2,
    )
    [audit] = audits(saved, AuditEvent.Action.CHANGE)
    assert audit.user == counter_staff
    assert sorted(audit.detail["fields"]) == ["contact_hours", "no_voicemail", "phone_mobile"]
    assert "9876" not in str(audit.detail)
    assert "夜" not in str(audit.detail)
    page = client.get(detail_url(client_record))
    assert "080-9876-5432" in page.text
    assert "08098765432" not in page.text


def test_a_landline_is_shown_grouped_by_its_area_code(client, counter_staff, client_record):
    client.force_login(counter_staff)
    edit(client, client_record, phone_home="（０７６）２３１－７７００")
    assert Client.objects.get(pk=client_record.pk).phone_home == "0762317700"
    assert "076-231-7700" in client.get(detail_url(client_record)).text


def test_a_new_reading_is_searchable(client, counter_staff, client_record):
    client.force_login(counter_staff)
    edit(client, client_record, family_name_kana="やまかわ", family_name="山川")
    saved = Client.objects.get(pk=client_record.pk)
    assert (saved.family_name_kana, saved.search_kana) == ("ヤマカワ", "ヤマカワハナコ")
    assert Client.objects.matching(kana="ﾔﾏｶﾜ").get() == saved


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"birth_date": "2999-01-01"}, "birth_date", None),
        ({"birth_date": "1899-12-31"}, "birth_date", None),
        ({"birth_date": "2000-02-30"}, "birth_date", "invalid"),
        ({"phone_mobile": "090-1234"}, "phone_mobile", "invalid_phone"),
        ({"phone_home": "電話なし"}, "phone_home", "invalid_phone"),
        ({"postcode": "92-0853"}, "postcode", "invalid_postcode"),
        ({"postcode": "〒920-08530"}, "postcode", "invalid_postcode"),
        ({"family_name": "山" * 51}, "family_name", "max_length"),
        ({"family_name_kana": "ア" * 101}, "family_name_kana", "max_length"),
        ({"given_name_kana": "イ" * 101}, "given_name_kana", "max_length"),
        ({"alias": "通" * 101}, "alias", "max_length"),
        ({"family_name_kana": ""}, "family_name_kana", "required"),
        ({"email": "hanako@"}, "email", "invalid"),
        ({"stated_age": "121"}, "stated_age", "max_value"),
    ],
)
def test_bad_input_answers_with_the_form(
    client, counter_staff, client_record, changes, field, code
):
    client.force_login(counter_staff)

    response = edit(client, client_record, **changes)

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {field}
    if code:
        assert form.has_error(field, code)
    saved = Client.objects.get(pk=client_record.pk)
    assert (saved.version, saved.family_name) == (1, "山田")
    assert not audits(saved, AuditEvent.Action.CHANGE).exists()


def test_the_postcode_fills_the_address_on_save(client, counter_staff, client_record):
    client.force_login(counter_staff)

    response = edit(client, client_record, postcode="９２００８５３")

    assert response.status_code == 302
    saved = Client.objects.get(pk=client_record.pk)
    assert saved.postcode == "920-0853"
    assert (saved.prefecture.name, saved.municipality.name, saved.town) == (
        "石川県",
        "金沢市",
        "本町",
    )
    assert "金沢市本町" in client.get(detail_url(client_record)).text


def test_the_postcode_does_not_overwrite_a_chosen_municipality(
    client, counter_staff, client_record
):
    hakusan = Municipality.objects.get(code="17210")
    client.force_login(counter_staff)

    edit(
        client,
        client_record,
        postcode="920-0853",
        prefecture=str(hakusan.prefecture_id),
        municipality=str(hakusan.pk),
        town="鶴来本町",
    )

    saved = Client.objects.get(pk=client_record.pk)
    assert (saved.postcode, saved.municipality, saved.town) == ("920-0853", hakusan, "鶴来本町")

"""開示請求 (security.md row 44): everything held about one client, for the privacy
officer, with third parties' data withheld as 「不開示」 and the export audited."""

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Role
from accounts.tests.factories import UserFactory
from consultations.tests.factories import (
    CaseFactory,
    ClientFactory,
    ConsentFactory,
    ConsultationFactory,
)
from referrals.models import Channel, PartnerLink
from referrals.services import ask_partner
from referrals.tests.factories import FollowUpFactory, ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(center):
    """A manager who also works cases, as the demo's `manager`: the privacy officer."""
    return UserFactory(
        username="officer", center=center, roles=[Role.MANAGER, Role.COORDINATOR], is_staff=True
    )


@pytest.fixture
def officer_elsewhere(other_center):
    return UserFactory(username="officer2", center=other_center, roles=[Role.MANAGER])


def url(client_record):
    return reverse("privacy:disclosure", args=[client_record.pk])


@pytest.fixture
def full_record(client_record, case, referral, coordinator):
    """山田花子 with a case, a note, a named referral asked (so a record of provision),
    a follow-up and a link; and another client, 鈴木, with the same of their own."""
    case.add_note("上司の佐藤部長から退職を迫られたとのこと。", by=coordinator)
    ask_partner(referral, by=coordinator, channel=Channel.PHONE)
    referral.accept(by=coordinator, channel=Channel.PHONE)
    referral.mark_referred(by=coordinator, with_whom="北村 正")
    FollowUpFactory(referral=referral, note="初回面談を終えた。")
    PartnerLink.issue(referral, to="kitamura@example.jp", by=coordinator)

    other = ClientFactory(center=client_record.center, family_name="鈴木", given_name="一郎")
    other_case = CaseFactory(center=other.center, client=other, title="鈴木さんの件")
    ConsultationFactory(case=other_case, summary="鈴木さんの相談内容")
    other_consent = ConsentFactory(
        client=other, organisation=referral.organisation, recorded_by=coordinator
    )
    other_referral = ReferralFactory(
        case=other_case,
        service=referral.service,
        consent=other_consent,
        coordinator=coordinator,
    )
    ask_partner(other_referral, by=coordinator, channel=Channel.PHONE)
    return {"other": other, "other_case": other_case, "other_referral": other_referral}


def download(client, client_record, **data):
    data = {"passage_reason": "third_party", "format": "json", **data}
    data.setdefault("withhold_partner_contacts", "on")
    return client.post(url(client_record), data)


def test_row_44_disclosure_holds_every_row_of_the_client_and_none_of_another(
    client, officer, client_record, case, referral, full_record
):
    client.force_login(officer)
    response = download(client, client_record)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="disclosure-{client_record.pk}-'
    )
    data = json.loads(response.content)
    sections = data["sections"]
    assert [row["id"] for row in sections["client"]] == [client_record.pk]
    assert sections["client"][0]["family_name"] == "山田"
    assert [row["id"] for row in sections["cases"]] == [case.pk]
    assert {row["id"] for row in sections["consultations"]} == set(
        case.consultations.values_list("pk", flat=True)
    )
    assert {row["id"] for row in sections["case_events"]} == set(
        case.events.values_list("pk", flat=True)
    )
    assert "上司の佐藤部長から退職を迫られたとのこと。" in [
        row["text"] for row in sections["case_events"]
    ]
    assert [row["id"] for row in sections["referrals"]] == [referral.pk]
    assert {row["id"] for row in sections["referral_steps"]} == set(
        referral.steps.values_list("pk", flat=True)
    )
    assert len(sections["follow_ups"]) == 1
    assert [row["id"] for row in sections["handoff_sheets"]] == [referral.sheet.pk]
    assert [row["id"] for row in sections["consents"]] == [referral.consent_id]
    assert [row["id"] for row in sections["provision_records"]] == list(
        referral.provision_records.values_list("pk", flat=True)
    )
    assert len(sections["partner_links"]) == 1
    # Nothing of the other client, in any section (their case's title and what they
    # said: a generated staff name may be 鈴木 too).
    text = response.content.decode()
    assert "鈴木さんの件" not in text
    assert "鈴木さんの相談内容" not in text
    assert full_record["other_case"].number not in text
    other_ids = {
        "cases": full_record["other_case"].pk,
        "referrals": full_record["other_referral"].pk,
        "consents": full_record["other_referral"].consent_id,
    }
    for section, pk in other_ids.items():
        assert pk not in [row["id"] for row in sections[section]]


def test_row_44_withheld_values_are_marked_with_the_reason(
    client, officer, client_record, case, referral, full_record
):
    note = case.events.get(kind="note")
    client.force_login(officer)
    response = download(
        client,
        client_record,
        withhold=[f"case_event:{note.pk}:text"],
        withhold_staff_names="on",
    )
    data = json.loads(response.content)
    events = {row["id"]: row for row in data["sections"]["case_events"]}
    assert "不開示" in events[note.pk]["text"]
    assert "33条2項1号" in events[note.pk]["text"]
    assert "佐藤部長" not in response.content.decode()
    referral_row = data["sections"]["referrals"][0]
    assert "不開示" in referral_row["contact"]
    assert "不開示" in data["sections"]["partner_links"][0]["sent_to"]
    assert "kitamura@example.jp" not in response.content.decode()
    assert "不開示" in referral_row["coordinator"]
    assert "33条2項2号" in referral_row["coordinator"]
    assert {"section": "case_events", "id": note.pk, "field": "text"} in data["withheld"]


def test_row_44_disclosure_is_audited_with_counts_and_ids(
    client, officer, client_record, case, referral, full_record
):
    client.force_login(officer)
    download(client, client_record)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.object_id == str(client_record.pk)
    assert event.detail["kind"] == "disclosure"
    assert event.detail["counts"]["cases"] == 1
    assert event.detail["ids"]["cases"] == [case.pk]
    assert event.detail["ids"]["referrals"] == [referral.pk]
    # Ids and counts only, never what the records say.
    assert "山田" not in json.dumps(event.detail, ensure_ascii=False)


def test_row_44_csv_zip_has_a_file_per_section_with_formulas_defused(
    client, officer, client_record, case
):
    client_record.town = "=HYPERLINK(1)"
    client_record.save()
    client.force_login(officer)
    response = download(client, client_record, format="csv")
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert "01-client.csv" in names
    assert any(name.endswith("provision_records.csv") for name in names)
    rows = list(csv.reader(io.StringIO(archive.read("01-client.csv").decode("utf-8-sig"))))
    assert "'=HYPERLINK(1)" in rows[1]


def test_row_44_printable_page_for_a_pdf(client, officer, client_record, case, referral):
    client.force_login(officer)
    response = download(client, client_record, format="print")
    assert response.status_code == 200
    assert "privacy/disclosure_print.html" in [t.name for t in response.templates]
    assert "data-print" in response.content.decode()


def test_the_preview_shows_the_passages_to_withhold(
    client, officer, client_record, case, referral, full_record, django_assert_max_num_queries
):
    note = case.events.get(kind="note")
    client.force_login(officer)
    # session, user with their centre, permissions (one query: accounts.backends), client
    # (joined), cases, referrals, consultations, their topics, events, consents, steps,
    # follow-ups, sheets, links, records of provision (12 in all), the audit row and its
    # content type (2), the session refresh in a savepoint (3), the second factor's device
    # (django-otp) and the audit trail's chain head
    with django_assert_max_num_queries(21):
        response = client.get(url(client_record))
    assert response.status_code == 200
    assert f'value="case_event:{note.pk}:text"' in response.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW, detail__kind="disclosure"
    ).exists()


def test_the_query_budget_does_not_grow_with_the_rows(
    client, officer, client_record, case, django_assert_max_num_queries
):
    for _ in range(5):
        ConsultationFactory(case=case, topics=["W1-01", "W2-01"])
        case.add_note("メモ", by=officer)
    client.force_login(officer)
    # As test_the_preview_shows_the_passages_to_withhold: the same 23 with more rows.
    with django_assert_max_num_queries(23):
        client.get(url(client_record))


def test_the_officer_gets_the_button_on_the_client_page(client, officer, client_record, case):
    client.force_login(officer)
    response = client.get(client_record.get_absolute_url())
    assert url(client_record) in response.content.decode()


def test_coordinators_do_not_see_the_button(client, coordinator, client_record, case):
    client.force_login(coordinator)
    response = client.get(client_record.get_absolute_url())
    assert url(client_record) not in response.content.decode()


@pytest.mark.parametrize("role_holder", ["counter_staff", "coordinator"])
def test_row_44_counter_staff_and_coordinators_are_refused(
    client, request, role_holder, client_record, case
):
    client.force_login(request.getfixturevalue(role_holder))
    assert client.get(url(client_record)).status_code == 403
    assert download(client, client_record).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_another_centres_officer_gets_404_audited(client, officer_elsewhere, client_record, case):
    client.force_login(officer_elsewhere)
    assert client.get(url(client_record)).status_code == 404
    assert download(client, client_record).status_code == 404
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DENIED).count() == 2


def test_restricted_cases_are_disclosed_too(client, officer, center, coordinator):
    """The officer's disclosure leaves nothing out, whoever the case is assigned to."""
    restricted = CaseFactory(center=center, created_by=coordinator, restricted=True)
    ConsultationFactory(case=restricted)
    client.force_login(officer)
    data = json.loads(download(client, restricted.client).content)
    assert [row["id"] for row in data["sections"]["cases"]] == [restricted.pk]


def test_a_bad_choice_shows_the_page_again(client, officer, client_record, case):
    client.force_login(officer)
    response = download(client, client_record, withhold=["consultation:999999:summary"])
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_anonymous_users_go_to_the_login_page(client, client_record):
    response = client.get(url(client_record))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_row_44_a_manager_alone_is_the_privacy_officer(client, manager, client_record, case):
    """The 管理者 role carries the permission without any casework role."""
    client.force_login(manager)
    assert client.get(url(client_record)).status_code == 200
    data = json.loads(download(client, client_record).content)
    assert [row["id"] for row in data["sections"]["cases"]] == [case.pk]

"""A client's records of provision to third parties (第三者提供の記録): listed and exported."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.exports import defused
from accounts.models import AuditEvent
from consultations.tests.factories import (
    CaseFactory,
    ClientFactory,
    ConsentFactory,
    ConsultationFactory,
)
from network.tests.factories import OrganisationFactory, ServiceFactory
from referrals.models import Channel, ProvisionRecord
from referrals.tests.factories import ReferralFactory, referral_in

pytestmark = pytest.mark.django_db


def list_url(client_record):
    return reverse("referrals:provision-list", args=[client_record.pk])


def export_url(client_record):
    return reverse("referrals:provision-export", args=[client_record.pk])


def named_referral(case, organisation, *, by):
    """A referral of `case` to a service of `organisation`, under the client's consent."""
    consent = ConsentFactory(client=case.client, organisation=organisation, recorded_by=by)
    return ReferralFactory(
        case=case,
        service=ServiceFactory(organisation=organisation),
        consent=consent,
        coordinator=by,
    )


def exported_rows(response):
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:])))


@pytest.fixture
def record(referral, coordinator):
    """The record written when the labour office was asked about 山田花子 by phone."""
    return ProvisionRecord.write(
        referral_in("asked", referral), by=coordinator, channel=Channel.PHONE
    )


@pytest.fixture
def other_client_record(center, coordinator, labour_office):
    """Another client of the centre, whose details went to the same office."""
    other = ClientFactory(center=center, family_name="勘解由小路", given_name="権之助")
    case = CaseFactory(center=center, client=other, created_by=coordinator)
    referral = named_referral(case, labour_office, by=coordinator)
    ProvisionRecord.write(referral_in("asked", referral), by=coordinator, channel=Channel.FAX)
    return other


@pytest.fixture
def hidden_client(center, coordinator, labour_office):
    """A client known only through a restricted case assigned to the coordinator, with a
    record of provision."""
    hidden = ClientFactory(center=center)
    case = CaseFactory(center=center, client=hidden, restricted=True, assigned_to=coordinator)
    ConsultationFactory(case=case)
    ProvisionRecord.write(
        referral_in("asked", named_referral(case, labour_office, by=coordinator)),
        by=coordinator,
        channel=Channel.PHONE,
    )
    return hidden


# The list -------------------------------------------------------------------------------


def test_counter_staff_see_the_clients_records_and_the_view_is_audited(
    client, counter_staff, client_record, record, other_client_record
):
    client.force_login(counter_staff)

    response = client.get(list_url(client_record))

    assert response.status_code == 200
    assert list(response.context["page"]) == [record]
    text = response.text
    for shown in [
        "金沢労働基準監督署 総合労働相談コーナー（北村 正）",
        record.items,
        record.consent_basis,
        str(record.provided_by),
        record.keep_until.strftime("%Y-%m-%d"),
        client_record.get_absolute_url(),
    ]:
        assert shown in text
    assert "勘解由小路" not in text
    # Counter staff may look, but only coordinators export.
    assert export_url(client_record) not in text
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW)
    assert (event.user, event.object_id, event.detail) == (
        counter_staff,
        str(client_record.pk),
        {"provision_records": 1, "subjects": {"clients": [client_record.pk]}},
    )


def test_coordinators_get_the_export_button(client, coordinator, client_record, record):
    client.force_login(coordinator)
    response = client.get(list_url(client_record))
    assert export_url(client_record) in response.text


def test_a_client_without_records_gets_an_empty_list(client, coordinator, client_record):
    client.force_login(coordinator)
    response = client.get(list_url(client_record))
    assert response.status_code == 200
    assert list(response.context["page"]) == []


def test_the_list_is_paginated(client, coordinator, client_record, referral):
    referral_in("asked", referral)
    for _ in range(51):
        ProvisionRecord.write(referral, by=coordinator, channel=Channel.PHONE)
    client.force_login(coordinator)

    first = client.get(list_url(client_record))
    second = client.get(list_url(client_record), {"page": "2"})
    beyond = client.get(list_url(client_record), {"page": "abc"})

    assert len(first.context["page"]) == 50
    assert "?page=2" in first.text
    assert len(second.context["page"]) == 1
    assert beyond.context["page"].number == 1


@pytest.mark.parametrize("records", [1, 30])
def test_the_list_query_budget_does_not_grow_with_the_records(
    client,
    counter_staff,
    coordinator,
    client_record,
    referral,
    anonymous_referral,
    records,
    django_assert_max_num_queries,
):
    referral_in("asked", referral)
    for index in range(records):
        ProvisionRecord.write(
            referral,
            by=counter_staff if index % 2 else coordinator,
            channel=Channel.PHONE if index % 3 else Channel.LINK,
        )
    client.force_login(coordinator)

    # session, user, user + group permissions, the client with membership, the count and
    # the page of records with who provided them, the audit entry (+ its content type,
    # when not cached yet), the user's centre (menu), and the session's save (savepoint,
    # update, release).
    # ...and the second factor's device (django-otp), on every signed-in request.
    with django_assert_max_num_queries(14):
        response = client.get(list_url(client_record))
    assert len(response.context["page"]) == records


# The export -----------------------------------------------------------------------------


def test_coordinators_export_the_clients_records_as_csv(
    client, coordinator, client_record, record, other_client_record
):
    client.force_login(coordinator)

    response = client.get(export_url(client_record))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    stamp = timezone.localdate().strftime("%Y%m%d")
    assert response["Content-Disposition"] == (
        f'attachment; filename="provision-records-{client_record.pk}-{stamp}.csv"'
    )
    header, *rows = exported_rows(response)
    assert header == [
        "提供日時",
        "提供先",
        "本人を特定する事項",
        "提供した項目",
        "同意",
        "方法",
        "提供者",
        "保存期限",
    ]
    [row] = rows
    assert row[0] == timezone.localtime(record.provided_at).strftime("%Y-%m-%d %H:%M")
    assert row[1:5] == [
        "金沢労働基準監督署 総合労働相談コーナー（北村 正）",
        "山田 花子（ヤマダ ハナコ）",
        record.items,
        record.consent_basis,
    ]
    assert row[5] == str(Channel.PHONE.label)
    assert row[6:] == [str(coordinator), record.keep_until.isoformat()]
    assert "勘解由小路" not in response.content.decode()
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT)
    assert (event.user, event.object_id, event.detail) == (
        coordinator,
        str(client_record.pk),
        {"count": 1, "subjects": {"clients": [client_record.pk]}},
    )


def test_the_other_clients_export_has_only_theirs(
    client, coordinator, client_record, record, other_client_record
):
    client.force_login(coordinator)
    _header, *rows = exported_rows(client.get(export_url(other_client_record)))
    assert [row[2].split("（")[0] for row in rows] == ["勘解由小路 権之助"]


def test_a_recipient_that_looks_like_a_formula_is_quoted(client, coordinator, case, client_record):
    evil = OrganisationFactory(name='=HYPERLINK("http://x.example","y")')
    referral = referral_in("asked", named_referral(case, evil, by=coordinator))
    ProvisionRecord.write(referral, by=coordinator, channel=Channel.PHONE)
    client.force_login(coordinator)

    _header, *rows = exported_rows(client.get(export_url(client_record)))

    assert rows
    assert all(row[1].startswith("'=HYPERLINK(") for row in rows)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+81", "'+81"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\0x", "'\0x"),
        ("", ""),
        ("金沢 = 本町", "金沢 = 本町"),
    ],
)
def test_defused_quotes_what_a_spreadsheet_would_run(text, expected):
    assert defused(text) == expected


# Denials --------------------------------------------------------------------------------


def test_counter_staff_cannot_export(client, counter_staff, client_record, record):
    client.force_login(counter_staff)
    assert client.get(export_url(client_record)).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, client_record, record):
    for url in [list_url(client_record), export_url(client_record)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role_holder", ["viewer", "manager"])
def test_viewers_and_managers_get_403(client, request, role_holder, client_record, record):
    client.force_login(request.getfixturevalue(role_holder))
    assert client.get(list_url(client_record)).status_code == 403
    assert client.get(export_url(client_record)).status_code == 403
    assert not AuditEvent.objects.filter(action__in=["view", "export"]).exists()


def test_another_centres_client_is_404_and_the_attempt_audited(
    client, coordinator_elsewhere, client_record, record
):
    client.force_login(coordinator_elsewhere)

    assert client.get(list_url(client_record)).status_code == 404
    assert client.get(export_url(client_record)).status_code == 404

    denials = AuditEvent.objects.filter(action=AuditEvent.Action.DENIED)
    assert [event.detail for event in denials] == [{"client": client_record.pk}] * 2
    assert not AuditEvent.objects.filter(action__in=["view", "export"]).exists()


def test_a_restricted_client_is_404_for_unassigned_counter_staff(
    client, counter_staff, coordinator, hidden_client
):
    client.force_login(counter_staff)
    assert client.get(list_url(hidden_client)).status_code == 404

    client.force_login(coordinator)
    assert len(client.get(list_url(hidden_client)).context["page"]) == 1
    _header, *rows = exported_rows(client.get(export_url(hidden_client)))
    assert len(rows) == 1


def test_an_unknown_client_is_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("referrals:provision-list", args=[999999])).status_code == 404


def test_a_restricted_case_record_is_hidden_from_unassigned_counter_staff(
    client, counter_staff, coordinator, restricted_case, client_record, labour_service
):
    from consultations.tests.factories import ConsentFactory
    from referrals.models import Channel, ProvisionRecord
    from referrals.tests.factories import ReferralFactory

    restricted_case.client = client_record
    restricted_case.save()
    consent = ConsentFactory(client=client_record, organisation=labour_service.organisation)
    referral = ReferralFactory(case=restricted_case, service=labour_service, consent=consent)
    ProvisionRecord.write(referral, by=coordinator, channel=Channel.PHONE)
    assert ProvisionRecord.objects.visible_to(counter_staff).count() == 0
    assert ProvisionRecord.objects.visible_to(coordinator).count() == 1

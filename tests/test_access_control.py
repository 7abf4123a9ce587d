"""Object- and field-level access to restricted (要配慮) cases: security.md rows 15, 17-19.

The cast: counter staff (相談員) of the centre; a restricted case of a DV victim assigned
to the coordinator, with a referral waiting for the partner's answer; another centre's
member; the counter's own open case.
"""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from consultations.models import Case
from consultations.tests.conftest import case, client_record
from consultations.tests.factories import CaseFactory, ClientFactory, ConsultationFactory
from consultations.tests.test_case_edit import form_data
from members.tests.factories import MemberFactory
from network.tests.factories import ServiceFactory
from referrals.models import Referral
from referrals.tests.factories import ReferralFactory, referral_in

pytestmark = pytest.mark.django_db
__all__ = ["case", "client_record"]

DV_NOTE = "夫からの暴力が続き、子どもと避難先を探している"


@pytest.fixture
def hidden_case(center, coordinator):
    """Restricted, assigned to the coordinator; the client has no other case."""
    client = ClientFactory(
        center=center,
        created_by=coordinator,
        family_name="鵺野",
        given_name="静香",
        family_name_kana="ヌエノ",
        given_name_kana="シズカ",
        phone_mobile="09011112222",
    )
    case = CaseFactory(
        center=center, client=client, created_by=coordinator, restricted=True, title="避難の相談"
    )
    ConsultationFactory(case=case, summary=DV_NOTE)
    referral_in(Referral.Status.ASKED, ReferralFactory(case=case, service=ServiceFactory()))
    return case


def denials(user):
    return AuditEvent.objects.filter(action=AuditEvent.Action.DENIED, user=user)


def test_row_15_counter_gets_404_for_a_restricted_case_not_assigned_to_them(
    client, counter_staff, hidden_case
):
    client.force_login(counter_staff)

    response = client.get(hidden_case.get_absolute_url())

    assert response.status_code == 404
    [event] = denials(counter_staff)
    assert event.detail == {"case": hidden_case.number}
    assert event.center == counter_staff.center
    assert DV_NOTE not in response.content.decode()


def test_row_15_the_coordinator_and_the_assignee_see_it(client, coordinator, hidden_case):
    client.force_login(coordinator)
    response = client.get(hidden_case.get_absolute_url())
    assert response.status_code == 200
    assert DV_NOTE in response.content.decode()


def test_row_17_the_case_search_finds_nothing_of_a_restricted_client(
    client, counter_staff, coordinator, hidden_case
):
    url = reverse("consultations:case-list")
    for user, expected in [(counter_staff, []), (coordinator, [hidden_case])]:
        client.force_login(user)
        client.post(url, {"q": "鵺野"})
        page = client.get(url).context["page"]
        assert list(page.object_list) == expected, user
    assert page.paginator.count == 1


def test_row_17_the_intake_look_up_finds_nothing_of_a_restricted_client(
    client, counter_staff, coordinator, hidden_case
):
    typed = {
        "lookup": "1",
        "client-family_name_kana": "ヌエノ",
        "client-phone_mobile": "09011112222",
    }
    for user, expected in [(counter_staff, []), (coordinator, [hidden_case.client])]:
        client.force_login(user)
        response = client.post(reverse("consultations:intake"), typed)
        assert response.status_code == 200
        assert response.context["matches"] == expected, user
    client.force_login(counter_staff)
    assert "鵺野" not in client.post(reverse("consultations:intake"), typed).content.decode()


def test_row_17_home_and_desk_counts_leave_the_restricted_referral_out(
    client, counter_staff, coordinator, hidden_case
):
    client.force_login(counter_staff)
    assert client.get(reverse("home")).context["referral_counts"]["waiting"] == 0
    assert client.get(reverse("referrals:desk")).context["waiting"]["total"] == 0
    client.force_login(coordinator)
    assert client.get(reverse("home")).context["referral_counts"]["waiting"] == 1


def test_row_17_member_export_holds_only_the_centres_members(client, coordinator, center):
    own = MemberFactory.create_batch(2, center=center)
    MemberFactory(name="鵼川 太郎")  # another centre's
    client.force_login(coordinator)
    for name in ("members:member-export-csv", "members:member-export-xlsx"):
        assert client.get(reverse(name)).status_code == 200
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(client.get(reverse("members:member-export-csv")).streaming_content).decode(
                    "utf-8-sig"
                )
            )
        )
    )
    numbers = {row[0] for row in rows[1:]}
    assert numbers == {member.number for member in own}


def test_row_18_counter_pages_never_show_restricted_content(
    client, counter_staff, hidden_case, case
):
    client.force_login(counter_staff)
    pages = [
        reverse("home"),
        reverse("consultations:case-list"),
        reverse("referrals:desk"),
        case.get_absolute_url(),
        hidden_case.get_absolute_url(),
        reverse("consultations:client-detail", args=[hidden_case.client_id]),
        reverse("referrals:case-referrals", args=[hidden_case.number]),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        for secret in (DV_NOTE, "鵺野", "避難の相談"):
            assert secret not in body, url


def test_row_18_fields_outside_the_form_are_ignored(
    client, counter_staff, coordinator, other_center, case
):
    """Counter staff may not assign cases: an `assigned_to` (or a centre) slipped into the
    edit form's POST changes nothing."""
    client.force_login(counter_staff)
    url = reverse("consultations:case-edit", args=[case.number])
    data = form_data(client.get(url))
    assert "assigned_to" not in data
    before = Case.objects.filter(pk=case.pk).values().get()

    data.update(assigned_to=str(coordinator.pk), center=str(other_center.pk), number="X-1")
    response = client.post(url, data)

    assert response.status_code == 302
    assert Case.objects.filter(pk=case.pk).values().get() == before


def test_row_19_unassigning_takes_effect_at_the_next_request(
    client, counter_staff, coordinator, hidden_case
):
    Case.objects.filter(pk=hidden_case.pk).update(assigned_to=counter_staff)
    client.force_login(counter_staff)
    assert client.get(hidden_case.get_absolute_url()).status_code == 200

    Case.objects.filter(pk=hidden_case.pk).update(assigned_to=coordinator)

    assert client.get(hidden_case.get_absolute_url()).status_code == 404
    assert denials(counter_staff).count() == 1


def test_row_19_a_role_taken_away_takes_effect_at_the_next_request(client, coordinator, case):
    client.force_login(coordinator)
    assert client.get(reverse("referrals:desk")).status_code == 200
    coordinator.set_roles([])
    assert client.get(reverse("referrals:desk")).status_code == 403

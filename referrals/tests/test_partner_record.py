"""A partner's record of this centre's referrals, on the organisation's page."""

import pytest
from django.urls import reverse
from django.utils import translation

from consultations.tests.factories import CaseFactory
from network.tests.factories import ServiceFactory
from referrals.models import Channel, Referral
from referrals.tests.factories import ReferralFactory, referral_in

pytestmark = pytest.mark.django_db

S = Referral.Status
Outcome = Referral.Outcome


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def url(organisation):
    return reverse("referrals:partner-record", args=[organisation.pk])


def make(status, coordinator, service, *, outcome=None, reason=None):
    case = CaseFactory(center=coordinator.center, created_by=coordinator)
    referral = ReferralFactory(case=case, service=service, coordinator=coordinator)
    if status == S.COMPLETED and outcome:
        referral_in(S.REFERRED, referral)
        referral.complete(outcome=outcome, by=coordinator)
    elif status == S.DECLINED and reason:
        referral_in(S.ASKED, referral)
        referral.decline(reason=reason, by=coordinator, channel=Channel.PHONE)
    else:
        referral_in(status, referral)
    return referral


@pytest.fixture
def record(coordinator, coordinator_elsewhere, labour_service):
    """This centre's referrals to the labour office: a draft (not counted), one asked,
    one accepted, one referred, two declined (no capacity, not eligible), three
    completed (two resolved, one contact lost); one cancelled after acceptance.
    Another centre's referral there, and one of ours elsewhere, do not count."""
    make(S.DRAFT, coordinator, labour_service)
    make(S.ASKED, coordinator, labour_service)
    make(S.ACCEPTED, coordinator, labour_service)
    make(S.REFERRED, coordinator, labour_service)
    make(S.DECLINED, coordinator, labour_service, reason=Referral.DeclineReason.NO_CAPACITY)
    make(S.DECLINED, coordinator, labour_service, reason=Referral.DeclineReason.NOT_ELIGIBLE)
    make(S.COMPLETED, coordinator, labour_service, outcome=Outcome.RESOLVED)
    make(S.COMPLETED, coordinator, labour_service, outcome=Outcome.RESOLVED)
    make(S.COMPLETED, coordinator, labour_service, outcome=Outcome.NO_CONTACT)
    cancelled = make(S.ACCEPTED, coordinator, labour_service)
    cancelled.cancel(by=coordinator)
    make(S.COMPLETED, coordinator_elsewhere, labour_service, outcome=Outcome.UNSUCCESSFUL)
    make(S.COMPLETED, coordinator, ServiceFactory(), outcome=Outcome.UNSUCCESSFUL)


def test_counts_acceptance_and_outcomes_of_this_centre(
    client, coordinator, labour_office, record, english
):
    client.force_login(coordinator)

    response = client.get(url(labour_office))

    assert response.status_code == 200
    counts = response.context["record"]
    assert counts["asked"] == 9
    assert counts["open"] == 3
    assert counts["answered"] == 8
    assert counts["accepted"] == 6
    assert counts["declined"] == 2
    assert response.context["acceptance_rate"] == 75
    assert response.context["declined_by_reason"] == [("Not eligible", 1), ("No capacity", 1)]
    assert dict(response.context["outcomes"]) == {
        "Resolved": 2,
        "Support continues": 0,
        "Did not work out": 0,
        "Contact lost": 1,
        "Referred on elsewhere": 0,
    }
    assert "acceptance rate 75%" in response.text
    # Without htmx it is a whole page, with a way back to the organisation.
    assert "<html" in response.text
    assert labour_office.get_absolute_url() in response.text


def test_with_htmx_only_the_record_comes_back(client, coordinator, labour_office, record):
    client.force_login(coordinator)
    response = client.get(url(labour_office), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.strip().startswith('<div id="partner-record">')


def test_another_centre_counts_only_its_own_referrals(
    client, coordinator_elsewhere, labour_office, record
):
    client.force_login(coordinator_elsewhere)
    response = client.get(url(labour_office))
    counts = response.context["record"]
    assert (counts["asked"], counts["completed"], counts["accepted"]) == (1, 1, 1)
    assert dict(response.context["outcomes"])[Outcome.UNSUCCESSFUL.label] == 1


def test_a_partner_never_referred_to_says_so(client, coordinator, labour_office, english):
    client.force_login(coordinator)
    response = client.get(url(labour_office))
    assert response.context["acceptance_rate"] is None
    assert "has not referred anyone to this partner yet" in response.text


def test_counter_staff_may_see_the_record(client, counter_staff, labour_office, record):
    client.force_login(counter_staff)
    assert client.get(url(labour_office)).context["record"]["asked"] == 9


def test_an_unknown_organisation_is_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("referrals:partner-record", args=[999999])).status_code == 404


@pytest.mark.parametrize("role_holder", ["viewer", "manager"])
def test_roles_without_referrals_are_refused(client, request, role_holder, labour_office):
    client.force_login(request.getfixturevalue(role_holder))
    assert client.get(url(labour_office)).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, labour_office):
    response = client.get(url(labour_office))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("count", [2, 20])
def test_query_budget_does_not_grow_with_referrals(
    client, coordinator, labour_office, labour_service, django_assert_max_num_queries, count
):
    for n in range(count):
        make([S.ASKED, S.ACCEPTED][n % 2], coordinator, labour_service)
    client.force_login(coordinator)
    # session, user, permissions (one query: accounts.backends), the organisation, the one
    # aggregate of counts, and the session save behind the idle timeout (savepoint, update,
    # release): 8 with 2 referrals as with 20. ...and the second factor's device
    # (django-otp), on every signed-in request.
    with django_assert_max_num_queries(9):
        response = client.get(url(labour_office), headers={"HX-Request": "true"})
    assert f'id="record-asked">{count}<' in response.text


def test_the_organisation_page_loads_the_record_for_referral_staff(
    client, coordinator, viewer, labour_office
):
    record_url = url(labour_office)
    page = reverse("network:organisation-detail", args=[labour_office.pk])
    client.force_login(coordinator)
    text = client.get(page).text
    assert f'hx-get="{record_url}"' in text
    assert 'hx-trigger="load"' in text
    assert f'<a href="{record_url}">' in text  # the no-JavaScript way
    # Viewers read the directory but not the referrals.
    client.force_login(viewer)
    response = client.get(page)
    assert response.status_code == 200
    assert record_url not in response.text

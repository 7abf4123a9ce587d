import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from members.tests.factories import BenefitFactory, FeeFactory, MemberFactory, PaymentFactory


@pytest.fixture
def member(center, friends):
    member = MemberFactory(center=center, membership_type=friends, name="山田 花子")
    PaymentFactory(fee=FeeFactory(member=member, fiscal_year=2025), receipt_number="R-0012")
    FeeFactory(member=member, fiscal_year=2026)
    BenefitFactory(partner__name="金沢ラーメン亭", title="大盛り無料", membership_types=[friends])
    BenefitFactory(partner__name="別の店", title="一般だけ")
    return member


def url(member):
    return reverse("members:member-detail", args=[member.number])


def test_staff_see_the_member_fees_payments_and_benefits(client, counter_staff, member):
    client.force_login(counter_staff)
    response = client.get(url(member))
    assert response.status_code == 200
    assert "山田 花子" in response.text
    assert "R-0012" in response.text
    assert "大盛り無料" in response.text
    assert "一般だけ" not in response.text
    assert [fee.fiscal_year for fee in response.context["fees"]] == [2026, 2025]
    event = AuditEvent.objects.get(action="view", object_id=str(member.pk))
    assert event.user == counter_staff


def test_counter_staff_get_no_buttons_to_change_anything(client, counter_staff, member):
    client.force_login(counter_staff)
    text = client.get(url(member)).text
    assert reverse("members:payment-create", args=[member.number]) not in text
    assert reverse("members:member-update", args=[member.number]) not in text


def test_coordinators_get_the_buttons(client, coordinator, member):
    client.force_login(coordinator)
    text = client.get(url(member)).text
    for name in ["payment-create", "member-renew", "member-update", "member-leave", "member-card"]:
        assert reverse(f"members:{name}", args=[member.number]) in text


def test_other_centres_member_is_404_and_the_attempt_audited(client, coordinator_elsewhere, member):
    client.force_login(coordinator_elsewhere)
    assert client.get(url(member)).status_code == 404
    denied = AuditEvent.objects.get(action=AuditEvent.Action.DENIED)
    assert (denied.user, denied.detail) == (coordinator_elsewhere, {"member": member.number})
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).exists()


def test_unknown_number_is_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("members:member-detail", args=["KNZ-99999"])).status_code == 404


def test_viewers_are_refused(client, viewer, member):
    client.force_login(viewer)
    assert client.get(url(member)).status_code == 403


def test_anonymous_is_sent_to_log_in(client, member):
    assert client.get(url(member)).status_code == 302


def test_query_budget(client, coordinator, member, django_assert_max_num_queries):
    for year in range(2015, 2025):
        PaymentFactory(fee=FeeFactory(member=member, fiscal_year=year))
    client.force_login(coordinator)
    client.get(url(member))  # the session's once-a-minute refresh and the record types
    # session, user with their centre, permissions (one query: accounts.backends), the
    # member with its type and status, its fees, their payments with who recorded them, the
    # benefits for its type, the audit event (the chain's head, the insert). ...and the
    # second factor's device (django-otp), on every signed-in request.
    with django_assert_max_num_queries(10):
        response = client.get(url(member))
    assert len(response.context["fees"]) == 12

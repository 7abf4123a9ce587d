import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from members.tests.factories import FeeFactory, MemberFactory


@pytest.fixture
def fee(center, general):
    return FeeFactory(
        member=MemberFactory(center=center, membership_type=general), fiscal_year=2026
    )


def url(fee):
    return reverse("members:fee-waive", args=[fee.member.number, fee.fiscal_year])


def test_a_coordinator_waives_a_fee_with_a_reason(client, coordinator, fee):
    client.force_login(coordinator)
    response = client.post(url(fee), {"reason": "災害による減免"})
    assert response.status_code == 302
    fee.refresh_from_db()
    assert (fee.waived, fee.waive_reason, fee.is_settled) == (True, "災害による減免", True)
    assert AuditEvent.objects.filter(action="change", object_id=str(fee.pk)).exists()


def test_no_reason_no_waiver(client, coordinator, fee):
    client.force_login(coordinator)
    assert client.post(url(fee), {"reason": ""}).status_code == 302
    fee.refresh_from_db()
    assert not fee.waived


def test_get_is_not_allowed(client, coordinator, fee):
    client.force_login(coordinator)
    assert client.get(url(fee)).status_code == 405


def test_unknown_year_is_404(client, coordinator, fee):
    client.force_login(coordinator)
    bad = reverse("members:fee-waive", args=[fee.member.number, 1999])
    assert client.post(bad, {"reason": "x"}).status_code == 404


def test_denials(client, counter_staff, coordinator_elsewhere, fee):
    assert client.post(url(fee), {"reason": "x"}).status_code == 302
    client.force_login(counter_staff)
    assert client.post(url(fee), {"reason": "x"}).status_code == 403
    client.force_login(coordinator_elsewhere)
    assert client.post(url(fee), {"reason": "x"}).status_code == 404

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from members.fiscal import fiscal_year_of
from members.models import Fee, Payment
from members.tests.factories import FeeFactory, MemberFactory

YEAR = fiscal_year_of(timezone.localdate())


@pytest.fixture
def member(center, general):
    return MemberFactory(center=center, membership_type=general)


def url(member):
    return reverse("members:payment-create", args=[member.number])


def data(**extra):
    return {
        "fiscal_year": YEAR,
        "paid_on": timezone.localdate().isoformat(),
        "amount": "3000",
        "method": "transfer",
        "receipt_number": "R-1",
        **extra,
    }


def test_a_payment_settles_the_fee_and_is_audited(client, coordinator, member):
    client.force_login(coordinator)
    response = client.post(url(member), data())
    assert response.status_code == 302
    fee = Fee.objects.get(member=member, fiscal_year=YEAR)
    assert (fee.amount, fee.paid, fee.is_settled) == (3000, 3000, True)
    payment = Payment.objects.get()
    assert payment.recorded_by == coordinator
    assert AuditEvent.objects.filter(action="create", object_id=str(payment.pk)).exists()


def test_partial_payments_add_up(client, coordinator, member):
    client.force_login(coordinator)
    client.post(url(member), data(amount="1000"))
    client.post(url(member), data(amount="2000", method="cash"))
    fee = Fee.objects.get()
    assert (fee.paid, fee.is_settled, fee.payments.count()) == (3000, True, 2)


def test_the_form_offers_the_oldest_outstanding_fee(client, coordinator, member):
    FeeFactory(member=member, fiscal_year=YEAR - 1, paid=1000)
    FeeFactory(member=member, fiscal_year=YEAR)
    client.force_login(coordinator)
    form = client.get(url(member)).context["form"]
    assert form.initial["fiscal_year"] == YEAR - 1
    assert form.initial["amount"] == 2000


@pytest.mark.parametrize(
    ("amount", "field"),
    [("-500", "amount"), ("0", "amount"), ("abc", "amount"), ("3001", "amount")],
)
def test_bad_amounts_are_refused(client, coordinator, member, amount, field):
    client.force_login(coordinator)
    response = client.post(url(member), data(amount=amount))
    assert response.status_code == 200
    assert response.context["form"].has_error(field)
    assert not Payment.objects.exists()


def test_a_negative_amount_is_refused_with_our_message(client, coordinator, member, english):
    client.force_login(coordinator)
    response = client.post(url(member), data(amount="-500"))
    assert response.context["form"].errors["amount"] == ["The amount cannot be negative."]


def test_a_waived_fee_takes_no_payment(client, coordinator, member):
    FeeFactory(member=member, fiscal_year=YEAR, waived=True)
    client.force_login(coordinator)
    response = client.post(url(member), data())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Payment.objects.exists()


def test_a_year_outside_the_choices_is_refused(client, coordinator, member):
    client.force_login(coordinator)
    response = client.post(url(member), data(fiscal_year="1999"))
    assert response.context["form"].has_error("fiscal_year")
    response = client.post(url(member), data(paid_on="2026-02-31"))
    assert response.context["form"].has_error("paid_on")


def test_counter_staff_may_not_record_payments(client, counter_staff, member):
    client.force_login(counter_staff)
    assert client.get(url(member)).status_code == 403
    assert client.post(url(member), data()).status_code == 403


def test_other_centre_is_404(client, coordinator_elsewhere, member):
    client.force_login(coordinator_elsewhere)
    assert client.post(url(member), data()).status_code == 404


def test_viewers_and_anonymous_are_refused(client, viewer, member):
    assert client.get(url(member)).status_code == 302
    client.force_login(viewer)
    assert client.get(url(member)).status_code == 403


def test_a_payment_dated_31_march_defaults_nothing_but_the_year_chosen(client, coordinator, member):
    # The year is what staff choose; the date is only when the money came.
    client.force_login(coordinator)
    client.post(url(member), data(paid_on=datetime.date(YEAR + 1, 3, 31).isoformat()))
    assert Fee.objects.get().fiscal_year == YEAR

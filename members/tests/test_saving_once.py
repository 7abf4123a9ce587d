"""Registering a member, recording a payment and renewing are saved once per form sent."""

import uuid

import pytest
from django.urls import reverse

from accounts.idempotency import FIELD
from accounts.models import AuditEvent, SaveReceipt
from members.models import Fee, Member, Payment
from members.tests.factories import FeeFactory, MemberFactory
from members.tests.test_member_create import URL as CREATE_URL
from members.tests.test_member_create import data as member_data
from members.tests.test_payment_create import YEAR
from members.tests.test_payment_create import data as payment_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(center, general):
    return MemberFactory(center=center, membership_type=general)


def sent_twice(client, url, data):
    data = {**data, FIELD: str(uuid.uuid4())}
    return client.post(url, data), client.post(url, data)


def assert_saved_once_and_audited(first, second, member, action):
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == member.get_absolute_url()
    receipt = SaveReceipt.objects.get()
    audits = AuditEvent.objects.filter(
        action=action, content_type=receipt.content_type, object_id=receipt.object_id
    )
    assert audits.count() == 1


def test_a_member_registered_twice_is_one_member(client, coordinator, friends):
    client.force_login(coordinator)
    first, second = sent_twice(client, CREATE_URL, member_data(friends))
    member = Member.objects.get()
    assert_saved_once_and_audited(first, second, member, AuditEvent.Action.CREATE)
    assert f'name="{FIELD}"' in client.get(CREATE_URL).content.decode()


def test_a_payment_sent_twice_is_one_payment(client, coordinator, member):
    client.force_login(coordinator)
    url = reverse("members:payment-create", args=[member.number])
    first, second = sent_twice(client, url, payment_data(amount="1000"))
    assert_saved_once_and_audited(first, second, member, AuditEvent.Action.CREATE)
    assert Payment.objects.get().amount == 1000
    assert f'name="{FIELD}"' in client.get(url).content.decode()


def test_payments_without_a_key_are_saved_as_before(client, coordinator, member):
    client.force_login(coordinator)
    url = reverse("members:payment-create", args=[member.number])
    client.post(url, payment_data(amount="1000"))
    client.post(url, payment_data(amount="1000"))
    assert Payment.objects.count() == 2


def test_a_renewal_sent_twice_answers_with_the_first_ones_page(
    client, coordinator, member, general
):
    FeeFactory(member=member, fiscal_year=YEAR, paid=3000)
    client.force_login(coordinator)
    url = reverse("members:member-renew", args=[member.number])
    assert f'name="{FIELD}"' in client.get(url).content.decode()
    data = {"fiscal_year": YEAR + 1, "membership_type": general.pk}
    first, second = sent_twice(client, url, data)
    assert_saved_once_and_audited(first, second, member, AuditEvent.Action.CHANGE)
    assert Fee.objects.filter(member=member, fiscal_year=YEAR + 1).count() == 1

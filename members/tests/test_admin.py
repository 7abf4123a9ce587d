"""The back office: every members page opens for a manager, and numbering works there too."""

import pytest
from django.urls import reverse

from members.models import Member
from members.tests.factories import BenefitFactory, FeeFactory, MemberFactory, PaymentFactory


@pytest.fixture
def admin_client(client, manager):
    manager.is_superuser = True
    manager.save()
    client.force_login(manager)
    return client


@pytest.mark.parametrize("model", ["membershiptype", "member", "fee", "benefit"])
def test_lists_and_forms_open(admin_client, center, general, friends, model):
    member = MemberFactory(center=center, membership_type=general)
    fee = FeeFactory(member=member)
    PaymentFactory(fee=fee)
    objects = {
        "membershiptype": general,
        "member": member,
        "fee": fee,
        "benefit": BenefitFactory(membership_types=[friends]),
    }
    assert admin_client.get(reverse(f"admin:members_{model}_changelist")).status_code == 200
    assert (
        admin_client.get(reverse(f"admin:members_{model}_changelist"), {"q": "山"}).status_code
        == 200
    )
    url = reverse(f"admin:members_{model}_change", args=[objects[model].pk])
    assert admin_client.get(url).status_code == 200


def test_a_member_added_in_the_back_office_gets_the_next_number(admin_client, center, general):
    MemberFactory(center=center, membership_type=general)
    response = admin_client.post(
        reverse("admin:members_member_add"),
        {
            "center": center.pk,
            "membership_type": general.pk,
            "name": "事務局 登録",
            "name_kana": "",
            "joined_on": "2026-04-01",
            "fees-TOTAL_FORMS": "0",
            "fees-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Member.objects.get(name="事務局 登録").number == "KNZ-00002"

import datetime

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from members.fiscal import fiscal_year_of
from members.models import Fee, Member

URL = reverse("members:member-create")


def data(membership_type, **extra):
    return {
        "membership_type": membership_type.pk,
        "name": "山田 花子",
        "name_kana": "やまだ はなこ",
        "postcode": "９２０－０８５３",
        "address": "",
        "phone": "０７６-２３１-７７００",
        "union": "電機連合",
        "joined_on": "2026-05-10",
        **extra,
    }


def test_a_coordinator_registers_a_member(client, coordinator, friends):
    client.force_login(coordinator)
    response = client.post(URL, data(friends))
    member = Member.objects.get()
    assert response.status_code == 302
    assert response.url == member.get_absolute_url()
    assert member.number == "KNZ-00001"
    assert member.center == coordinator.center
    assert member.name_kana == "ヤマダ ハナコ"
    assert member.postcode == "920-0853"
    assert member.address == "石川県金沢市本町"
    assert member.phone == "076-231-7700"
    fee = Fee.objects.get()
    assert (fee.fiscal_year, fee.amount) == (fiscal_year_of(datetime.date(2026, 5, 10)), 1000)
    assert AuditEvent.objects.filter(action="create", object_id=str(member.pk)).exists()


def test_numbers_follow_on(client, coordinator, friends):
    client.force_login(coordinator)
    client.post(URL, data(friends))
    client.post(URL, data(friends, name="佐藤 一郎"))
    assert list(Member.objects.values_list("number", flat=True)) == ["KNZ-00001", "KNZ-00002"]


def test_a_free_type_that_never_lapses_gets_no_fee(client, manager, lifetime):
    client.force_login(manager)
    client.post(URL, data(lifetime, is_retired="on"))
    assert Member.objects.get().is_retired
    assert not Fee.objects.exists()


def test_only_managers_may_give_a_managers_only_type(client, coordinator, lifetime):
    client.force_login(coordinator)
    response = client.post(URL, data(lifetime))
    assert response.status_code == 200
    assert "membership_type" in response.context["form"].errors
    assert not Member.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("postcode", "92-08", "invalid_postcode"),
        ("name_kana", "Yamada", "invalid_kana"),
        ("phone", "12345", "invalid_phone"),
        ("name", "", "required"),
        ("joined_on", "2026-02-30", "invalid"),
        ("email", "not-an-address", "invalid"),
        ("birth_date", "yesterday", "invalid"),
    ],
)
def test_bad_input_is_refused_with_the_form(client, coordinator, friends, field, value, code):
    client.force_login(coordinator)
    response = client.post(URL, data(friends, **{field: value}))
    assert response.status_code == 200
    assert response.context["form"].has_error(field, code)
    assert not Member.objects.exists()


def test_organisations_have_no_birth_date(client, coordinator):
    from members.tests.factories import MembershipTypeFactory

    organisation = MembershipTypeFactory(holder="organisation")
    client.force_login(coordinator)
    response = client.post(URL, data(organisation, birth_date="1990-01-01"))
    assert response.context["form"].has_error("birth_date")


def test_the_form_offers_union_suggestions(client, coordinator, friends):
    client.force_login(coordinator)
    response = client.get(URL)
    assert response.status_code == 200
    assert 'list="union-suggestions"' in response.text
    assert '<option value="UAゼンセン">' in response.text


def test_counter_staff_may_not_register(client, counter_staff, friends):
    client.force_login(counter_staff)
    assert client.get(URL).status_code == 403
    assert client.post(URL, data(friends)).status_code == 403


def test_viewers_are_refused(client, viewer):
    client.force_login(viewer)
    assert client.get(URL).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    assert client.get(URL).status_code == 302

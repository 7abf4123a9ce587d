"""A client may be a member: the counter sees 会員, and a member may become a client."""

import pytest
from django.urls import reverse

from consultations.models import Client
from consultations.tests.test_intake import intake_data
from members.tests.factories import MemberFactory, MembershipTypeFactory

pytestmark = pytest.mark.django_db

URL = reverse("consultations:intake")


@pytest.fixture
def friend(center):
    """A member in good standing: a type that never lapses."""
    lifetime = MembershipTypeFactory(code="lifetime", name="生涯組合員", expires=False)
    return MemberFactory(
        center=center,
        membership_type=lifetime,
        name="英 翠",
        name_kana="ハナブサ ミドリ",
        phone="090-4444-5555",
    )


@pytest.fixture
def lapsed(center):
    """A member of a paying type who paid nothing this year, past the grace period."""
    general = MembershipTypeFactory(code="general", name="一般会員", grace_months=0)
    return MemberFactory(center=center, membership_type=general, name="伊藤 誠")


def lookup(client, kana):
    return client.post(
        URL, {"lookup": "1", "client-family_name_kana": kana}, headers={"HX-Request": "true"}
    ).content.decode()


def test_a_client_who_is_a_member_shows_as_such_at_intake(
    client, counter_staff, client_record, friend
):
    client_record.member = friend
    client_record.save()
    client.force_login(counter_staff)

    assert "会員" in lookup(client, "やまだ")
    chosen = client.post(URL, {"choose_client": client_record.pk}).content.decode()
    assert 'badge text-bg-success">会員' in chosen


def test_a_lapsed_member_is_not_shown_as_a_member(client, counter_staff, client_record, lapsed):
    client_record.member = lapsed
    client_record.save()
    client.force_login(counter_staff)
    assert 'badge text-bg-success">会員' not in lookup(client, "やまだ")


def test_a_member_who_never_consulted_can_be_registered_from_the_register(
    client, counter_staff, friend
):
    client.force_login(counter_staff)
    assert friend.number in lookup(client, "はなぶさ")

    page = client.post(URL, {"choose_member": friend.number}).content.decode()
    assert 'value="英"' in page
    assert 'value="ハナブサ"' in page
    assert f'name="client-member" value="{friend.number}"' in page

    data = intake_data(counter_staff)
    data.update(
        {
            "client-family_name": "英",
            "client-given_name": "翠",
            "client-family_name_kana": "ハナブサ",
            "client-given_name_kana": "ミドリ",
            "client-member": friend.number,
        }
    )
    client.post(URL, data)
    assert Client.objects.get().member == friend
    # Now a client, the member is offered as one, not twice.
    assert friend.number not in lookup(client, "はなぶさ")


def test_another_centres_member_cannot_be_linked(
    client, counter_staff, client_record, other_center
):
    stranger = MemberFactory(center=other_center)
    client.force_login(counter_staff)
    client.post(URL, intake_data(counter_staff, **{"client-member": stranger.number}))
    assert not Client.objects.filter(member=stranger).exists()
    assert (
        stranger.number not in client.post(URL, {"choose_member": stranger.number}).content.decode()
    )


def test_the_client_page_links_a_member_by_number(
    client, counter_staff, client_record, friend, lapsed
):
    client.force_login(counter_staff)
    url = reverse("consultations:client-edit", args=[client_record.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data = {key: value for key, value in data.items() if value not in (False, None)}

    response = client.post(url, {**data, "member": "KNZ-99999"})
    assert response.status_code == 200
    assert "member" in response.context["form"].errors

    response = client.post(url, {**data, "member": friend.number})
    assert response.status_code == 302
    client_record.refresh_from_db()
    assert client_record.member == friend
    page = client.get(client_record.get_absolute_url()).content.decode()
    assert friend.number in page

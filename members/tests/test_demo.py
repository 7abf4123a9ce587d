import factory.random
import pytest

from accounts.demo import seed_staff
from members.demo import seed_members
from members.models import Benefit, Fee, Member, MembershipType
from network.demo import seed_directory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_world():
    factory.random.reseed_random("lifesupport-demo")
    seed_staff()
    seed_directory()


def register():
    return list(
        Member.objects.order_by("number").values_list(
            "number", "name", "name_kana", "membership_type__code", "joined_on", "left_on"
        )
    )


def test_some_400_members_of_every_type_and_status_with_two_years_of_fees(demo_world):
    summary = seed_members()
    assert summary.created
    assert 380 <= summary.members == Member.objects.count() <= 420
    assert set(Member.objects.values_list("membership_type__code", flat=True)) == {
        "general",
        "supporter",
        "sustaining",
        "organisation",
        "friends",
        "lifetime",
    }
    assert MembershipType.objects.get(code="supporter").name == "協力会員"
    statuses = set(Member.objects.with_status().values_list("status", flat=True))
    assert {Member.Status.NEW, Member.Status.ACTIVE, Member.Status.LEFT} <= statuses
    assert statuses & {Member.Status.GRACE, Member.Status.LAPSED}
    assert Fee.objects.values("fiscal_year").distinct().count() == 2
    assert Member.objects.in_arrears().exists()
    assert Fee.objects.filter(waived=True).exists()
    assert summary.benefits == Benefit.objects.count() > 3
    assert Benefit.objects.filter(membership_types__code="friends").exists()
    for member in Member.objects.exclude(membership_type__code="organisation")[:50]:
        assert member.address.startswith("石川県")
        assert member.name_kana


def test_a_second_run_leaves_the_register_alone(demo_world):
    seed_members()
    first = register()
    Member.objects.filter(number=first[0][0]).update(notes="本物のメモ")
    summary = seed_members()
    assert not summary.created
    assert register() == first
    assert Member.objects.get(number=first[0][0]).notes == "本物のメモ"

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from members.fiscal import fiscal_year_of
from members.models import Member, MembershipType
from members.tests.factories import FeeFactory, MemberFactory, MembershipTypeFactory

URL = reverse("members:member-list")


def numbers(response):
    return [member.number for member in response.context["page"]]


@pytest.fixture
def register(center, general, friends):
    """Two members at the centre (one in arrears), one elsewhere."""
    paid = MemberFactory(
        center=center,
        membership_type=general,
        name="山田 花子",
        name_kana="ヤマダ ハナコ",
        union="電機連合",
    )
    owing = MemberFactory(
        center=center,
        membership_type=friends,
        name="佐藤 一郎",
        name_kana="サトウ イチロウ",
        union="UAゼンセン",
    )
    year = fiscal_year_of(timezone.localdate())
    FeeFactory(member=paid, fiscal_year=year, paid=3000)
    FeeFactory(member=owing, fiscal_year=year)
    MemberFactory(name="他拠点 太郎")
    return paid, owing


def test_staff_see_their_own_centres_members(client, counter_staff, register):
    client.force_login(counter_staff)
    response = client.get(URL)
    assert response.status_code == 200
    assert numbers(response) == ["KNZ-00001", "KNZ-00002"]
    assert "他拠点" not in response.text
    assert AuditEvent.objects.filter(action="view", user=counter_staff).exists()


def test_searching_by_name_keeps_the_name_out_of_the_url(client, coordinator, register):
    client.force_login(coordinator)
    response = client.post(URL, {"q": "やまだ"})
    assert response.status_code == 302
    assert response.url == URL
    response = client.get(URL)
    assert numbers(response) == ["KNZ-00001"]
    assert response.context["form"]["q"].value() == "やまだ"
    # Clearing forgets the filters.
    client.post(URL, {"clear": "1"})
    assert len(numbers(client.get(URL))) == 2


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"arrears": "yes"}, ["KNZ-00002"]),
        ({"arrears": "no"}, ["KNZ-00001"]),
        ({"union": "ゼンセン"}, ["KNZ-00002"]),
        ({"status": "active"}, ["KNZ-00001"]),
        ({"status": "current"}, None),
        ({"q": "KNZ-00002"}, ["KNZ-00002"]),
    ],
)
def test_filters(client, coordinator, register, filters, expected):
    client.force_login(coordinator)
    client.post(URL, filters)
    found = numbers(client.get(URL))
    if expected is None:
        assert "KNZ-00001" in found
    else:
        assert found == expected


def test_type_filter(client, coordinator, register, friends):
    client.force_login(coordinator)
    client.post(URL, {"membership_type": friends.pk})
    assert numbers(client.get(URL)) == ["KNZ-00002"]


@pytest.mark.parametrize(
    "data",
    [{"q": "あ" * 500}, {"membership_type": "999999"}, {"status": "zombie"}, {"arrears": "x"}],
)
def test_bad_filters_answer_with_the_form_not_an_error(client, coordinator, register, data):
    client.force_login(coordinator)
    response = client.post(URL, data)
    assert response.status_code == 200
    assert response.context["form"].errors


def test_bad_page_numbers_show_a_page(client, coordinator, register):
    client.force_login(coordinator)
    for page in ["x", "-1", "99999"]:
        assert client.get(URL, {"page": page}).status_code == 200


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_viewers_are_refused(client, viewer):
    client.force_login(viewer)
    assert client.get(URL).status_code == 403


def test_query_budget(client, coordinator, center, django_assert_max_num_queries):
    types = [MembershipTypeFactory() for _ in range(3)]
    for index in range(30):
        member = MemberFactory(
            center=center, membership_type=types[index % 3], union=f"単組{index}"
        )
        FeeFactory(member=member)
    client.force_login(coordinator)
    client.post(URL, {"membership_type": types[0].pk, "status": "lapsed", "arrears": "yes"})
    client.get(URL)
    # session, user with their centre, permissions (one query: accounts.backends), the chosen
    # type (checking the kept filters), the count, the page of members with their type and
    # status, the audit event, the session save (3). The unions for the suggestions and the
    # types for the filter form come from the cache.
    with django_assert_max_num_queries(10):
        response = client.get(URL)
    assert len(response.context["page"]) == 10
    assert response.context["page"].paginator.count == 10
    client.post(URL, {"clear": "1"})
    client.get(URL)
    # The same without the chosen type, and the whole register's count from the cache.
    with django_assert_max_num_queries(10):
        response = client.get(URL)
    assert len(response.context["page"]) == 30
    assert Member.objects.count() == 30


def figures(response):
    """The count and the union suggestions, as the page shows them."""
    return response.context["page"].paginator.count, response.context["unions"]


def test_the_count_and_unions_follow_every_change_at_once(
    client, coordinator, center, general, register
):
    """They are cached for the centre, and forgotten whenever a member is saved."""
    client.force_login(coordinator)
    count, unions = figures(client.get(URL))
    assert count == 2
    assert "電機連合" in unions
    member = MemberFactory(center=center, membership_type=general, union="新しい単組")
    count, unions = figures(client.get(URL))
    assert (count, "新しい単組" in unions) == (3, True)
    member.union = "名前を変えた単組"
    member.save()
    count, unions = figures(client.get(URL))
    assert ("新しい単組" in unions, "名前を変えた単組" in unions) == (False, True)
    member.delete()
    count, unions = figures(client.get(URL))
    assert (count, "名前を変えた単組" in unions) == (2, False)
    # Another centre's members change nothing here, and are counted apart.
    elsewhere = MemberFactory(union="他拠点の単組")
    assert figures(client.get(URL)) == (2, unions)
    # Moved here in the back office, then back.
    home = elsewhere.center
    elsewhere.center, elsewhere.sequence = center, 999
    elsewhere.save()
    assert figures(client.get(URL))[0] == 3
    elsewhere.center = home
    elsewhere.save()
    assert figures(client.get(URL))[0] == 2


def test_a_filtered_list_counts_what_it_shows(client, coordinator, register):
    client.force_login(coordinator)
    client.get(URL)
    client.post(URL, {"union": "電機"})
    assert client.get(URL).context["page"].paginator.count == 1
    client.post(URL, {"clear": "1"})
    assert client.get(URL).context["page"].paginator.count == 2


def test_a_new_membership_type_is_offered_at_once(client, coordinator, register):
    client.force_login(coordinator)
    assert "新しい種別" not in client.get(URL).text
    kind = MembershipTypeFactory(name="新しい種別")
    assert f'<option value="{kind.pk}">新しい種別</option>' in client.get(URL).text
    kind.name = "改めた種別"
    kind.save()
    assert "改めた種別" in client.get(URL).text
    MembershipType.objects.filter(pk=kind.pk).delete()
    assert "改めた種別" not in client.get(URL).text

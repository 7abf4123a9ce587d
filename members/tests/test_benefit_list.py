import datetime

import pytest
from django.urls import reverse

from members.tests.factories import BenefitFactory

URL = reverse("members:benefit-list")


@pytest.fixture
def benefits(general, friends):
    BenefitFactory(partner__name="金沢ラーメン亭", title="大盛り無料", membership_types=[friends])
    BenefitFactory(
        partner__name="石川生協", title="配達料無料", membership_types=[friends, general]
    )
    BenefitFactory(
        partner__name="閉店した店",
        title="終わった特典",
        membership_types=[friends],
        valid_until=datetime.date(2020, 3, 31),
    )
    BenefitFactory(
        partner__name="休止中", title="休止", membership_types=[friends], is_active=False
    )


def test_staff_see_the_current_benefits(client, counter_staff, benefits):
    client.force_login(counter_staff)
    response = client.get(URL)
    assert response.status_code == 200
    assert "大盛り無料" in response.text
    assert "配達料無料" in response.text
    assert "終わった特典" not in response.text
    assert "休止" not in response.text
    # A print button without an inline handler (print.js), as the CSP requires.
    assert "data-print" in response.text
    assert "js/print.js" in response.text


def test_benefits_for_one_type(client, counter_staff, benefits, general):
    client.force_login(counter_staff)
    response = client.get(URL, {"type": general.pk})
    assert [b.title for b in response.context["benefits"]] == ["配達料無料"]


@pytest.mark.parametrize("value", ["abc", "999999", "-1", "1 OR 1=1", "²", "１２"])
def test_a_bad_type_shows_everything(client, counter_staff, benefits, value):
    client.force_login(counter_staff)
    response = client.get(URL, {"type": value})
    assert response.status_code == 200
    assert response.context["chosen"] is None


def test_query_budget(client, coordinator, benefits, django_assert_max_num_queries):
    client.force_login(coordinator)
    # session, user with their centre, permissions (one query: accounts.backends), the types
    # for the filter, the benefits with their partners, their types, the session save (3).
    # ...and the second factor's device (django-otp), on every signed-in request.
    with django_assert_max_num_queries(10):
        client.get(URL)


def test_viewers_are_refused(client, viewer):
    client.force_login(viewer)
    assert client.get(URL).status_code == 403

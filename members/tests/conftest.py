import pytest
from django.utils import translation

from members.tests.factories import MembershipTypeFactory


@pytest.fixture
def english(client):
    """English messages, for assertions on text that the ja catalogue translates."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def general(db):
    return MembershipTypeFactory(code="general", name="一般会員", annual_fee=3000)


@pytest.fixture
def friends(db):
    return MembershipTypeFactory(code="friends", name="友の会会員", annual_fee=1000)


@pytest.fixture
def lifetime(db):
    return MembershipTypeFactory(
        code="lifetime", name="生涯組合員", annual_fee=0, expires=False, admin_only=True
    )

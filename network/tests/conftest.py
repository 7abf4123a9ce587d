import pytest
from django.utils import translation

from network.models import Prefecture


@pytest.fixture(autouse=True)
def served_region(db):
    """The demo region, 石川県, is the one served."""
    Prefecture.objects.filter(code="17").update(is_served=True)


@pytest.fixture
def english(client):
    """English messages and pages, for assertions on text that the ja catalogue translates."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield

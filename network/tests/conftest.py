import pytest

from network.models import Prefecture


@pytest.fixture(autouse=True)
def served_region(db):
    """The demo region, 石川県, is the one served."""
    Prefecture.objects.filter(code="17").update(is_served=True)

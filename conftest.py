"""Shared fixtures: a centre, a second centre, and one member of staff per role."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from accounts.models import Role
from accounts.tests.factories import CenterFactory, UserFactory
from tests.helpers import SecondFactorClient


@pytest.fixture(scope="session", autouse=True)
def _test_settings(tmp_path_factory):
    """Test-only tweaks, in force before the live server starts.

    A fast hasher (Argon2 costs ~0.1 s a password); plain HTTP for the test client and
    the live server; static files served from the source folders, without collectstatic;
    a cache directory of the run's own, so that two runs side by side do not empty
    each other's.
    """
    cache_dir = tmp_path_factory.mktemp("cache")
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(cache_dir),
            }
        },
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        SECURE_SSL_REDIRECT=False,
        STATIC_ROOT=None,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the statistics dashboard keeps its figures
    there, and a test's figures would otherwise be served to the next one."""
    cache.clear()


@pytest.fixture
def client():
    """pytest-django's `client`, with the second factor (see SecondFactorClient)."""
    return SecondFactorClient()


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's `admin_client` (a superuser), with the second factor passed."""
    client = SecondFactorClient()
    client.force_login(admin_user)
    return client


@pytest.fixture
def center(db):
    return CenterFactory(code="KNZ", name="金沢ライフサポートセンター")


@pytest.fixture
def other_center(db):
    return CenterFactory(code="KMT", name="小松ライフサポートセンター")


@pytest.fixture
def counter_staff(center):
    return UserFactory(username="counter", center=center, roles=[Role.COUNTER])


@pytest.fixture
def coordinator(center):
    return UserFactory(username="coordinator", center=center, roles=[Role.COORDINATOR])


@pytest.fixture
def manager(center):
    return UserFactory(username="manager", center=center, roles=[Role.MANAGER], is_staff=True)


@pytest.fixture
def viewer(center):
    return UserFactory(username="viewer", center=center, roles=[Role.VIEWER])


@pytest.fixture
def coordinator_elsewhere(other_center):
    return UserFactory(username="coordinator2", center=other_center, roles=[Role.COORDINATOR])

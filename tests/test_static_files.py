import re

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from lifesupport import settings as project_settings


def test_the_production_static_build_succeeds(tmp_path):
    """collectstatic with the production storage: hashed names, compressed copies, and
    every file a stylesheet refers to (source maps included) present."""
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=project_settings.STORAGES):
        call_command("collectstatic", interactive=False, verbosity=0)
    built = {path.name for path in (tmp_path / "vendor" / "bootstrap").iterdir()}
    assert any(name.startswith("bootstrap.min.") and name.endswith(".css.gz") for name in built)
    assert (tmp_path / "staticfiles.json").exists()


@pytest.mark.django_db
def test_pages_load_nothing_from_another_host(client, manager):
    pages = [client.get(reverse("login")).text]
    client.force_login(manager)
    pages.append(client.get(reverse("home")).text)
    for html in pages:
        addresses = re.findall(r'(?:src|href|action)="([^"]*)"', html)
        assert addresses
        assert [address for address in addresses if not address.startswith(("/", "#"))] == []

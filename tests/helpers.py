import os
import shutil

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def require_program(name: str) -> str:
    """The path of an external program a test needs.

    Missing on a developer's machine: the test is skipped, saying what to install.
    Missing in CI: the test fails, so CI never passes by skipping.
    """
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (Debian: apt-get install {name})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


class SecondFactorClient(Client):
    """The test client whose `force_login(user)` also passes the second factor, as the
    code step would: the user gets a confirmed authenticator device if they have none,
    and the session is marked verified by it (what django_otp.login() stores).
    `force_login(user, verified=False)` gives a password-only session instead."""

    def force_login(self, user, backend=None, *, verified=True):
        super().force_login(user, backend)
        if verified:
            device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(user=user, name="test app", confirmed=True)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

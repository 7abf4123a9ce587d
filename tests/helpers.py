import os
import shutil

import pytest


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

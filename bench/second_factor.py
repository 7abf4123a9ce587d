"""The login's code step for the bench scripts: the 6-digit TOTP code of a known key.

prepare_staff.py gives each account one confirmed authenticator (TOTPDevice) and writes its
key (hex) to the CSV; reliability.py does the same for its probe. The code is the one an
authenticator app would show (30-s steps from the epoch, 6 digits, SHA-1), computed with
django-otp's own HOTP, which needs no Django settings.

django-otp accepts a code once per device: it keeps the last step that logged in, so a
second login to the same account within the same 30 s is refused, and each refusal makes
the device wait before the next try (1 s, then 2, 4, ...). So `Codes` remembers, in its
process, which step it used for each key and waits for the next step instead of typing a
code that cannot pass; after a refusal anyway (another process used the step, or the
answer to an accepted code was lost), the caller waits for the next step and tries once
more: `wait_for_next_step`.
"""

import time
from urllib.parse import urlsplit

from django_otp.oath import hotp

STEP_S = 30
# After a step starts, wait this much more, so that the server's clock is surely past it.
MARGIN_S = 0.5


def current_step(now=None):
    return int((time.time() if now is None else now) // STEP_S)


def code_for(key_hex, step):
    """The code for `step` of the key (hex, as TOTPDevice.key keeps it)."""
    return f"{hotp(bytes.fromhex(key_hex), step, digits=6):06d}"


def seconds_to_next_step(now=None):
    now = time.time() if now is None else now
    return (current_step(now) + 1) * STEP_S - now + MARGIN_S


def wait_for_next_step(sleep=time.sleep):
    sleep(seconds_to_next_step())


class Codes:
    """The codes one process types: at most one login per key and step.

    `sleep` is time.sleep, or gevent.sleep inside locust (so one simulated user's wait
    does not stop the others).
    """

    def __init__(self, sleep=time.sleep):
        self.sleep = sleep
        self.used = {}

    def code(self, key_hex):
        """The code to type now; first waits for the next step (bounded: twice) when this
        process has already used the current one for this key."""
        for _wait in range(2):
            if current_step() > self.used.get(key_hex, -1):
                break
            wait_for_next_step(self.sleep)
        step = current_step()
        self.used[key_hex] = step
        return code_for(key_hex, step)

    def refused(self, key_hex):
        """A code was refused: count the current step as used and wait for the next one."""
        self.used[key_hex] = max(current_step(), self.used.get(key_hex, -1))
        wait_for_next_step(self.sleep)


def location_path(location):
    """A redirect's target as a path with its query (the code step's `next`), whether the
    server gave it as a path or whole."""
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path

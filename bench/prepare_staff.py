"""Give N active staff of the database a known password and authenticator, for the load.

Picks counter staff and coordinators in turn over the centres (so the load spreads over
them, as a morning does), sets one password on all of them, replaces each one's
authenticator apps with one confirmed TOTP device of a new random key, and writes the CSV
the load reads (bench/locustfile.py, bench/pages.py): `username,password,role,totp_key`
(role: counter or coordinator; totp_key: the device's key in hex, from which the scripts
compute the login's 6-digit code, bench/second_factor.py).

Every simulated user needs an account of its own: django-otp accepts a code only once per
device and 30-s step, so two users logging in to one account at once would collide. When
the database has fewer such staff than --count (seed_demo has 4), the script creates the
missing ones as bench accounts `bench-01`, `bench-02`, ... (active, spread over the
centres, counter and coordinator in turn, or --role's), and says how many it made. A
later run takes them again like any other staff. `bench-probe`, reliability.py's own
probe, is never taken.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale DJANGO_SECRET_KEY=x \\
        .venv/bin/python bench/prepare_staff.py /tmp/bench_users.csv [--count 30]

The password is new at every run (or --password) and goes to the file only, as do the
keys: keep the file for the run's length and delete it after. Never run this on a
production database.
"""

import argparse
import csv
import os
import secrets
import sys
from collections import defaultdict
from itertools import zip_longest
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifesupport.settings")
django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from accounts.models import Center, Role, User  # noqa: E402

ROLES = {Role.COORDINATOR.value: "coordinator", Role.COUNTER.value: "counter"}
ROLE_OF = {name: Role(value) for value, name in ROLES.items()}
# reliability.py's probe: a user of its own, with its own password and key.
PROBE_USER = "bench-probe"
BENCH_PREFIX = "bench-"


def chosen_staff(count, only_role=None):
    """[(user, role)]: counter staff and coordinators (or only `only_role`), one centre
    after another."""
    staff = (
        User.objects.filter(is_active=True, center__isnull=False, groups__name__in=ROLES)
        .exclude(username=PROBE_USER)
        .distinct()
        .order_by("center__code", "username")
        .prefetch_related("groups")
    )
    by_centre = defaultdict(list)
    for user in staff:
        names = {group.name for group in user.groups.all()}
        # A coordinator who also takes the counter plays the coordinator.
        role = ROLES[Role.COORDINATOR] if Role.COORDINATOR in names else ROLES[Role.COUNTER]
        if only_role and role != only_role:
            continue
        by_centre[user.center_id].append((user, role))
    # Within a centre, alternate roles so that both are in the first rows taken.
    for centre, people in by_centre.items():
        counters = [p for p in people if p[1] == "counter"]
        coordinators = [p for p in people if p[1] == "coordinator"]
        by_centre[centre] = [p for pair in zip_longest(counters, coordinators) for p in pair if p]
    rounds = zip_longest(*by_centre.values())
    return [person for row in rounds for person in row if person][:count]


def create_bench_staff(missing, password_hash, only_role=None):
    """`missing` new active accounts bench-01, bench-02, ... (names not taken yet), over
    the active centres in turn, counter and coordinator in turn (or `only_role`)."""
    centres = list(Center.objects.filter(is_active=True).order_by("code"))
    if not centres:
        sys.exit("No active centre in this database to give bench accounts to.")
    taken = set(
        User.objects.filter(username__startswith=BENCH_PREFIX).values_list("username", flat=True)
    )
    made, number = [], 0
    while len(made) < missing:
        number += 1
        username = f"{BENCH_PREFIX}{number:02d}"
        if username in taken:
            continue  # an account of that name that was not chosen (inactive, say)
        index = len(made)
        role = only_role or ("counter", "coordinator")[index % 2]
        user = User.objects.create(
            username=username,
            name=f"負荷 試験{number:02d}",
            email=f"{username}@example.invalid",
            center=centres[index % len(centres)],
            password=password_hash,
            is_active=True,
        )
        user.set_roles([ROLE_OF[role]])
        made.append((user, role))
    return made


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, help="where to write username,password,role,totp_key")
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--role", choices=sorted(ROLE_OF), help="only this role (default both)")
    parser.add_argument("--password", default="", help="default: a new random one")
    args = parser.parse_args()
    password = args.password or secrets.token_urlsafe(16)
    # One hash for all: hashing 30 times would take seconds for nothing.
    password_hash = make_password(password)
    with transaction.atomic():
        people = chosen_staff(args.count, args.role)
        created = create_bench_staff(args.count - len(people), password_hash, args.role)
        people += created
        User.objects.filter(pk__in=[user.pk for user, _role in people]).update(
            password=password_hash
        )
        keys = {}
        TOTPDevice.objects.filter(user__in=[user for user, _role in people]).delete()
        for user, _role in people:
            keys[user.pk] = secrets.token_hex(20)
            TOTPDevice.objects.create(
                user=user, name="bench authenticator", key=keys[user.pk], confirmed=True
            )
    with args.csv.open("w", newline="", encoding="utf-8") as file:
        args.csv.chmod(0o600)
        writer = csv.writer(file)
        writer.writerow(["username", "password", "role", "totp_key"])
        for user, role in people:
            writer.writerow([user.username, password, role, keys[user.pk]])
    roles = defaultdict(int)
    for _user, role in people:
        roles[role] += 1
    centres = len({user.center_id for user, _role in people})
    summary = ", ".join(f"{n} {role}" for role, n in sorted(roles.items()))
    made = f"; {len(created)} of them bench accounts made now" if created else ""
    print(
        f"{len(people)} staff ({summary}) over {centres} centres, each with a new "
        f"authenticator key{made} -> {args.csv}"
    )


if __name__ == "__main__":
    main()

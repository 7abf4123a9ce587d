"""Give N active staff of the database a known password, for the load (bench/locustfile.py).

Picks counter staff and coordinators in turn over the centres (so the load spreads over
them, as a morning does), sets one password on all of them, and writes the CSV the load
reads: `username,password,role` (role: counter or coordinator). Works on seed_demo's
data (4 such staff) and on generate_scale_data's (dozens per centre); with fewer staff
than asked, it takes them all and says how many.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale DJANGO_SECRET_KEY=x \\
        .venv/bin/python bench/prepare_staff.py /tmp/bench_users.csv [--count 30]

The password is new at every run (or --password) and goes to the file only: keep the
file for the run's length and delete it after. Never run this on a production database.
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

from accounts.models import Role, User  # noqa: E402

ROLES = {Role.COORDINATOR.value: "coordinator", Role.COUNTER.value: "counter"}


def chosen_staff(count):
    """[(user, role)]: counter staff and coordinators, one centre after another."""
    staff = (
        User.objects.filter(is_active=True, center__isnull=False, groups__name__in=ROLES)
        .distinct()
        .order_by("center__code", "username")
        .prefetch_related("groups")
    )
    by_centre = defaultdict(list)
    for user in staff:
        names = {group.name for group in user.groups.all()}
        # A coordinator who also takes the counter plays the coordinator.
        role = ROLES[Role.COORDINATOR] if Role.COORDINATOR in names else ROLES[Role.COUNTER]
        by_centre[user.center_id].append((user, role))
    # Within a centre, alternate roles so that both are in the first rows taken.
    for centre, people in by_centre.items():
        counters = [p for p in people if p[1] == "counter"]
        coordinators = [p for p in people if p[1] == "coordinator"]
        by_centre[centre] = [p for pair in zip_longest(counters, coordinators) for p in pair if p]
    rounds = zip_longest(*by_centre.values())
    return [person for row in rounds for person in row if person][:count]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, help="where to write username,password,role")
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--password", default="", help="default: a new random one")
    args = parser.parse_args()
    password = args.password or secrets.token_urlsafe(16)
    people = chosen_staff(args.count)
    if not people:
        sys.exit("No active counter staff or coordinators in this database.")
    # One hash for all: hashing 30 times would take seconds for nothing.
    User.objects.filter(pk__in=[user.pk for user, _role in people]).update(
        password=make_password(password)
    )
    with args.csv.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["username", "password", "role"])
        for user, role in people:
            writer.writerow([user.username, password, role])
    args.csv.chmod(0o600)
    roles = defaultdict(int)
    for _user, role in people:
        roles[role] += 1
    centres = len({user.center_id for user, _role in people})
    summary = ", ".join(f"{n} {role}" for role, n in sorted(roles.items()))
    print(f"{len(people)} staff ({summary}) over {centres} centres -> {args.csv}")


if __name__ == "__main__":
    main()

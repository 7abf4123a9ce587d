"""Time the statistics pages on a database filled by `manage.py generate_scale_data`.

Each page is fetched in process with Django's test client, logged in as a manager (who
may choose any centre or all), once to warm up and then --runs times; the table gives
the median, the fastest and the slowest time, the number of queries and the slowest
query. --explain prints EXPLAIN (ANALYZE, BUFFERS) of the slowest queries of each page;
--json keeps every run's times.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale DJANGO_SECRET_KEY=x \\
        .venv/bin/python bench/measure_reports.py [--runs 7] [--explain 3] [--only dashboard]

Not a test: bench/ is outside pytest's testpaths. See bench/README.md for the results.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifesupport.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Center, Role, User  # noqa: E402
from members.fiscal import fiscal_year_of  # noqa: E402
from tests.helpers import SecondFactorClient  # noqa: E402

USERNAME = "bench-manager"


def pages():
    """(label, URL name, query string) of every page measured."""
    today = timezone.localdate()
    fiscal_year = fiscal_year_of(today)
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    capital = Center.objects.filter(code__startswith="LS").order_by("code").first()
    one, every = f"center={capital.pk}", "center=all"
    this_fy = f"period=fiscal_year&year={fiscal_year}"
    last_year = f"period=year&year={today.year - 1}"
    month = f"period=month&year={last_month.year}&month={last_month.month}"
    rengo_year = f"year={today.year - 1}"
    mhlw_year = f"year={fiscal_year}"
    return [
        ("dashboard: one centre, this fiscal year", "reports:dashboard", f"{this_fy}&{one}"),
        ("dashboard: all centres, this fiscal year", "reports:dashboard", f"{this_fy}&{every}"),
        ("dashboard: all centres, last calendar year", "reports:dashboard", f"{last_year}&{every}"),
        ("dashboard: all centres, last month", "reports:dashboard", f"{month}&{every}"),
        ("dashboard: one centre, last month", "reports:dashboard", f"{month}&{one}"),
        ("rengo: one centre, last calendar year", "reports:rengo", f"{rengo_year}&{one}"),
        ("rengo: all centres, last calendar year", "reports:rengo", f"{rengo_year}&{every}"),
        ("mhlw: one centre, this fiscal year", "reports:mhlw", f"{mhlw_year}&{one}"),
        ("mhlw: all centres, this fiscal year", "reports:mhlw", f"{mhlw_year}&{every}"),
        ("fields: one centre, this fiscal year", "reports:fields", f"{this_fy}&{one}"),
        ("fields: all centres, this fiscal year", "reports:fields", f"{this_fy}&{every}"),
        ("summary (home figures), own centre", "reports:summary", ""),
        ("checklist, own centre, this fiscal year", "reports:checklist", ""),
        ("export: dashboard.xlsx, all centres, this FY", "reports:export-dashboard",
         f"{this_fy}&{every}"),
    ]  # fmt: skip


def manager():
    capital = Center.objects.filter(code__startswith="LS").order_by("code").first()
    user, created = User.objects.get_or_create(
        username=USERNAME, defaults={"name": "計測 管理者", "center": capital, "is_staff": True}
    )
    if created:
        user.set_unusable_password()
        user.save()
    user.set_roles([Role.MANAGER])
    return user


def measure(client, url, runs):
    _fetch(client, url)  # warm-up: caches, the planner, the page's imports
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        _fetch(client, url)
        times.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return times, queries.captured_queries


def _fetch(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")


def explain(sql):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--explain", type=int, default=0, help="EXPLAIN the N slowest queries")
    parser.add_argument("--only", default="", help="measure the pages whose label has this")
    parser.add_argument("--json", help="append every run's times to this file")
    args = parser.parse_args()

    # Past the second factor too, or every page would answer with the code step.
    client = SecondFactorClient()
    client.force_login(manager())
    print(f"PostgreSQL: {connection.pg_version if connection.vendor == 'postgresql' else '-'}")
    print("| page | median | fastest | slowest | queries | slowest query |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    plans = []
    for label, name, query in pages():
        if args.only and args.only not in label:
            continue
        url = reverse(name) + (f"?{query}" if query else "")
        times, queries = measure(client, url, args.runs)
        slowest = sorted(queries, key=lambda q: -float(q["time"]))
        print(
            f"| {label} | {statistics.median(times) * 1000:.0f} ms "
            f"| {min(times) * 1000:.0f} ms | {max(times) * 1000:.0f} ms "
            f"| {len(queries)} | {float(slowest[0]['time']) * 1000:.0f} ms |",
            flush=True,
        )
        plans += [(label, q) for q in slowest[: args.explain]]
        if args.json:
            with open(args.json, "a") as out:
                record = {"page": label, "times": times}
                out.write(json.dumps(record) + "\n")
    for label, query in plans:
        print(f"\n## {label}: {float(query['time']) * 1000:.0f} ms\n\n{query['sql']}\n")
        print(explain(query["sql"]))


if __name__ == "__main__":
    # As the tests do (conftest.py): plain HTTP and static files without a manifest.
    with override_settings(
        ALLOWED_HOSTS=["testserver"],
        SECURE_SSL_REDIRECT=False,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        main()

"""Where a key page's time goes, in process: Python, SQL and the number of queries.

The pages of bench/pages.py, each asked for in process with Django's test client by a
coordinator of the largest centre (a counter for the intake pages would see the same
page), through the whole middleware stack and with the production settings of the
environment. For each page: the median wall time of --runs requests after a warm-up, the
CPU time this process spent (Python, template rendering, psycopg), the number of queries
and the time spent waiting for them (PostgreSQL's share, with the round trips).
--cprofile PAGE prints the functions where PAGE's time goes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale DJANGO_SECRET_KEY=x \\
        DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=testserver \\
        .venv/bin/python bench/profile_pages.py [--runs 15] [--only case-list desk]

Not a test: bench/ is outside pytest's testpaths. The figures guide the work on point 2 of
issue 9; bench/pages.py measures the pages as the staff get them (gunicorn, under load).
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
import uuid
from pathlib import Path

import django

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifesupport.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from form_reading import intake_fields  # noqa: E402
from pages import FILTERS, PAGES, SEARCHES  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from consultations.models import Case  # noqa: E402
from tests.helpers import SecondFactorClient  # noqa: E402


class QueryTimer:
    """Counts the queries and adds up the time spent in them (connection.execute_wrapper)."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def coordinator():
    """An active coordinator of the centre with the most cases."""
    largest = Case.objects.values("center").annotate(n=Count("id")).order_by("-n").first()["center"]
    return (
        User.objects.filter(center=largest, is_active=True, groups__name=Role.COORDINATOR)
        .order_by("pk")
        .first()
    )


class Pages:
    """How to ask for each page (the same requests as bench/pages.py's users make)."""

    def __init__(self, client):
        self.client = client
        self.turn = 0
        self.cases = []
        self.intake_html = None
        # The floor is asked for without a session, as bench/pages.py's floor is.
        self.anonymous = Client()

    def prepare(self, page):
        if page in SEARCHES or page in FILTERS:
            values = FILTERS.get(page) or {"q": SEARCHES[page]}
            self.client.post("/consultations/cases/", values, secure=True)
        if page == "case-detail" and not self.cases:
            html = self.get("/consultations/cases/")
            self.cases = [
                part.split('/"')[0] for part in html.split('href="/consultations/cases/')[1:]
            ]
            self.cases = [number for number in self.cases if number and "/" not in number]
        if page in ("intake-save", "client-lookup") and self.intake_html is None:
            self.intake_html = self.get("/consultations/new/")

    def get(self, url, **extra):
        response = self.client.get(url, secure=True, **extra)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return response.content.decode()

    def post(self, url, data, expected, **extra):
        response = self.client.post(url, data, secure=True, **extra)
        if response.status_code != expected:
            raise SystemExit(f"POST {url} answered {response.status_code}")

    def ask(self, page):
        self.turn += 1
        if page == "floor":
            self.anonymous.get("/alive/", secure=True)
        elif page == "signed-in-floor":
            self.client.get("/alive/", secure=True)
        elif page == "intake-form":
            self.get("/consultations/new/")
        elif page == "intake-save":
            fields = {**intake_fields(self.intake_html), "idem_key": str(uuid.uuid4())}
            self.post("/consultations/new/", fields, 302)
        elif page.startswith("case-list") or page.startswith("case-search"):
            self.get("/consultations/cases/")
        elif page == "case-detail":
            self.get(f"/consultations/cases/{self.cases[self.turn % len(self.cases)]}/")
        elif page == "client-lookup":
            fields = {
                "lookup": "1",
                "client-family_name_kana": "ヤマダ",
                "client-given_name_kana": "ハナコ",
            }
            self.post("/consultations/new/", fields, 200, HTTP_HX_REQUEST="true")
        elif page == "directory-search":
            self.get("/network/?q=弁護士")
        elif page == "desk":
            self.get("/referrals/")
        elif page == "member-list":
            self.get("/members/")
        elif page == "dashboard":
            self.get("/reports/")


def measure(pages, page, runs):
    pages.prepare(page)
    for _ in range(3):  # warm-up: connection, caches, templates
        pages.ask(page)
    walls, cpus, sqls, counts = [], [], [], []
    for _ in range(runs):
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            wall, cpu = time.perf_counter(), time.process_time()
            pages.ask(page)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        sqls.append(timer.seconds)
        counts.append(timer.count)
    return {
        "wall": statistics.median(walls) * 1000,
        "cpu": statistics.median(cpus) * 1000,
        "sql": statistics.median(sqls) * 1000,
        "queries": max(counts),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--only", nargs="*", default=[], help="page names (bench/pages.py)")
    parser.add_argument("--cprofile", help="print where this page's time goes")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()

    client = SecondFactorClient()
    client.force_login(coordinator())
    pages = Pages(client)
    if args.cprofile:
        pages.prepare(args.cprofile)
        for _ in range(3):
            pages.ask(args.cprofile)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.runs):
            pages.ask(args.cprofile)
        profile.disable()
        stats = pstats.Stats(profile).sort_stats("cumulative")
        stats.print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        return
    print("| page | wall ms | CPU ms (this process) | SQL ms | queries |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, label, _ in PAGES:
        if args.only and name not in args.only:
            continue
        result = measure(pages, name, args.runs)
        print(
            f"| {label} | {result['wall']:.1f} | {result['cpu']:.1f} "
            f"| {result['sql']:.1f} | {result['queries']} |",
            flush=True,
        )


if __name__ == "__main__":
    main()

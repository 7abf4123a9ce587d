"""The key pages under load, beside a floor (issue 9, point 2).

gunicorn (the repo's gunicorn.conf.py, over TLS) serves the app on PostgreSQL; for each
page in turn, locust keeps 8 logged-in users requesting it with no pause for `--seconds`,
and reads back requests per second and the 50th, 95th and 99th percentiles. The floor is
`/alive/`: the same app and middleware and a template, without a query. It is measured
first and last in every round, and each page's throughput is compared with the median
floor of the same run. Three rounds; the table shows each figure's median.

    .venv/bin/python bench/pages.py --database-url postgres://postgres@127.0.0.1:5432/scale

The database must hold the scale data (`manage.py generate_scale_data`); the script has
bench/prepare_staff.py give 48 coordinators (8 users x 6; bench accounts are made when the
data has fewer) a password and an authenticator key, and logs them in with both steps;
each locust run takes the next 8, so no account logs in twice within a 30-s code step.
With --pin, app and database run on CPU 0 and the load on CPU 1 (security.md's ground
rules); without it they share both cores. Prints a table and writes bench/out/pages.json
(or --json FILE).

This file is also the locustfile of each measurement: locust imports it with BENCH_PAGE
naming the page.
"""

import argparse
import csv
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
FLOOR = "floor"
# The floor asked for by a signed-in user: what every page pays before its own work (the
# session, the user with their centre, the second factor's device: 3 queries). Measured
# beside the pages, as a reference, not judged against the targets.
SIGNED_IN = "signed-in-floor"
TARGET_P95_MS = 150
TARGET_SEARCH_P95_MS = 300
# Requests each user makes before the measured ones: connections, caches, the first
# compilation of each template in each worker.
WARM_UP = 3
# Locust runs in a row whose users log in as different coordinators (bench/prepare_staff.py
# makes users x STAFF_TURNS of them): a code is accepted once per account and 30-s step.
STAFF_TURNS = 6


def title(name):
    return next(page[1] for page in PAGES if page[0] == name)


# (name, what it is, how to ask for it): the list, in its order.
PAGES = [
    (FLOOR, "floor: /alive/ (no query)", "alive"),
    (SIGNED_IN, "reference: /alive/ signed in (3 queries)", "alive"),
    ("intake-form", "intake form (GET)", "intake_form"),
    ("intake-save", "intake: save a consultation (POST)", "intake_save"),
    ("case-list", "case list", "case_list"),
    ("case-list-filtered", "case list, filtered (open, one topic field)", "case_list"),
    ("case-search", "case list, text search 「解雇」", "case_list"),
    ("case-search-long", "case list, text search 「残業代」", "case_list"),
    ("case-detail", "case detail", "case_detail"),
    ("client-lookup", "client look-up (intake, by reading)", "client_lookup"),
    ("directory-search", "directory search 「弁護士」", "directory_search"),
    ("desk", "coordinator desk", "desk"),
    ("member-list", "member list", "member_list"),
    ("dashboard", "reports dashboard (own centre, this fiscal year)", "dashboard"),
]
SEARCHES = {"case-search": "解雇", "case-search-long": "残業代"}
FILTERS = {"case-list-filtered": {"status": "open", "topic": "W1"}}


if os.environ.get("BENCH_PAGE"):
    import locustfile as staff_mix
    from locust import FastHttpUser, constant, task

    PAGE = os.environ["BENCH_PAGE"]

    class PageUser(FastHttpUser):
        """One of the 8: logs in as one of the prepared staff, then asks for PAGE."""

        wait_time = constant(0)
        insecure = True  # the run's self-signed certificate
        # The login's code step as the staff mix takes it, with the helpers it uses.
        second_factor = staff_mix.Staff.second_factor
        page = staff_mix.Staff.page
        checked = staff_mix.Staff.checked
        referer = staff_mix.Staff.referer

        def on_start(self):
            self.turn = 0
            self.cases = []
            self.intake = None
            if PAGE != FLOOR:
                self.log_in()
            self.prepare()
            for _ in range(WARM_UP):
                self.ask("warm-up")

        @task
        def measure(self):
            self.ask(PAGE)

        def ask(self, name):
            how = dict((page[0], page[2]) for page in PAGES)[PAGE]
            self.turn += 1
            getattr(self, how)(name)

        # -- setting up --------------------------------------------------------------

        def log_in(self):
            """The password, then the code of the account's key (locustfile.py's steps,
            with its retry in the next 30-s step when the code was used already)."""
            account = staff_mix.ACCOUNTS[next(staff_mix._turn) % len(staff_mix.ACCOUNTS)]
            html = self.get("/login/", "login form")
            data = {
                "username": account["username"],
                "password": account["password"],
                "csrfmiddlewaretoken": staff_mix.Staff.csrf(html),
            }
            headers = {"Referer": f"{self.host}/login/"}
            with self.client.post(
                "/login/",
                data=data,
                headers=headers,
                allow_redirects=False,
                catch_response=True,
                name="login",
            ) as response:
                if not self.judge(response, 302):
                    return
                code_page = staff_mix.location_path(response.headers.get("Location", ""))
            self.second_factor(code_page, account["totp_key"])

        def prepare(self):
            if PAGE in SEARCHES or PAGE in FILTERS:
                values = FILTERS.get(PAGE) or {"q": SEARCHES[PAGE]}
                html = self.get("/consultations/cases/", "filter form")
                self.post("/consultations/cases/", values, html, "filter")
            if PAGE == "case-detail":
                html = self.get("/consultations/cases/", "case numbers")
                self.cases = staff_mix.links(html, r'href="/consultations/cases/([^/"]+)/"')
            if PAGE == "intake-save":
                html = self.get("/consultations/new/", "intake form")
                self.intake = html

        # -- the pages ---------------------------------------------------------------

        def alive(self, name):
            self.get("/alive/", name)

        def intake_form(self, name):
            self.get("/consultations/new/", name)

        def intake_save(self, name):
            fields = {**staff_mix.intake_fields(self.intake), "idem_key": str(uuid.uuid4())}
            self.post("/consultations/new/", fields, self.intake, name)

        def case_list(self, name):
            self.get("/consultations/cases/", name)

        def case_detail(self, name):
            number = self.cases[self.turn % len(self.cases)]
            self.get(f"/consultations/cases/{number}/", name)

        def client_lookup(self, name):
            html = self.intake_html = getattr(self, "intake_html", None) or self.get(
                "/consultations/new/", "intake form"
            )
            family, given = staff_mix.KANA_NAMES[self.turn % len(staff_mix.KANA_NAMES)]
            fields = {
                "lookup": "1",
                "client-family_name_kana": family,
                "client-given_name_kana": given,
            }
            self.post("/consultations/new/", fields, html, name, htmx=True, expected=200)

        def directory_search(self, name):
            self.get("/network/?q=弁護士", name)

        def desk(self, name):
            self.get("/referrals/", name)

        def member_list(self, name):
            self.get("/members/", name)

        def dashboard(self, name):
            self.get("/reports/", name)

        # -- requests ----------------------------------------------------------------

        def get(self, url, name):
            with self.client.get(url, catch_response=True, name=name) as response:
                return response.text if self.judge(response, 200) else ""

        def post(self, url, fields, page_html, name, htmx=False, expected=302):
            headers = {"Referer": f"{self.host}{url}"}
            if htmx:
                headers["HX-Request"] = "true"
            data = {**fields, "csrfmiddlewaretoken": staff_mix.Staff.csrf(page_html)}
            with self.client.post(
                url,
                data=data,
                headers=headers,
                allow_redirects=False,
                catch_response=True,
                name=name,
            ) as response:
                self.judge(response, expected)

        @staticmethod
        def judge(response, expected):
            if response.status_code != expected:
                response.failure(f"status {response.status_code}, expected {expected}")
                return False
            response.success()
            return True


# -- the run --------------------------------------------------------------------------


def measure(page, users, seconds, out, pin, staff_csv, first_account=0):
    """One page's locust run; its users log in as the CSV's lines from `first_account` on
    (each run takes the next ones, so that no account logs in twice within 30 s: its code
    would be refused)."""
    from harness import run_locust

    prefix = out / f"page-{page}"
    result = run_locust(
        __file__,
        users=users,
        spawn_rate=users,
        seconds=seconds,
        csv_prefix=prefix,
        pin=pin,
        env={
            "BENCH_PAGE": page,
            "BENCH_USERS": str(staff_csv),
            "LEDGER_FILE": os.devnull,
            "BENCH_ACCOUNT_OFFSET": str(first_account),
        },
    )
    row = page_row(prefix, page)
    row["failures_seen"] = result["failure_kinds"]
    return row


def page_row(prefix, page):
    """The measured requests' figures (not the log-ins and warm-ups)."""
    with open(f"{prefix}_stats.csv", newline="") as file:
        rows = {row["Name"]: row for row in csv.DictReader(file)}
    row = rows.get(page)
    if row is None:
        return {"requests": 0, "failures": 0, "rps": 0.0, "p50": None, "p95": None, "p99": None}
    # locust's Requests/s divides by the whole run, log-ins and warm-ups included; its
    # history gives the measured window, so throughput is counted over that.
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "rps": measured_rps(prefix, page, int(row["Request Count"])),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
    }


def measured_rps(prefix, page, count):
    with open(f"{prefix}_stats_history.csv", newline="") as file:
        seen = [
            int(row["Timestamp"])
            for row in csv.DictReader(file)
            if row["Name"] == page and int(row["Total Request Count"] or 0) > 0
        ]
    span = (max(seen) - min(seen) + 1) if seen else 0
    return round(count / span, 1) if span else 0.0


def median(values):
    values = [value for value in values if value is not None]
    return round(statistics.median(values), 1) if values else None


def summarise(rounds):
    """Per page, the median of each figure over the rounds, and the ratio to the floor."""
    floor_rps = median([measured[FLOOR]["rps"] for measured in rounds])
    table = {}
    for name, label, _how in PAGES:
        runs = [r[name] for r in rounds if name in r]
        if not runs:
            continue
        row = {
            "page": label,
            "rps": median([run["rps"] for run in runs]),
            "p50_ms": median([run["p50"] for run in runs]),
            "p95_ms": median([run["p95"] for run in runs]),
            "p99_ms": median([run["p99"] for run in runs]),
            "failures": sum(run["failures"] for run in runs),
            "requests": sum(run["requests"] for run in runs),
        }
        row["share_of_floor"] = round(row["rps"] / floor_rps, 2) if floor_rps else None
        if name not in (FLOOR, SIGNED_IN):
            limit = TARGET_SEARCH_P95_MS if name in SEARCHES else TARGET_P95_MS
            row["target_p95_ms"] = limit
            row["meets_targets"] = bool(
                row["p95_ms"] is not None
                and row["p95_ms"] < limit
                and row["share_of_floor"] is not None
                and row["share_of_floor"] >= 1 / 3
                and row["failures"] == 0
            )
        table[name] = row
    return table


def print_table(table, header):
    print(header)
    print(f"{'page':<52} {'req/s':>7} {'×floor':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'ok':>4}")
    for row in table.values():
        judged = "meets_targets" in row
        ok = ("yes" if row["meets_targets"] else "NO") if judged else ""
        print(
            f"{row['page']:<52} {row['rps'] or 0:>7.1f} {row['share_of_floor'] or 0:>7.2f} "
            f"{row['p50_ms'] or 0:>6.0f} {row['p95_ms'] or 0:>6.0f} {row['p99_ms'] or 0:>6.0f} "
            f"{ok:>4}"
        )


def main():
    sys.path.insert(0, str(BENCH))
    from harness import App, machine_info, port_free, run

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--users", type=int, default=8, help="concurrency (default 8)")
    parser.add_argument("--seconds", type=int, default=20, help="per page and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn's (its default)")
    parser.add_argument("--pin", action="store_true", help="app on CPU 0, load on CPU 1")
    parser.add_argument("--only", nargs="*", help="these pages (and the floor) only")
    parser.add_argument("--json", type=Path, default=BENCH / "out" / "pages.json")
    args = parser.parse_args()

    if not port_free():
        raise SystemExit("Something already listens on 127.0.0.1:8443; stop it first.")
    out = args.json.parent
    out.mkdir(parents=True, exist_ok=True)
    staff_csv = out / "page-staff.csv"
    app = App(
        args.database_url,
        workers=args.workers or (2 * (os.cpu_count() or 1) + 1),
        pin=args.pin,
        log_dir=out / "pages-logs",
    )
    app.prepare()
    # Every page is open to a coordinator (statistics and the desk only to them). Enough
    # of them for STAFF_TURNS runs in a row to log in as different people.
    count = str(args.users * STAFF_TURNS)
    run(
        [
            *(sys.executable, str(BENCH / "prepare_staff.py"), str(staff_csv)),
            *("--count", count, "--role", "coordinator"),
        ],
        env=app.env,
        timeout=300,
    )
    names = [page[0] for page in PAGES if not args.only or page[0] in args.only]
    names = [FLOOR, *[name for name in names if name != FLOOR], FLOOR]
    rounds = []
    runs = 0
    started = time.time()
    app.start()
    try:
        for number in range(1, args.rounds + 1):
            measured, floors = {}, []
            for name in names:
                first_account = runs * args.users
                runs += 1
                row = measure(
                    name, args.users, args.seconds, out, args.pin, staff_csv, first_account
                )
                if name == FLOOR:
                    floors.append(row)
                else:
                    measured[name] = row
                print(
                    f"round {number}: {title(name):<52} {row['rps']:>7.1f} req/s "
                    f"p95 {row['p95']} ms, {row['failures']} failed",
                    flush=True,
                )
            measured[FLOOR] = {
                key: median([floor[key] for floor in floors])
                for key in ("rps", "p50", "p95", "p99")
            } | {
                "requests": sum(f["requests"] for f in floors),
                "failures": sum(f["failures"] for f in floors),
            }
            rounds.append(measured)
    finally:
        app.stop()
    table = summarise(rounds)
    report = {
        "machine": machine_info(),
        "settings": {
            "users": args.users,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "workers": app.workers,
            "pinned": args.pin,
        },
        "minutes": round((time.time() - started) / 60, 1),
        "pages": table,
        "rounds": rounds,
    }
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print_table(
        table,
        f"{args.users} users, {args.rounds} rounds of {args.seconds} s, "
        f"{'pinned' if args.pin else 'both cores shared'}; medians",
    )
    judged = [name for name, row in table.items() if "meets_targets" in row]
    failed = [name for name in judged if not table[name]["meets_targets"]]
    print(f"{len(judged) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""The reliability run: load held, faults survived, nothing lost, one JSON report.

    .venv/bin/python bench/reliability.py --full     # 10 min of load, then F1-F6 (~25 min)
    .venv/bin/python bench/reliability.py --smoke    # CI: 60 s of load with one restart

Serves the app with gunicorn over TLS on a PostgreSQL cluster of its own (bench/harness.py:
`lt` on port 55432, never the one on 5432), drives it with locust (bench/locustfile.py,
the staff mix, which keeps a ledger of acknowledged saves) and injects each fault of
security.md's "Reliability figures" during a shorter load:

    F1 restart      pg_ctlcluster restart -m fast
    F2 crash        stop -m immediate, then start (WAL recovery)
    F3 worker       kill -9 one gunicorn worker
    F4 reload       kill -HUP the gunicorn master
    F5 connections  every connection slot taken by idle sessions, the app's own ended
    F6 lock         LOCK TABLE consultations_case IN ACCESS EXCLUSIVE MODE for 20 s

A fault passes when the requests inside its window (from its start to 10 s after its
end) failed only cleanly (503 with the Japanese page and no traceback; for F3 also a
dropped connection), none failed outside it (F4: none at all), an authenticated page
answered 10 times in a row within 10 s of its end, no worker timed out, and
`manage.py verify_ledger` finds every acknowledged save stored once, with its audit entry.

Writes the report to --json (default bench/out/reliability.json) and prints it; the last
line is `N passed, N failed`; exits 1 when a check failed.
"""

import argparse
import html
import json
import os
import re
import secrets
import sys
import threading
import time
from pathlib import Path

import psycopg
import requests
import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
from second_factor import Codes, location_path

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
PROBE_USER = "bench-probe"
PROBE_PASSWORD = "bench-probe-password"  # noqa: S105 - a throwaway user of the bench database
PROBE_PATH = "/consultations/cases/"
BUSY_PAGE = "システムが一時的に混み合っています"
RECOVERY_LIMIT_S = 10
LOCKED_TABLE = "consultations_case"

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


def main():
    args = parse_args()
    if args.pin:
        # This script (and its probe) counts as load: the load's CPU.
        os.sched_setaffinity(0, {int(harness.LOAD_CPU)})
    OUT.mkdir(exist_ok=True)
    run = Run(args)
    try:
        run.execute()
    finally:
        run.clean_up()
    report = run.report()
    text = json.dumps(report, ensure_ascii=False, indent=2)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(text + "\n")
    print(text)
    for name, ok, detail in run.checks:
        if not ok:
            print(f"FAIL {name}: {detail}")
    failed = sum(1 for _, ok, _ in run.checks if not ok)
    print(f"{len(run.checks) - failed} passed, {failed} failed")
    return 1 if failed or not run.checks else 0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--full", action="store_true", help="Load, then the six faults.")
    mode.add_argument("--smoke", action="store_true", help="CI: 60 s of load with F1.")
    parser.add_argument("--users", type=int, help="Simulated staff (full 30, smoke 10).")
    parser.add_argument("--load-seconds", type=int, help="The load phase (full 600; 0: none).")
    parser.add_argument("--fault-seconds", type=int, help="Load around each fault (90).")
    parser.add_argument("--fault-at", type=int, default=30, help="Fault at +N s of its load.")
    parser.add_argument("--faults", default="F1,F2,F3,F4,F5,F6", help="Which faults (--full).")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3).")
    parser.add_argument("--database", help="lifesupport (full) or lifesupport_smoke (smoke).")
    parser.add_argument(
        "--consultations",
        type=int,
        default=3000,
        help="Generated consultations when the database holds none (3000).",
    )
    parser.add_argument("--locustfile", default=str(BENCH / "locustfile.py"))
    parser.add_argument("--no-pin", dest="pin", action="store_false", help="No taskset.")
    parser.add_argument("--fresh", action="store_true", help="Drop and recreate the cluster.")
    parser.add_argument("--no-backup", dest="backup", action="store_false")
    parser.add_argument("--json", default=str(OUT / "reliability.json"))
    args = parser.parse_args()
    if args.smoke:
        args.users = args.users or 10
        args.database = args.database or "lifesupport_smoke"
        args.faults = "F1"
        args.backup = False
    else:
        args.users = args.users or 30
        args.database = args.database or "lifesupport"
    if args.load_seconds is None:
        args.load_seconds = 60 if args.smoke else 600
    args.fault_seconds = args.fault_seconds or 90
    if args.pin and not {0, 1} <= os.sched_getaffinity(0):
        print("Fewer than two CPUs: nothing pinned.", file=sys.stderr)
        args.pin = False
    return args


class Run:
    def __init__(self, args):
        self.args = args
        self.stamp = time.strftime("%Y%m%d-%H%M%S")
        self.dir = OUT / f"reliability-{self.stamp}"
        self.dir.mkdir(parents=True)
        self.cluster = harness.Cluster(pin=args.pin)
        self.app = None
        self.checks = []
        self.machine = {}
        self.load = None
        self.faults = []
        self.data = []
        self.backup = None
        self.error = None

    def check(self, name, ok, detail=""):
        self.checks.append((name, bool(ok), detail))
        print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)

    # -- the run ---------------------------------------------------------------------

    def execute(self):
        try:
            self.set_up()
            if self.args.smoke:
                self.fault_phase("F1", seconds=self.args.load_seconds, fault_at=25)
            else:
                if self.args.load_seconds:
                    self.load_phase()
                for fault in self.args.faults.split(","):
                    self.fault_phase(fault.strip(), self.args.fault_seconds, self.args.fault_at)
                if self.args.backup:
                    self.backup_drill()
        except Exception as error:  # reported as a failed check, then cleaned up
            self.error = f"{type(error).__name__}: {error}"
            self.check("run", False, self.error)

    def set_up(self):
        args = self.args
        if args.fresh:
            self.cluster.destroy()
        self.cluster.start()
        self.cluster.create_database(args.database)
        self.app = harness.App(
            self.cluster.url(args.database), workers=args.workers, pin=args.pin, log_dir=self.dir
        )
        say(f"migrate and collectstatic ({args.database})")
        self.app.prepare()
        if self.app.seed_small(args.consultations):
            say(f"seeded the demo and {args.consultations} generated consultations")
        self.staff_csv = self.prepare_staff()
        self.probe_login = self.probe_user()
        self.machine = harness.machine_info(self.cluster)
        self.machine.update(pinned=args.pin, workers=args.workers, database=args.database)
        if not harness.port_free():
            raise RuntimeError(f"port {harness.HTTPS_PORT} is taken")
        self.app.start()
        say(f"gunicorn {self.app.pid} on {harness.BASE_URL}")

    def prepare_staff(self):
        """Staff with a known password for the load (bench/prepare_staff.py), as CSV."""
        script = BENCH / "prepare_staff.py"
        path = self.dir / "staff.csv"
        if script.exists():
            count = str(max(self.args.users, 10))
            harness.run(
                [harness.PYTHON, str(script), str(path), "--count", count],
                env=self.app.env,
                timeout=600,
            )
        return path

    def probe_user(self):
        """(username, password, TOTP key) of the probe's own user: not one of the load's,
        whose login codes the probe's would collide with (a code is accepted once per
        account and 30-s step). Made after prepare_staff, which never takes it."""
        key = secrets.token_hex(20)
        code = (
            "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
            "from accounts.models import Center, Role, User\n"
            f"user, _ = User.objects.get_or_create(username={PROBE_USER!r}, "
            "defaults={'name': '計測 確認', 'email': 'probe@example.invalid'})\n"
            "user.center = Center.objects.order_by('pk').first()\n"
            f"user.set_password({PROBE_PASSWORD!r})\n"
            "user.is_active = True\n"
            "user.save()\n"
            "user.set_roles([Role.COORDINATOR])\n"
            "TOTPDevice.objects.filter(user=user).delete()\n"
            "TOTPDevice.objects.create(user=user, name='bench probe', "
            f"key={key!r}, confirmed=True)\n"
        )
        self.app.manage("shell", "-c", code, timeout=120)
        return PROBE_USER, PROBE_PASSWORD, key

    def locust_env(self, ledger, request_log):
        return {
            "LEDGER_FILE": str(ledger),
            "BENCH_USERS": str(self.staff_csv),
            "LIFESUPPORT_REQUEST_LOG": str(request_log),
        }

    def run_load(self, name, seconds, users):
        """Start locust in a thread; returns (thread, holder of its result, paths)."""
        ledger = self.dir / f"{name}-ledger.csv"
        request_log = self.dir / f"{name}-requests.jsonl"
        holder = {}
        locustfiles = f"{self.args.locustfile},{BENCH / 'locust_events.py'}"

        def target():
            holder["result"] = harness.run_locust(
                locustfiles,
                users=users,
                spawn_rate=max(1, users // 5),
                seconds=seconds,
                csv_prefix=self.dir / name,
                pin=self.args.pin,
                env=self.locust_env(ledger, request_log),
            )

        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        return thread, holder, ledger, request_log

    def load_phase(self):
        args = self.args
        say(f"load: {args.users} users for {args.load_seconds} s")
        thread, holder, ledger, request_log = self.run_load("load", args.load_seconds, args.users)
        thread.join(args.load_seconds + 180)
        result = holder.get("result") or {}
        self.load = {
            "users": args.users,
            "seconds": args.load_seconds,
            **{k: result.get(k) for k in ("requests", "failures", "rps", "p50_ms", "p95_ms")},
            "p99_ms": result.get("p99_ms"),
            "failure_kinds": result.get("failure_kinds", []),
            "pages": result.get("pages", {}),
        }
        self.check(
            "load: requests made", result.get("requests", 0) > 0, f"{result.get('requests')}"
        )
        self.check(
            "load: 0 failed requests", result.get("failures") == 0, f"{result.get('failures')}"
        )
        p95 = result.get("p95_ms")
        self.check("load: p95 <= 500 ms", p95 is not None and p95 <= 500, f"{p95} ms")
        self.check_ledger("load", ledger)
        self.check_server_errors("load", request_log)

    def fault_phase(self, fault, seconds, fault_at):
        users = self.args.users
        say(f"{fault}: {users} users for {seconds} s, fault at +{fault_at} s")
        probe = Probe(*self.probe_login)
        probe.login()
        error_log_before = len(self.app.error_log_text())
        thread, holder, ledger, request_log = self.run_load(fault, seconds, users)
        load_started = time.time()
        time.sleep(fault_at)
        started = time.time()
        detail = INJECT[fault](self)
        ended = time.time()
        say(f"{fault}: fault from +{started - load_started:.1f} s to +{ended - load_started:.1f} s")
        recovery = probe.recovery(ended)
        thread.join(seconds + 180)
        result = holder.get("result") or {}
        window = (started - 1, ended + RECOVERY_LIMIT_S + 1)
        judged = judge_requests(request_log, window, allow_dropped=fault == "F3")
        worker_timeouts = self.app.error_log_text()[error_log_before:].count("WORKER TIMEOUT")
        record = {
            "fault": fault,
            "what": FAULT_NAMES[fault],
            "fault_s": round(ended - started, 2),
            "recovery_s": recovery,
            "probe_failures": probe.failures,
            "requests": result.get("requests"),
            "failures": result.get("failures"),
            "p95_ms": result.get("p95_ms"),
            "failed_in_window": judged["in_window"],
            "unclean_in_window": judged["unclean"],
            "failed_outside_window": judged["outside"],
            "server_errors": judged["server_errors"],
            "worker_timeouts": worker_timeouts,
            "failure_kinds": result.get("failure_kinds", []),
            **detail,
        }
        checks = [
            (f"{fault}: load ran", bool(result.get("requests")), f"{result.get('requests')}"),
            (f"{fault}: no failure outside the window", not judged["outside"],
             f"{judged['outside']} ({judged['outside_examples']})"),
            (f"{fault}: failures in the window clean (503 page, no traceback)",
             not judged["unclean"], f"{judged['unclean']} ({judged['unclean_examples']})"),
            (f"{fault}: no 500 and no traceback", not judged["server_errors"],
             f"{judged['server_errors']}"),
            (f"{fault}: recovered within {RECOVERY_LIMIT_S} s",
             recovery is not None and recovery <= RECOVERY_LIMIT_S, f"{recovery} s"),
            (f"{fault}: no worker timeout", worker_timeouts == 0, f"{worker_timeouts}"),
        ]  # fmt: skip
        if fault == "F4":
            checks.append(
                ("F4: 0 failed requests", result.get("failures") == 0, f"{result.get('failures')}")
            )
        if self.load is None:
            # The smoke has no load phase of its own: its fault's load stands for it.
            self.load = {
                "users": users,
                "seconds": seconds,
                **{k: result.get(k) for k in ("requests", "failures", "rps", "p50_ms")},
                "p95_ms": result.get("p95_ms"),
                "p99_ms": result.get("p99_ms"),
            }
        ledger_ok = self.check_ledger(fault, ledger)
        record["ledger"] = self.data[-1] if self.data else None
        for name, ok, text in checks:
            self.check(name, ok, text)
        record["passed"] = all(ok for _, ok, _ in checks) and ledger_ok
        self.faults.append(record)

    def check_ledger(self, phase, ledger):
        """verify_ledger on the phase's ledger: every acknowledged save stored once."""
        if not ledger.exists():
            self.check(f"{phase}: ledger written", False, f"no ledger at {ledger}")
            return False
        result = self.app.manage("verify_ledger", str(ledger), check=False, timeout=600)
        line = (result.stdout.strip().splitlines() or [""])[-1]
        try:
            figures = json.loads(line)
        except ValueError:
            self.check(f"{phase}: verify_ledger", False, (result.stdout + result.stderr)[-500:])
            return False
        self.data.append({"phase": phase, **figures})
        ok = result.returncode == 0 and all(
            not figures.get(key) for key in ("lost", "duplicated", "orphans", "audit_missing")
        )
        self.check(f"{phase}: ledger clean", ok, line)
        return ok

    def check_server_errors(self, phase, request_log):
        judged = judge_requests(request_log, None, allow_dropped=False)
        self.check(f"{phase}: no 500 and no traceback", not judged["server_errors"],
                   f"{judged['server_errors']}")  # fmt: skip

    def backup_drill(self):
        """h5's backup_database and restore_drill, when the app has them."""
        commands = self.app.manage("help", "--commands", check=False).stdout.split()
        if "restore_drill" not in commands or "backup_database" not in commands:
            say("backup: no backup_database/restore_drill command, skipped")
            return
        backup_dir = self.dir / "backup"
        say("backup: backup_database, then restore_drill")
        dumped = self.app.manage(
            "backup_database", str(backup_dir), "--json", check=False, timeout=3600
        )
        try:
            manifest = json.loads(dumped.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            self.check("backup: dump written", False, (dumped.stdout + dumped.stderr)[-500:])
            return
        drill = self.app.manage(
            "restore_drill", manifest["dump_path"], "--json", check=False, timeout=3600
        )
        try:
            report = json.loads(drill.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            report = {"ok": False, "output": (drill.stdout + drill.stderr)[-500:]}
        self.backup = {
            "ok": bool(report.get("ok")) and drill.returncode == 0,
            "tables": len(manifest.get("tables", {})),
            "verified_tables": report.get("verified_tables"),
            "mismatched": report.get("mismatched"),
            "integrity": report.get("integrity"),
            "rows": report.get("rows"),
            "size_bytes": manifest.get("size_bytes"),
            "dump_s": manifest.get("dump_s"),
            "restore_s": report.get("restore_s"),
            "verify_s": report.get("verify_s"),
            "rto_s": report.get("rto_s"),
            "rpo": "24h (a nightly dump)",
        }
        self.check(
            "backup: restore verified",
            self.backup["ok"],
            f"{report.get('verified_tables')}/{self.backup['tables']} tables, "
            f"restored and verified in {report.get('rto_s')} s",
        )

    def clean_up(self):
        if self.app is not None:
            self.app.stop()
        self.cluster.stop()

    def report(self):
        recoveries = [f["recovery_s"] for f in self.faults if f["recovery_s"] is not None]
        summed = {
            key: sum(d.get(key) or 0 for d in self.data)
            for key in ("acked", "lost", "duplicated", "orphans", "audit_missing")
        }
        report = {
            "mode": "smoke" if self.args.smoke else "full",
            "machine": self.machine,
            "load": self.load,
            "faults": {
                "passed": sum(1 for f in self.faults if f["passed"]),
                "total": len(self.faults),
                "max_recovery_s": max(recoveries) if recoveries else None,
                "details": self.faults,
            },
            "data": {**summed, "phases": self.data},
            "logs": str(self.dir),
        }
        if self.backup is not None:
            report["backup"] = self.backup
        if self.error:
            report["error"] = self.error
        return report


# -- faults ----------------------------------------------------------------------------


def inject_restart(run):
    run.cluster.restart()
    return {}


def inject_crash(run):
    run.cluster.crash()
    return {}


def inject_kill_worker(run):
    return {"killed_pid": run.app.kill_worker()}


def inject_reload(run):
    run.app.reload()
    return {}


def inject_exhaust_connections(run, hold=15):
    """Take every connection slot with idle sessions, end the app's own (so its workers
    must reconnect), hold, then close them all."""
    url = run.cluster.url(run.args.database)
    sessions = []

    def fill():
        while len(sessions) < 500:
            try:
                sessions.append(psycopg.connect(url, connect_timeout=3, autocommit=True))
            except psycopg.OperationalError:
                return

    try:
        fill()
        ours = [s.info.backend_pid for s in sessions]
        if sessions:
            sessions[0].execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND backend_type = 'client backend'"
                " AND NOT pid = ANY(%s)",
                (run.args.database, ours),
            )
        fill()
        time.sleep(hold)
        return {"idle_sessions": len(sessions)}
    finally:
        for session in sessions:
            session.close()


def inject_lock(run, hold=20):
    """Hold the case table in ACCESS EXCLUSIVE mode: queries on it wait until the app's
    lock_timeout (5 s) ends them; other pages keep working."""
    url = run.cluster.url(run.args.database)
    with psycopg.connect(url, connect_timeout=5) as connection:
        connection.execute("SET lock_timeout = '10s'")
        connection.execute(f"LOCK TABLE {LOCKED_TABLE} IN ACCESS EXCLUSIVE MODE")
        time.sleep(hold)
        connection.rollback()
    return {"locked_table": LOCKED_TABLE, "held_s": hold}


INJECT = {
    "F1": inject_restart,
    "F2": inject_crash,
    "F3": inject_kill_worker,
    "F4": inject_reload,
    "F5": inject_exhaust_connections,
    "F6": inject_lock,
}
FAULT_NAMES = {
    "F1": "PostgreSQL restart (pg_ctlcluster restart -m fast)",
    "F2": "PostgreSQL crash (stop -m immediate, then start)",
    "F3": "a gunicorn worker killed (kill -9) mid-request",
    "F4": "graceful reload (kill -HUP the master)",
    "F5": "database connections exhausted (idle sessions in every slot)",
    "F6": f"slow query held by a lock (ACCESS EXCLUSIVE on {LOCKED_TABLE})",
}


# -- judging ---------------------------------------------------------------------------


def judge_requests(request_log, window, allow_dropped):
    """Sort the failed requests (locust_events.py's log) into inside and outside the
    window and count the unclean ones."""
    entries = []
    if request_log.exists():
        with request_log.open() as f:
            entries = [json.loads(line) for line in f if line.strip()]
    inside, outside, unclean, server_errors = [], [], [], []
    for entry in entries:
        if (entry["status"] >= 500 and entry["status"] != 503) or entry["traceback"]:
            server_errors.append(entry)
        if window is not None and window[0] <= entry["t"] <= window[1]:
            inside.append(entry)
            clean_busy = entry["status"] == 503 and entry["busy_page"] and not entry["traceback"]
            dropped = entry["status"] == 0 and allow_dropped
            if not (clean_busy or dropped):
                unclean.append(entry)
        else:
            outside.append(entry)

    def examples(items):
        kinds = {}
        for item in items:
            key = f"{item['method']} {item['name']} {item['status']} {item['error'][:80]}"
            kinds[key] = kinds.get(key, 0) + 1
        return "; ".join(f"{n}x {k}" for k, n in list(kinds.items())[:5])

    return {
        "in_window": len(inside),
        "outside": len(outside),
        "unclean": len(unclean),
        "server_errors": len(server_errors),
        "outside_examples": examples(outside),
        "unclean_examples": examples(unclean),
    }


class Probe:
    """A logged-in member of staff asking for the case list, to time the recovery."""

    # The codes it has typed, over the run's phases: one login per 30-s step.
    codes = Codes()

    def __init__(self, username, password, totp_key):
        self.username = username
        self.password = password
        self.totp_key = totp_key
        self.session = requests.Session()
        self.failures = []
        # verify=False goes with each request: a session's loses to REQUESTS_CA_BUNDLE.

    def login(self):
        url = f"{harness.BASE_URL}/login/"
        page = self.session.get(url, timeout=10, verify=False)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = self.session.post(
            url,
            data={"username": self.username, "password": self.password,
                  "csrfmiddlewaretoken": token},
            headers={"Referer": url},
            allow_redirects=False,
            timeout=20,
            verify=False,
        )  # fmt: skip
        if answer.status_code != 302:
            raise RuntimeError(f"probe login answered {answer.status_code}")
        self.second_factor(location_path(answer.headers.get("Location", "")))

    def second_factor(self, code_page):
        """The code step; a refused code (its step used already) once more in the next."""
        for attempt in (1, 2):
            page = self.session.get(f"{harness.BASE_URL}{code_page}", timeout=10, verify=False)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
            found = re.search(r'name="next" value="([^"]*)"', page.text)
            url = f"{harness.BASE_URL}/login/code/"
            answer = self.session.post(
                url,
                data={"code": self.codes.code(self.totp_key), "csrfmiddlewaretoken": token,
                      "next": html.unescape(found.group(1)) if found else ""},
                headers={"Referer": url},
                allow_redirects=False,
                timeout=20,
                verify=False,
            )  # fmt: skip
            if answer.status_code == 302:
                return
            if attempt == 1 and answer.status_code == 200:
                self.codes.refused(self.totp_key)
                continue
            raise RuntimeError(f"probe login code answered {answer.status_code}")
        raise RuntimeError("probe login code refused twice")

    def ok(self):
        """True when the case list answers 200. A slow answer still counts (the load
        may queue requests); only gunicorn's own timeout (30 s) makes it a failure."""
        try:
            answer = self.session.get(
                f"{harness.BASE_URL}{PROBE_PATH}", allow_redirects=False, timeout=30, verify=False
            )
        except requests.RequestException as error:
            self.failures.append(type(error).__name__)
            return False
        if answer.status_code != 200:
            self.failures.append(str(answer.status_code))
        return answer.status_code == 200

    def recovery(self, since, needed=10, limit=120):
        """Seconds from `since` to the first of `needed` successes in a row (None when
        there were none within `limit` seconds)."""
        self.failures = []
        streak_started, streak = None, 0
        while time.time() - since < limit:
            asked = time.time()
            if self.ok():
                streak_started = streak_started or asked
                streak += 1
                if streak >= needed:
                    return round(max(0.0, streak_started - since), 2)
            else:
                streak_started, streak = None, 0
            time.sleep(max(0.0, 0.25 - (time.time() - asked)))
        return None


def say(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


if __name__ == "__main__":
    sys.exit(main())

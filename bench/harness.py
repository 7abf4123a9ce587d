"""Serve the app as in production for the benchmarks: a PostgreSQL cluster of its own,
gunicorn over TLS, and locust run headless. Used by bench/reliability.py and the page
benchmark; everything here is bounded by a timeout and runs as root on a Debian machine.

    from harness import App, Cluster, run_locust    # bench/ on sys.path

    cluster = Cluster(max_connections=50)  # Debian's `pg_createcluster 15 lt --port 55432`
    cluster.start()                        # creates it when missing; also restart(),
                                           # crash() (stop -m immediate + start), stop()
    cluster.create_database("lifesupport") # drop_database(), psql(sql, db=...)
    app = App(cluster.url("lifesupport"), workers=3)
    app.prepare()                          # migrate + collectstatic
    app.seed_small(3000)                   # seed_demo + generate_scale_data, when empty
    app.start()                            # gunicorn on https://127.0.0.1:8443, waits for /alive/
    result = run_locust("bench/locustfile.py", users=10, spawn_rate=5, seconds=60,
                        csv_prefix="bench/out/load")   # dict: requests, failures, p50/p95/p99
    app.reload(); app.kill_worker(); app.stop()
    cluster.stop()

Pinning (security.md's ground rules): with pin=True, the default, gunicorn and PostgreSQL
run on CPU 0 (`taskset -c 0`) and locust on CPU 1, so app and database share one core.
Another cluster on port 5432 is never touched: every command names the `lt` cluster.
"""

import csv
import os
import platform
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = REPO / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python")
APP_CPU = "0"
LOAD_CPU = "1"
HOST = "127.0.0.1"
# Another port lets two runs share the machine (not at the same time as a measurement).
HTTPS_PORT = int(os.environ.get("BENCH_HTTPS_PORT", "8443"))
BASE_URL = f"https://{HOST}:{HTTPS_PORT}"


def run(cmd, timeout=120, check=True, env=None, cpu=None, quiet=False):
    """Run a command with a timeout; with `cpu`, pinned to that CPU by taskset."""
    if cpu is not None:
        cmd = ["taskset", "-c", cpu, *cmd]
    result = subprocess.run(  # noqa: S603 - argv lists from this module, no shell
        cmd, env=env, timeout=timeout, capture_output=True, text=True, check=False
    )
    if check and result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    if not quiet and result.stderr.strip() and result.returncode != 0:
        print(result.stderr.strip(), file=sys.stderr)
    return result


def pg_version():
    """15 when installed (security.md's version), else the newest installed."""
    versions = sorted(
        os.listdir("/usr/lib/postgresql"), key=lambda v: [int(p) for p in v.split(".")]
    )
    return "15" if "15" in versions else versions[-1]


class Cluster:
    """Debian's PostgreSQL cluster `lt` on 127.0.0.1:55432: fsync and synchronous_commit
    on, trust authentication over local TCP, superuser postgres."""

    def __init__(self, name="lt", port=55432, max_connections=50, pin=True, version=None):
        self.name = name
        self.port = port
        self.max_connections = max_connections
        self.cpu = APP_CPU if pin else None
        self.version = version or pg_version()
        self.conf_dir = Path("/etc/postgresql") / self.version / name

    def url(self, db):
        return f"postgres://postgres@{HOST}:{self.port}/{db}"

    def ctl(self, *args, timeout=120, check=True):
        return run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, *args],
            timeout=timeout,
            check=check,
            cpu=self.cpu,
        )

    def exists(self):
        return (self.conf_dir / "postgresql.conf").exists()

    def create(self):
        if not self.exists():
            run(["pg_createcluster", self.version, self.name, "--port", str(self.port)])
        self.configure()

    def configure(self):
        """Write the settings (read at the next start) and trust local TCP."""
        conf = self.conf_dir / "conf.d" / "bench.conf"
        conf.parent.mkdir(exist_ok=True)
        conf.write_text(
            f"port = {self.port}\n"
            f"listen_addresses = '{HOST}'\n"
            f"max_connections = {self.max_connections}\n"
            "fsync = on\n"
            "synchronous_commit = on\n"
            "full_page_writes = on\n"
            "shared_buffers = 256MB\n"
            "log_min_messages = warning\n"
        )
        (self.conf_dir / "pg_hba.conf").write_text(
            f"local all postgres peer\nlocal all all peer\nhost all all {HOST}/32 trust\n"
        )
        shutil.chown(conf, "postgres", "postgres")

    def destroy(self):
        """Drop the cluster and its data directory (--fresh)."""
        if self.exists():
            run(
                ["pg_dropcluster", "--stop", self.version, self.name],
                timeout=120,
                check=False,
            )

    def status(self):
        """True when the cluster's server runs."""
        return self.ctl("status", check=False, timeout=30).returncode == 0

    def start(self):
        self.create()
        if not self.status():
            self.ctl("start")
        self.wait_ready()

    def restart(self):
        """F1: a fast restart (sessions ended, clean shutdown)."""
        self.ctl("restart", "-m", "fast")
        self.wait_ready()

    def crash(self):
        """F2: stop without a checkpoint (as a power cut would), then start: WAL recovery."""
        self.ctl("stop", "-m", "immediate")
        self.ctl("start")
        self.wait_ready()

    def stop(self, mode="fast"):
        if self.exists() and self.status():
            self.ctl("stop", "-m", mode, check=False)

    def set_max_connections(self, value):
        """Takes effect at the next (re)start."""
        self.max_connections = value
        self.configure()

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.psql("SELECT 1", check=False).returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError(f"cluster {self.name} not ready after {timeout} s")

    def psql(self, sql, db="postgres", timeout=60, check=True):
        """One statement through psql; the result's stdout is unaligned, tuples only."""
        return run(
            [
                "psql",
                "-h",
                HOST,
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                db,
                "-X",
                "-v",
                "ON_ERROR_STOP=1",
                "-Atc",
                sql,
            ],
            timeout=timeout,
            check=check,
            quiet=True,
        )

    def create_database(self, db):
        # A name given by our own scripts, not by a user.
        query = f"SELECT 1 FROM pg_database WHERE datname = '{db}'"  # noqa: S608
        exists = self.psql(query).stdout.strip()
        if not exists:
            self.psql(f'CREATE DATABASE "{db}"')

    def drop_database(self, db):
        self.psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')

    def server_version(self):
        return self.psql("SHOW server_version").stdout.strip()


class App:
    """The app under gunicorn (the repo's gunicorn.conf.py) over TLS on 127.0.0.1:8443."""

    def __init__(self, database_url, workers=3, pin=True, log_dir=None):
        self.database_url = database_url
        self.workers = workers
        self.cpu = APP_CPU if pin else None
        self.tmp = Path(tempfile.mkdtemp(prefix="lifesupport-bench-"))
        self.log_dir = Path(log_dir) if log_dir else self.tmp
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.access_log = self.log_dir / "gunicorn-access.log"
        self.error_log = self.log_dir / "gunicorn-error.log"
        self.process = None
        self.env = {
            **os.environ,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_CSRF_TRUSTED_ORIGINS": BASE_URL,
            "DATABASE_URL": database_url,
            "PYTHONUNBUFFERED": "1",
        }

    def manage(self, *args, timeout=600, check=True):
        return run([PYTHON, "manage.py", *args], timeout=timeout, check=check, env=self.env)

    def prepare(self):
        self.manage("migrate", "--noinput", timeout=900)
        self.manage("collectstatic", "--noinput", timeout=300)

    def consultations(self):
        code = "from consultations.models import Consultation; print(Consultation.objects.count())"
        return int(self.manage("shell", "-c", code).stdout.strip().splitlines()[-1])

    def seed_small(self, consultations=3000):
        """The demo (users with password lifesupport-demo) and generated data, when the
        database holds no consultation yet."""
        if self.consultations():
            return False
        self.manage("seed_demo", timeout=300)
        self.manage(
            "generate_scale_data",
            "--consultations",
            str(consultations),
            "--force",
            "-v",
            "0",
            timeout=900,
        )
        return True

    def make_certificate(self):
        cert, key = self.tmp / "cert.pem", self.tmp / "key.pem"
        if not cert.exists():
            run(
                [
                    "openssl",
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-days",
                    "2",
                    "-subj",
                    f"/CN={HOST}",
                    "-addext",
                    f"subjectAltName=IP:{HOST}",
                    "-keyout",
                    str(key),
                    "-out",
                    str(cert),
                ],
                timeout=60,
            )
        return cert, key

    def start(self, timeout=60):
        cert, key = self.make_certificate()
        cmd = [
            str(VENV_BIN / "gunicorn"), "lifesupport.wsgi",
            "--config", str(REPO / "gunicorn.conf.py"),
            "--bind", f"{HOST}:{HTTPS_PORT}",
            "--workers", str(self.workers),
            "--certfile", str(cert), "--keyfile", str(key),
            "--access-logfile", str(self.access_log),
            "--error-logfile", str(self.error_log),
            "--pid", str(self.tmp / "gunicorn.pid"),
        ]  # fmt: skip
        if self.cpu is not None:
            cmd = ["taskset", "-c", self.cpu, *cmd]
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            cmd, cwd=REPO, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.wait_alive(timeout)

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        """True when /alive/ answers 200 (certificate not verified)."""
        context = ssl._create_unverified_context()  # noqa: S323 - the self-signed test certificate
        try:
            url = f"{BASE_URL}/alive/"
            with urllib.request.urlopen(url, timeout=3, context=context) as r:  # noqa: S310
                return r.status == 200
        except (OSError, ValueError):
            return False

    def wait_alive(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited {self.process.returncode}: {self.error_log}")
            if self.alive():
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /alive/ within {timeout} s")

    def worker_pids(self):
        result = run(["pgrep", "-P", str(self.pid)], check=False, timeout=10)
        return [int(pid) for pid in result.stdout.split()]

    def reload(self):
        """F4: graceful reload; new workers start, old ones finish their requests."""
        os.kill(self.pid, signal.SIGHUP)

    def kill_worker(self):
        """F3: kill -9 one worker; the master starts another. Returns its pid."""
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def stop(self, timeout=35):
        """TERM (graceful, bounded by gunicorn's graceful_timeout), then KILL; the run's
        private key goes too."""
        try:
            self._stop(timeout)
        finally:
            for name in ("cert.pem", "key.pem"):
                (self.tmp / name).unlink(missing_ok=True)

    def _stop(self, timeout):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            for pid in self.worker_pids():
                os.kill(pid, signal.SIGKILL)
            self.process.kill()
            self.process.wait(10)

    def error_log_text(self):
        return self.error_log.read_text(errors="replace") if self.error_log.exists() else ""


def port_free(port=HTTPS_PORT):
    with socket.socket() as sock:
        return sock.connect_ex((HOST, port)) != 0


def run_locust(
    locustfile, users, spawn_rate, seconds, csv_prefix, pin=True, env=None, extra_args=()
):
    """Run locust headless for `seconds` (and an outer timeout) against the app; returns
    the aggregated figures and the failures from its CSV files."""
    csv_prefix = Path(csv_prefix)
    csv_prefix.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        str(VENV_BIN / "locust"), "-f", str(locustfile), "--headless",
        "-u", str(users), "-r", str(spawn_rate), "-t", f"{seconds}s",
        "--host", BASE_URL, "--csv", str(csv_prefix), "--csv-full-history",
        "--only-summary", "--stop-timeout", "10", "--exit-code-on-error", "0",
        *extra_args,
    ]  # fmt: skip
    started = time.time()
    result = run(
        cmd,
        timeout=seconds + 120,
        check=False,
        env={**os.environ, **(env or {})},
        cpu=LOAD_CPU if pin else None,
    )
    figures = read_locust_stats(csv_prefix)
    figures.update(
        exit_code=result.returncode,
        started=started,
        seconds=seconds,
        users=users,
        failure_kinds=read_locust_failures(csv_prefix),
        output_tail=(result.stdout + result.stderr)[-3000:],
    )
    return figures


def read_locust_stats(csv_prefix):
    path = Path(f"{csv_prefix}_stats.csv")
    if not path.exists():
        return {"requests": 0, "failures": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None}
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    total = next((row for row in rows if row["Name"] == "Aggregated"), {})

    def number(key):
        value = total.get(key, "")
        return float(value) if value not in ("", "N/A") else None

    return {
        "requests": int(number("Request Count") or 0),
        "failures": int(number("Failure Count") or 0),
        "rps": number("Requests/s"),
        "p50_ms": number("50%"),
        "p95_ms": number("95%"),
        "p99_ms": number("99%"),
        "max_ms": number("Max Response Time"),
        "pages": {
            f"{row['Type']} {row['Name']}": {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p95_ms": float(row["95%"]) if row["95%"] not in ("", "N/A") else None,
            }
            for row in rows
            if row["Name"] != "Aggregated"
        },
    }


def read_locust_failures(csv_prefix):
    path = Path(f"{csv_prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="") as f:
        return [
            {"method": r["Method"], "name": r["Name"], "error": r["Error"],
             "occurrences": int(r["Occurrences"])}
            for r in csv.DictReader(f)
        ]  # fmt: skip


def machine_info(cluster=None):
    """The report's header: the machine, the versions and the commit."""
    cpu_model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    commit = run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], check=False).stdout
    dirty = run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                check=False).stdout.strip()  # fmt: skip
    versions = run(
        [PYTHON, "-c", "import django, gunicorn, locust, psycopg; print(django.__version__, "
         "gunicorn.__version__, locust.__version__, psycopg.__version__)"],
        check=False,
    ).stdout.split()  # fmt: skip
    info = {
        "nproc": os.cpu_count(),
        "cpu": cpu_model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "commit": commit.strip() + ("+changes" if dirty else ""),
    }
    if len(versions) == 4:
        info.update(django=versions[0], gunicorn=versions[1], locust=versions[2],
                    psycopg=versions[3])  # fmt: skip
    if cluster is not None:
        info["db"] = f"postgresql-{cluster.server_version()}"
    return info

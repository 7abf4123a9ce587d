"""Backups that prove themselves.

`take_backup` writes a dump and, beside it, a manifest: every table's row count and an
order-independent checksum of its rows, the migrations applied, the dump's size and sha256.
`restore_drill` restores a dump into a scratch database, computes the same manifest there and
compares table by table, checks the restored database's integrity and that this code runs on
it, then drops it.

PostgreSQL: the manifest is computed in a REPEATABLE READ transaction whose snapshot pg_dump
imports (`--snapshot`), so dump and manifest show the same instant even while staff keep
saving. SQLite: the online backup API copies a consistent file, and the manifest is computed
from that file.

Table names come from Django's introspection and are quoted as identifiers: no SQL is built
from anything a user typed. The password reaches pg_dump and pg_restore through PGPASSWORD,
never on a command line.
"""

import copy
import datetime
import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
import time
from contextlib import closing
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connections
from django.db.utils import load_backend

PREFIX = "lifesupport-"
# Backups know the two databases the app runs on (settings.py: SQLite or PostgreSQL).
UNSUPPORTED = "Backups and drills support PostgreSQL and SQLite, not %s."
MANIFEST_SUFFIX = ".manifest.json"
# The name of the drill's connection to the scratch database.
DRILL_ALIAS = "backup_drill"

# A row's text as PostgreSQL prints it, hashed, the first 64 bits read as a bigint and summed:
# the same rows give the same sum in any order (sum of bigint is numeric: no overflow).
PG_CHECKSUM = (
    "SELECT count(*), "
    "coalesce(sum(('x' || substr(md5(t::text), 1, 16))::bit(64)::bigint), 0) "
    "FROM {} AS t"
)
# Output formats that shape a row's text, pinned so that backup and drill print rows alike
# whatever the server's or the role's defaults are.
PG_SESSION = [
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL DateStyle = 'ISO, MDY'",
    "SET LOCAL IntervalStyle = 'postgres'",
    "SET LOCAL extra_float_digits = 1",
    "SET LOCAL bytea_output = 'hex'",
    "SET LOCAL statement_timeout = 0",
]


# Without pg_amcheck, or without the right to install its extension, the drill still
# passes, and its report says what it did not check.
NOT_CHECKED = "not checked"


class BackupFailed(Exception):
    """pg_dump failed; nothing of the attempt is left in the directory."""


class DrillFailed(Exception):
    """The drill could not restore the dump."""


# Manifests ------------------------------------------------------------------------------


def table_manifest(vendor, raw_connection, introspection):
    """{table: {"rows": n, "checksum": "…"}} for every table, read through a DB-API
    connection (inside the caller's transaction on PostgreSQL)."""
    with closing(raw_connection.cursor()) as cursor:
        tables = introspection.table_names(cursor)
        if vendor == "postgresql":
            return {table: _pg_table(cursor, table) for table in tables}
        return {table: _sqlite_table(cursor, table) for table in tables}


def _pg_table(cursor, table):
    from psycopg import sql

    cursor.execute(sql.SQL(PG_CHECKSUM).format(sql.Identifier(table)))
    rows, checksum = cursor.fetchone()
    return {"rows": rows, "checksum": str(checksum)}


def _sqlite_table(cursor, table):
    # SQLite has no md5(): the same idea in Python, modulo 2**64.
    quoted = '"{}"'.format(table.replace('"', '""'))
    # A table name from the database's own list, quoted (bandit B608, ruff S608).
    cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608  # nosec B608
    rows = total = 0
    for row in cursor:
        digest = hashlib.blake2b(repr(row).encode(), digest_size=8).digest()
        total = (total + int.from_bytes(digest, "big")) % 2**64
        rows += 1
    return {"rows": rows, "checksum": str(total)}


def applied_migrations(raw_connection):
    """The last migration applied of each app, as the database records it."""
    with closing(raw_connection.cursor()) as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        return dict(cursor.fetchall())


def compare(expected, found):
    """The tables whose count or checksum differ, or that are on one side only."""
    mismatched = []
    for table in sorted(set(expected) | set(found)):
        if expected.get(table) != found.get(table):
            mismatched.append(
                {"table": table, "expected": expected.get(table), "found": found.get(table)}
            )
    return mismatched


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def newest_dump(directory):
    """The newest dump backup_database wrote into `directory` (their names sort by time)."""
    dumps = sorted(
        path
        for pattern in (f"{PREFIX}*.dump", f"{PREFIX}*.sqlite3")
        for path in Path(directory).glob(pattern)
    )
    if not dumps:
        raise DrillFailed(f"No dump in {directory}.")
    return dumps[-1]


def manifest_path(dump):
    dump = Path(dump)
    return dump.with_name(dump.stem + MANIFEST_SUFFIX)


# Backup ---------------------------------------------------------------------------------


def take_backup(directory, *, using="default", timeout=3600):
    """Dump the database into `directory` and write its manifest beside it; return the
    manifest (with the paths of both files)."""
    connection = connections[using]
    directory = Path(directory)
    # The dumps hold people's most private troubles: only the owner may read them.
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    stem = PREFIX + now.strftime("%Y%m%dT%H%M%SZ")
    if connection.vendor not in ("postgresql", "sqlite"):
        raise ImproperlyConfigured(UNSUPPORTED % connection.vendor)
    postgresql = connection.vendor == "postgresql"
    dump = _create_private(directory / (stem + (".dump" if postgresql else ".sqlite3")))
    try:
        if postgresql:
            manifest = _backup_postgresql(connection, dump, timeout)
            manifest["format"] = "pg_dump --format=custom"
        else:
            manifest = _backup_sqlite(connection, dump)
            manifest["format"] = "sqlite3 online backup"
    except BaseException:
        # A half-written dump must not pass for a backup.
        dump.unlink()
        raise
    manifest.update(
        created_at=now.isoformat(timespec="seconds"),
        vendor=connection.vendor,
        dump=dump.name,
        size_bytes=dump.stat().st_size,
        sha256=file_sha256(dump),
    )
    target = _create_private(manifest_path(dump))
    target.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return {**manifest, "dump_path": str(dump), "manifest_path": str(target)}


def _create_private(path):
    # Created empty with mode 0600 before anything writes into it; never overwrites.
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    return path


def _raw_postgresql(connection, dbname=None):
    """A psycopg connection of its own, with the settings' parameters (not Django's, so
    that its transaction is ours alone)."""
    import psycopg

    params = connection.get_connection_params()
    for django_only in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(django_only, None)
    if dbname:
        params["dbname"] = dbname
    return psycopg.connect(**params)


def _pg_env(settings_dict):
    """Arguments and environment for pg_dump, pg_restore and pg_amcheck."""
    args = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict[key]:
            args.append(f"{option}={settings_dict[key]}")
    env = {**os.environ}
    if settings_dict["PASSWORD"]:
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    if settings_dict["OPTIONS"].get("sslmode"):
        env["PGSSLMODE"] = settings_dict["OPTIONS"]["sslmode"]
    return args, env


def pg_binary(name, server_version):
    """The client program of the server's major version (Debian keeps each version's in
    /usr/lib/postgresql/<major>/bin; pg_dump must not be older than the server), else the
    one on PATH, else None."""
    candidate = Path(f"/usr/lib/postgresql/{server_version // 10000}/bin/{name}")
    return str(candidate) if candidate.exists() else shutil.which(name)


def _backup_postgresql(connection, dump, timeout):
    import psycopg

    args, env = _pg_env(connection.settings_dict)
    with closing(_raw_postgresql(connection)) as raw:
        raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        for statement in PG_SESSION:
            raw.execute(statement)
        snapshot = raw.execute("SELECT pg_export_snapshot()").fetchone()[0]
        version = raw.execute("SHOW server_version").fetchone()[0]
        started = time.monotonic()
        # pg_dump reads the snapshot while this transaction stays open; meanwhile the
        # manifest is computed in it, on the other core.
        process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [
                pg_binary("pg_dump", raw.info.server_version) or "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={dump}",
                *args,
                f"--dbname={connection.settings_dict['NAME']}",
            ],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            tables = table_manifest("postgresql", raw, connection.introspection)
            migrations = applied_migrations(raw)
            manifest_s = time.monotonic() - started
            _, stderr = process.communicate(timeout=timeout)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        dump_s = time.monotonic() - started
        raw.rollback()
    if process.returncode:
        raise BackupFailed(f"pg_dump failed ({process.returncode}): {stderr.strip()}")
    return {
        "server_version": version,
        "dump_s": round(dump_s, 3),
        "manifest_s": round(manifest_s, 3),
        "migrations": migrations,
        "tables": tables,
    }


def _backup_sqlite(connection, dump):
    connection.ensure_connection()
    started = time.monotonic()
    with closing(sqlite3.connect(dump)) as target:
        # The online backup API: a consistent copy while other connections keep writing.
        connection.connection.backup(target)
    dump_s = time.monotonic() - started
    with closing(sqlite3.connect(dump)) as copied:
        tables = table_manifest("sqlite", copied, connection.introspection)
        migrations = applied_migrations(copied)
    return {
        "server_version": sqlite3.sqlite_version,
        "dump_s": round(dump_s, 3),
        "manifest_s": round(time.monotonic() - started - dump_s, 3),
        "migrations": migrations,
        "tables": tables,
    }


# Restore drill --------------------------------------------------------------------------


def restore_drill(dump, *, manifest=None, scratch=None, keep=False, using="default", timeout=3600):
    """Restore `dump` (or the newest dump in that directory) into a scratch database and
    verify it against its manifest.

    Returns the report: tables verified, mismatches, integrity, Django's checks and the
    seconds each step took. Drops the scratch database unless `keep`.
    """
    connection = connections[using]
    dump = newest_dump(dump) if Path(dump).is_dir() else Path(dump)
    expected = json.loads(Path(manifest or manifest_path(dump)).read_text())
    started = time.monotonic()
    report = {"dump": str(dump), "sha256": "ok"}
    if file_sha256(dump) != expected["sha256"]:
        report["sha256"] = "differs from the manifest"
    hashed = time.monotonic()
    if connection.vendor == "postgresql":
        drill = _PostgresqlDrill(connection, timeout, scratch)
    elif connection.vendor == "sqlite":
        drill = _SqliteDrill(connection)
    else:
        raise ImproperlyConfigured(UNSUPPORTED % connection.vendor)
    report["scratch"] = drill.name
    try:
        drill.restore(dump)
        restored = time.monotonic()
        found = drill.manifest()
        mismatched = compare(expected["tables"], found)
        integrity = drill.integrity()
        checks = _django_checks(drill.settings_dict())
        verified = time.monotonic()
    finally:
        if not keep:
            drill.drop()
    report.update(
        verified_tables=sum(
            1 for table, state in expected["tables"].items() if found.get(table) == state
        ),
        mismatched=mismatched,
        integrity=integrity,
        checks=checks,
        # The dump's sha256 is checked before the restore, and counts as verifying.
        restore_s=round(restored - hashed, 3),
        verify_s=round(verified - restored + hashed - started, 3),
        rto_s=round(verified - started, 3),
        rows=sum(table["rows"] for table in found.values()),
        kept=keep,
    )
    report["ok"] = (
        not mismatched
        and report["sha256"] == checks == "ok"
        and (integrity == "ok" or integrity.startswith(NOT_CHECKED))
    )
    return report


class _PostgresqlDrill:
    def __init__(self, connection, timeout, name=None):
        self.connection = connection
        self.timeout = timeout
        self.created = False
        if name:
            self.name = name
            return
        # A random tail: two drills started in the same second get two databases.
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d_%H%M%S_")
        stamp += secrets.token_hex(2)
        base = connection.settings_dict["NAME"][: 63 - len(stamp) - len("_drill_")]
        self.name = f"{base}_drill_{stamp}"

    def _admin(self, statement):
        from psycopg import sql

        with closing(_raw_postgresql(self.connection)) as raw:
            raw.autocommit = True
            raw.execute(sql.SQL(statement).format(sql.Identifier(self.name)))

    def restore(self, dump):
        with closing(_raw_postgresql(self.connection)) as raw:
            self.server_version = raw.info.server_version
        self._admin("CREATE DATABASE {} TEMPLATE template0")
        self.created = True
        args, env = _pg_env(self.connection.settings_dict)
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [
                pg_binary("pg_restore", self.server_version) or "pg_restore",
                "--jobs=2",
                "--no-owner",
                "--exit-on-error",
                *args,
                f"--dbname={self.name}",
                str(dump),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=self.timeout,
            check=False,
        )
        if result.returncode:
            raise DrillFailed(f"pg_restore failed ({result.returncode}): {result.stderr}")

    def manifest(self):
        with closing(_raw_postgresql(self.connection, self.name)) as raw:
            for statement in PG_SESSION:
                raw.execute(statement)
            return table_manifest("postgresql", raw, self.connection.introspection)

    def integrity(self):
        import psycopg

        binary = pg_binary("pg_amcheck", self.server_version)
        if binary is None:
            return f"{NOT_CHECKED}: pg_amcheck not found"
        with closing(_raw_postgresql(self.connection, self.name)) as raw:
            try:
                raw.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
            except psycopg.errors.InsufficientPrivilege:
                return f"{NOT_CHECKED}: the amcheck extension needs a superuser"
            raw.commit()
        args, env = _pg_env(self.connection.settings_dict)
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [binary, *args, self.name],
            env=env,
            capture_output=True,
            text=True,
            timeout=self.timeout,
            check=False,
        )
        if result.returncode:
            return f"pg_amcheck: {(result.stdout + result.stderr).strip()[:2000]}"
        return "ok"

    def settings_dict(self):
        return {**copy.deepcopy(self.connection.settings_dict), "NAME": self.name}

    def drop(self):
        if self.created:
            self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)")


class _SqliteDrill:
    def __init__(self, connection):
        self.connection = connection
        self.directory = tempfile.mkdtemp(prefix="lifesupport-drill-")
        self.name = str(Path(self.directory) / "restored.sqlite3")

    def restore(self, dump):
        shutil.copyfile(dump, self.name)

    def manifest(self):
        with closing(sqlite3.connect(self.name)) as raw:
            return table_manifest("sqlite", raw, self.connection.introspection)

    def integrity(self):
        with closing(sqlite3.connect(self.name)) as raw:
            result = [row[0] for row in raw.execute("PRAGMA integrity_check")]
        return "ok" if result == ["ok"] else "; ".join(result)[:2000]

    def settings_dict(self):
        return {**copy.deepcopy(self.connection.settings_dict), "NAME": self.name}

    def drop(self):
        shutil.rmtree(self.directory, ignore_errors=True)


def _django_checks(settings_dict):
    """`check` and `migrate --check` of this code against the restored database."""
    # The restored database's connection is handed to Django's commands under an alias of
    # its own, for their length only; the project's settings gain no database.
    connections[DRILL_ALIAS] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(
        settings_dict, DRILL_ALIAS
    )
    # Their output would spoil the drill's JSON: only the outcome is reported.
    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO(), "verbosity": 0}
    try:
        call_command("check", databases=[DRILL_ALIAS], **quiet)
        call_command("migrate", database=DRILL_ALIAS, check_unapplied=True, **quiet)
    except SystemExit:
        return "migrations not applied in the restored database"
    except Exception as error:  # reported; the drill then fails
        return f"{type(error).__name__}: {error}"[:2000]
    finally:
        connections[DRILL_ALIAS].close()
        del connections[DRILL_ALIAS]
    return "ok"

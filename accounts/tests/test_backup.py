"""backup_database and restore_drill: a dump and its manifest agree table by table, even
while another connection writes, and the drill fails on any difference."""

import io
import json
import stat
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import Center
from accounts.tests.factories import CenterFactory, UserFactory

# Committed rows, since pg_dump reads them from another session; serialized_rollback puts
# back the rows the migrations made (roles, areas, content types) before each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump snapshots and databases: PostgreSQL only"
)


def backup(directory):
    out = io.StringIO()
    call_command("backup_database", str(directory), "--json", stdout=out)
    return json.loads(out.getvalue())


def drill(dump):
    out = io.StringIO()
    call_command("restore_drill", dump, "--json", stdout=out)
    return json.loads(out.getvalue())


def drill_databases():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            [connection.settings_dict["NAME"] + "_drill_%"],
        )
        return cursor.fetchall()


@pytest.fixture
def staff(center, other_center):
    UserFactory.create_batch(3, center=center)
    return UserFactory.create_batch(2, center=other_center)


def test_row_49_a_backup_restores_with_every_table_verified(tmp_path, staff):
    manifest = backup(tmp_path)
    report = drill(manifest["dump_path"])
    assert report["ok"] is True
    assert report["mismatched"] == []
    assert report["verified_tables"] == len(manifest["tables"])
    assert report["integrity"] == "ok"
    assert report["checks"] == "ok"
    assert report["rto_s"] >= report["restore_s"]


def test_the_manifest_counts_every_table_and_records_the_dump(tmp_path, staff):
    manifest = backup(tmp_path)
    assert manifest["tables"]["accounts_center"]["rows"] == 2
    assert manifest["tables"]["accounts_user"]["rows"] == 5
    assert "django_migrations" in manifest["tables"]
    assert manifest["migrations"]["accounts"].startswith("00")
    assert manifest["vendor"] == connection.vendor
    assert len(manifest["sha256"]) == 64


def test_only_the_owner_may_read_the_backup(tmp_path, staff):
    manifest = backup(tmp_path / "backups")
    for path in (manifest["dump_path"], manifest["manifest_path"]):
        assert stat.S_IMODE((tmp_path / "backups" / path).stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "backups").stat().st_mode) == 0o700


def test_row_49_a_table_that_differs_fails_the_drill_and_is_named(tmp_path, staff):
    manifest = backup(tmp_path)
    path = tmp_path / manifest["manifest_path"]
    recorded = json.loads(path.read_text())
    recorded["tables"]["accounts_user"]["checksum"] = "12345"
    path.write_text(json.dumps(recorded))
    out = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("restore_drill", manifest["dump_path"], "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert failure.value.returncode == 1
    assert [mismatch["table"] for mismatch in report["mismatched"]] == ["accounts_user"]
    assert report["verified_tables"] == len(manifest["tables"]) - 1


def test_given_a_directory_the_drill_takes_its_newest_dump(tmp_path, staff):
    (tmp_path / "lifesupport-20200101T000000Z.dump").write_bytes(b"an old dump")
    manifest = backup(tmp_path)
    report = drill(str(tmp_path))
    assert report["dump"] == manifest["dump_path"]


@postgresql_only
def test_the_drill_drops_its_scratch_database(tmp_path, staff):
    manifest = backup(tmp_path)
    drill(manifest["dump_path"])
    assert drill_databases() == []


@postgresql_only
def test_the_dump_and_its_manifest_agree_while_rows_are_inserted(tmp_path, staff):
    inserted = []
    first, stop = threading.Event(), threading.Event()

    def insert():
        # Its own connection, each row committed at once, as gunicorn's workers would.
        try:
            for number in range(5000):
                if stop.is_set():
                    break
                inserted.append(CenterFactory(code=f"T{number}", name=f"テスト{number}").pk)
                first.set()
        finally:
            connection.close()

    writer = threading.Thread(target=insert)
    writer.start()
    try:
        assert first.wait(timeout=30)
        manifest = backup(tmp_path)
        rows_at_backup_end = len(inserted)
    finally:
        stop.set()
        writer.join(timeout=60)
    report = drill(manifest["dump_path"])
    in_snapshot = manifest["tables"]["accounts_center"]["rows"] - 2
    # The snapshot came after the first row and before the dump ended; rows kept coming.
    assert 1 <= in_snapshot < rows_at_backup_end <= Center.objects.count() - 2
    assert report["mismatched"] == []
    assert report["ok"] is True

"""manage.py export_hsds and import_hsds."""

import io
import json
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent
from network.models import Organisation, Service

from .factories import ScheduleFactory, ServiceFactory

DATA = Path(__file__).parent / "data"

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def partner(db):
    service = ServiceFactory(topics=["W1-01"], areas=["17201"])
    ScheduleFactory(service=service)
    return service.organisation


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_export_writes_utf8_json_to_a_file(partner, tmp_path):
    target = tmp_path / "directory.json"

    out, _ = run("export_hsds", str(target))

    text = target.read_text(encoding="utf-8")
    assert partner.name in text  # not \\u-escaped
    assert json.loads(text)["contents"][0]["id"] == str(partner.hsds_id)
    assert "1 organisation written" in out
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.detail == {"count": 1, "staff_notes": False}


def test_export_to_standard_output(partner):
    out, err = run("export_hsds", "-")

    assert json.loads(out)["total_items"] == 1
    assert "written to -" in err


def test_export_leaves_staff_notes_out_unless_asked(partner, tmp_path):
    Organisation.objects.update(staff_notes="内部メモ")

    plain, _ = run("export_hsds", "-")
    full, _ = run("export_hsds", "-", "--with-staff-notes")

    assert "内部メモ" not in plain
    assert json.loads(full)["contents"][0]["jp_staff_notes"] == "内部メモ"


def test_import_creates_then_updates(db):
    path = DATA / "hsds_foreign_services.json"

    out, err = run("import_hsds", str(path))

    assert Organisation.objects.count() == 2
    assert "2 created" in out
    assert "Warning: contents[2].schedules[0].count" in err
    event = AuditEvent.objects.get()
    assert event.action == AuditEvent.Action.CREATE
    assert event.detail["created"]["service"] == 3

    out, _ = run("import_hsds", str(path))

    assert Organisation.objects.count() == 2
    assert "0 created, 0 updated, 2 unchanged" in out
    assert AuditEvent.objects.latest("pk").action == AuditEvent.Action.CHANGE


def test_import_dry_run_changes_nothing(db):
    out, _ = run("import_hsds", str(DATA / "hsds_foreign_services.json"), "--dry-run")

    assert out.startswith("Dry run, nothing was saved.")
    assert not Organisation.objects.exists()
    assert not AuditEvent.objects.exists()


def test_import_prints_progress(db, tmp_path):
    entries = [
        {"id": str(uuid.uuid4()), "name": f"団体{n}", "description": "説明"} for n in range(150)
    ]
    path = tmp_path / "list.json"
    path.write_text(json.dumps(entries), encoding="utf-8")

    _, err = run("import_hsds", str(path))

    assert err.splitlines() == ["100 / 150", "150 / 150"]


def test_a_bad_file_prints_every_error_and_changes_nothing(partner, tmp_path):
    out, _ = run("export_hsds", "-")
    page = json.loads(out)
    page["contents"][0]["name"] = "変更"
    page["contents"][0]["phones"][0]["number"] = "12-34"
    page["contents"][0]["services"][0]["schedules"][0]["byday"] = "6TU"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError, match="2 errors: nothing was changed"):
        call_command("import_hsds", str(path), stdout=io.StringIO(), stderr=err)

    assert "contents[0].phones[0].number: " in err.getvalue()
    assert "contents[0].services[0].schedules[0].byday: " in err.getvalue()
    partner.refresh_from_db()
    assert partner.name != "変更"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE).exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"{not json", "not JSON"), ("{}".encode("utf-16"), "not UTF-8")],
)
def test_a_file_that_is_not_json_is_refused(db, tmp_path, content, message):
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_hsds", str(path), stdout=io.StringIO(), stderr=err)

    assert message in err.getvalue()
    assert not Service.objects.exists()


def test_a_missing_file_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match=r"missing\.json"):
        run("import_hsds", str(tmp_path / "missing.json"))

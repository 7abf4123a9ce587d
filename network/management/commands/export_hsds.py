import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import ngettext

from accounts.audit import log_action
from accounts.models import AuditEvent
from network.hsds.export import export_directory


class Command(BaseCommand):
    help = (
        "Write the whole partner directory (every organisation, active or not, with its "
        "services, schedules, areas, topics and contacts) as one HSDS 3.0 JSON page to FILE, "
        "or to standard output with '-'. Use it to hand the directory to another HSDS system "
        "or to move it to another Lifesupport installation (read back with import_hsds). "
        "Notes for staff are left out unless --with-staff-notes is given: use that only for "
        "a backup the centre keeps."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the JSON; '-' for standard output")
        parser.add_argument(
            "--with-staff-notes",
            action="store_true",
            help="include the notes for staff (jp_staff_notes): for the centre's own backup",
        )

    @transaction.atomic
    def handle(self, *args, file, with_staff_notes, **options):
        page = export_directory(include_staff_notes=with_staff_notes)
        text = json.dumps(page, ensure_ascii=False, indent=2) + "\n"
        if file == "-":
            self.stdout.write(text, ending="")
        else:
            Path(file).write_text(text, encoding="utf-8")
        log_action(
            action=AuditEvent.Action.EXPORT,
            username="manage.py export_hsds",
            count=page["total_items"],
            staff_notes=with_staff_notes,
        )
        # The summary must not mix with JSON written to standard output.
        count = page["total_items"]
        summary = ngettext(
            "%(count)s organisation written to %(file)s.",
            "%(count)s organisations written to %(file)s.",
            count,
        ) % {"count": f"{count:,}", "file": file}
        (self.stderr if file == "-" else self.stdout).write(summary)

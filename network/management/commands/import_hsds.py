import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import log_action
from network.hsds.importer import import_file


class Command(BaseCommand):
    help = (
        "Create or update partners from an HSDS 3.0 JSON file ('-' for standard input): our "
        "own export_hsds file, or another HSDS system's page, list or single organization or "
        "service. Rows are matched by their HSDS id, so importing the same file again "
        "updates them and never duplicates them. Entries absent from the file are left "
        "alone: nothing is deleted. The file is checked against the HSDS schemas and every "
        "row against the directory's rules; on any error nothing is changed and every "
        "error is printed with its place in the file. Run with --dry-run first to check a "
        "file without saving anything."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the HSDS JSON file (UTF-8); '-' for standard input")
        parser.add_argument("--dry-run", action="store_true", help="check everything, save nothing")

    def handle(self, *args, file, dry_run, **options):
        raw = self.read(file)
        with transaction.atomic():  # the audit entry commits with the import, or neither
            report = import_file(raw, progress=self.progress, dry_run=dry_run)
            if report.saved:
                log_action(
                    action=report.audit_action,
                    username="manage.py import_hsds",
                    **report.counts(),
                )
        for problem in report.warnings:
            self.stderr.write(_("Warning: %(problem)s") % {"problem": problem})
        if not report.ok:
            for problem in report.errors:
                self.stderr.write(str(problem))
            raise CommandError(report.summary())
        self.stdout.write(report.summary())

    def read(self, file):
        try:
            return sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
            ) from None

    def progress(self, done, total):
        self.stderr.write(f"{done:,} / {total:,}")

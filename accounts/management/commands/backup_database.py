import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.backup import BackupFailed, take_backup


class Command(BaseCommand):
    help = (
        "Back up the database into DIR: PostgreSQL with pg_dump --format=custom, SQLite with "
        "its online backup API, both safe while staff keep working. Beside the dump, "
        "<dump>.manifest.json records every table's row count and checksum (taken in the "
        "dump's own snapshot), the migrations applied, the dump's size and sha256 and the "
        "seconds it took; restore_drill checks a restore against it. Run nightly from cron, "
        "then encrypt the two files and send them away."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Where to write the dump and its manifest.")
        parser.add_argument("--json", action="store_true", help="Print the manifest as JSON.")
        parser.add_argument(
            "--timeout",
            type=int,
            default=3600,
            help="Seconds pg_dump may take before it is stopped (default 3600).",
        )

    def handle(self, *args, directory, timeout, **options):
        try:
            manifest = take_backup(directory, timeout=timeout)
        except BackupFailed as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(manifest, ensure_ascii=False))
            return
        self.stdout.write(
            _(
                "Backed up %(tables)d tables (%(rows)s rows) to %(path)s: %(size).1f MB "
                "in %(seconds).1f s."
            )
            % {
                "tables": len(manifest["tables"]),
                "rows": f"{sum(t['rows'] for t in manifest['tables'].values()):,}",
                "path": manifest["dump_path"],
                "size": manifest["size_bytes"] / 1e6,
                "seconds": manifest["dump_s"],
            }
        )

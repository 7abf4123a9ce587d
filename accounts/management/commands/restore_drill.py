import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.backup import DrillFailed, restore_drill


class Command(BaseCommand):
    help = (
        "Restore drill: restore DUMPFILE (made by backup_database; given a directory, its "
        "newest dump) into a scratch database "
        "(PostgreSQL: a new database, pg_restore --jobs=2; SQLite: a temporary copy), compare "
        "every table's row count and checksum with the dump's manifest, check integrity "
        "(pg_amcheck, or PRAGMA integrity_check), run Django's check and migrate --check on "
        "it, then drop it. Prints the seconds to restore and to verify; exits with status 1 "
        "when anything differs. Run monthly on the newest backup."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "dumpfile",
            help="A dump written by backup_database, or a directory: its newest dump.",
        )
        parser.add_argument(
            "--manifest", help="The dump's manifest (default: <dump>.manifest.json beside it)."
        )
        parser.add_argument(
            "--scratch",
            help="PostgreSQL: the scratch database's name (default <name>_drill_<time>); "
            "it must not exist yet.",
        )
        parser.add_argument(
            "--keep", action="store_true", help="Keep the scratch database to look at it."
        )
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
        parser.add_argument(
            "--timeout",
            type=int,
            default=3600,
            help="Seconds pg_restore and pg_amcheck may each take (default 3600).",
        )

    def handle(self, *args, dumpfile, manifest, scratch, keep, timeout, **options):
        try:
            report = restore_drill(
                dumpfile, manifest=manifest, scratch=scratch, keep=keep, timeout=timeout
            )
        except DrillFailed as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            self.print_report(report)
        if not report["ok"]:
            raise CommandError(_("The restore drill failed: see its report."))

    def print_report(self, report):
        for mismatch in report["mismatched"]:
            self.stdout.write(
                _("%(table)s: expected %(expected)s, found %(found)s")
                % {
                    "table": mismatch["table"],
                    "expected": mismatch["expected"],
                    "found": mismatch["found"],
                }
            )
        self.stdout.write(
            _(
                "%(verified)d tables verified (%(rows)s rows), %(mismatched)d differ; "
                "integrity: %(integrity)s; checks: %(checks)s; restored in %(restore).1f s, "
                "verified in %(verify).1f s (RTO %(rto).1f s)."
            )
            % {
                "verified": report["verified_tables"],
                "rows": f"{report['rows']:,}",
                "mismatched": len(report["mismatched"]),
                "integrity": report["integrity"],
                "checks": report["checks"],
                "restore": report["restore_s"],
                "verify": report["verify_s"],
                "rto": report["rto_s"],
            }
        )
        if report["kept"]:
            self.stdout.write(_("Scratch database kept: %(name)s") % {"name": report["scratch"]})

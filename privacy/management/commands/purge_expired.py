from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from privacy.services import REVIEW, purge_expired


class Command(BaseCommand):
    help = (
        "Delete or anonymise what has outlived its retention period (privacy/retention.py; "
        "a centre sets its own periods in RETENTION_PERIODS): closed cases keep only their "
        "statistics, clients with nothing left are deleted with their consents, records "
        "of provision go the day after their keep_until (three years, by law) even when "
        "their case went long before, and old hand-over notes, answer links, reminder "
        "marks and save receipts are deleted. Each purge writes a DeletionRecord (ids and "
        "case numbers, never content). Without --commit it only counts. Run it daily from "
        "cron; a second run the same day purges nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--commit",
            action="store_true",
            help="purge; without it nothing is changed and the counts are what would go",
        )

    def handle(self, *args, commit=False, **options):
        lines = purge_expired(commit=commit, by="manage.py purge_expired")
        if not commit:
            self.stdout.write(_("Dry run: nothing was changed. Add --commit to purge."))
        for line in lines:
            if line.action == REVIEW:
                what = _("to review, not purged")
            elif commit:
                what = _("purged")
            else:
                what = _("would be purged")
            rule = f" ({line.rule})" if line.rule else ""
            self.stdout.write(f"{line.label}{rule}: {line.count} {what}")

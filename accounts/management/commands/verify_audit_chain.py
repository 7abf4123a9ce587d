from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.audit_chain import first_broken_link
from accounts.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Check the audit trail's hash chain from the first event to the last: print OK with "
        "the number of events, or the id of the first event whose hash does not match its "
        "content or its predecessor (changed, removed or inserted rows) and exit with "
        "status 1. Run daily from cron, after the backup, and keep the output."
    )

    def handle(self, *args, **options):
        count, broken = first_broken_link(AuditEvent.objects.all())
        if broken is not None:
            raise CommandError(
                _("The audit chain is broken at event %(id)s (event %(position)s of the trail).")
                % {"id": broken.pk, "position": f"{count:,}"}
            )
        # "OK" and the count first, in every language, for whatever reads the cron output.
        self.stdout.write(f"OK {count} " + _("audit events; the chain is unbroken."))

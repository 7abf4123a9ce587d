import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from accounts.access_report import AccessReport
from accounts.models import AuditEvent, User


def moment(value):
    """An ISO date or date and time; without a zone, in the centre's (TIME_ZONE)."""
    parsed = parse_datetime(value)
    if parsed is None and (day := parse_date(value)) is not None:
        parsed = datetime.datetime.combine(day, datetime.time())
    if parsed is None:
        raise ValueError(value)
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


class Command(BaseCommand):
    help = (
        "Incident scoping: the case numbers, client ids and member numbers whose pages, "
        "prints or exports USER opened, created or changed from FROM (included) to TO "
        "(excluded), how many of the cases were restricted (要配慮) at the time, and how "
        "many of USER's requests were refused. Dates as 2026-11-01 or 2026-11-01T09:30, "
        "in the centre's time zone unless they carry one. Read from the audit trail only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="The username.")
        parser.add_argument("--from", dest="start", required=True, type=moment)
        parser.add_argument("--to", dest="end", required=True, type=moment)
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, user, start, end, **options):
        person = User.objects.filter(username=user).first()
        if person is None:
            raise CommandError(_("No staff member has the username %(user)s.") % {"user": user})
        if end <= start:
            raise CommandError(_("The end of the period must come after its start."))
        report = AccessReport.build(AuditEvent.objects.all(), user=person, start=start, end=end)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(
            _("%(user)s from %(start)s to %(end)s: %(events)d events")
            % {
                "user": person.get_username(),
                "start": timezone.localtime(start).isoformat(),
                "end": timezone.localtime(end).isoformat(),
                "events": report.events,
            }
        )
        lines = [
            (_("Cases"), report.cases),
            (_("Clients"), report.clients),
            (_("Members"), report.members),
            (_("Restricted (要配慮) cases"), report.restricted),
        ]
        for label, values in lines:
            self.stdout.write(f"{label} ({len(values)}): {' '.join(map(str, values))}".rstrip())
        self.stdout.write(_("Refused requests: %(count)d") % {"count": report.denied})

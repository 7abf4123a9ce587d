import datetime
from itertools import groupby

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import ngettext

from referrals.models import FollowUpReminder, Referral


class Command(BaseCommand):
    help = (
        "Mail each coordinator, once a day, the follow-ups of the referrals they coordinate "
        "that are due that day or overdue (referred or following up): case number, partner, "
        "date, days overdue and a link, never the client's name or matter. Run it from cron "
        "each morning. Only active staff with an e-mail address are mailed; a coordinator "
        "already reminded that day (a FollowUpReminder row) is skipped, so a second run "
        "sends nothing. --date catches up a missed day; --dry-run prints and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help="the day to remind for, as YYYY-MM-DD (default: today)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="print who would be mailed and about what; send and write nothing",
        )

    def handle(self, *args, date=None, dry_run=False, **options):
        day = date or timezone.localdate()
        reminded = FollowUpReminder.objects.filter(sent_on=day).values("user")
        referrals = (
            (Referral.objects.follow_up_due_on(day) | Referral.objects.follow_up_overdue_on(day))
            .filter(coordinator__is_active=True)
            .exclude(coordinator__email="")
            .exclude(coordinator__in=reminded)
            .select_related("case", "organisation", "service", "coordinator")
            .order_by("coordinator", "follow_up_on", "pk")
        )
        users = items = 0
        for _, group in groupby(referrals, key=lambda referral: referral.coordinator_id):
            group = list(group)
            coordinator = group[0].coordinator
            if dry_run:
                self._print(coordinator, group, day)
            elif not self._send(coordinator, group, day):
                continue
            users += 1
            items += len(group)
        if dry_run:
            summary = ngettext(
                "Dry run: %(users)s coordinator would be mailed about %(items)s follow-ups "
                "due by %(day)s.",
                "Dry run: %(users)s coordinators would be mailed about %(items)s follow-ups "
                "due by %(day)s.",
                users,
            )
        else:
            summary = ngettext(
                "%(users)s coordinator mailed about %(items)s follow-ups due by %(day)s.",
                "%(users)s coordinators mailed about %(items)s follow-ups due by %(day)s.",
                users,
            )
        self.stdout.write(summary % {"users": users, "items": items, "day": day.isoformat()})

    def _send(self, coordinator, referrals, day):
        """Mail one coordinator and note it, in one transaction: a failed send leaves no
        note (the next run retries), and a note another run wrote first means no mail."""
        context = {
            "coordinator": coordinator,
            "day": day,
            "items": [_item(referral, day) for referral in referrals],
        }
        subject = render_to_string("referrals/email/followup_reminder_subject.txt", context)
        body = render_to_string("referrals/email/followup_reminder.txt", context)
        try:
            with transaction.atomic():
                FollowUpReminder.objects.create(
                    user=coordinator, sent_on=day, item_count=len(referrals)
                )
                send_mail(" ".join(subject.split()), body, None, [coordinator.email])
        except IntegrityError:
            return False
        return True

    def _print(self, coordinator, referrals, day):
        self.stdout.write(f"{coordinator.get_username()} <{coordinator.email}>")
        for referral in referrals:
            item = _item(referral, day)
            self.stdout.write(
                f"  {referral.case.number} {referral.organisation} "
                f"{referral.follow_up_on:%Y-%m-%d} +{item['days_overdue']} {item['url']}"
            )


def _item(referral, day):
    return {
        "referral": referral,
        "days_overdue": (day - referral.follow_up_on).days,
        "url": settings.SITE_URL + referral.get_absolute_url(),
    }

# Beside seed_demo, in the rightmost app with data, because it fills every app's tables.
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultations.models import Case, Client, Consultation
from members.models import Member
from network.models import Organisation
from referrals.models import Referral
from referrals.scale import MINIMUM, Generator, Scale

# Tables that hold a centre's own work: any row in them means the database is in use.
DOMAIN_MODELS = [Consultation, Case, Client, Referral, Member, Organisation]


class Command(BaseCommand):
    help = (
        "Generate a region's years of invented data to measure the pages at scale: ten "
        "centres of the served prefecture (石川県 if none is) with their staff, and for "
        "every 1,000,000 consultations 200,000 clients, 300,000 cases, 100,000 referrals "
        "with their steps and follow-ups, 10,000 partner organisations with services and "
        "100,000 members with fees and payments. Same seed, same day: same data. Writes by "
        "COPY on PostgreSQL (some minutes for a million), bulk_create elsewhere. Refuses a "
        "database that already holds consultations, cases, clients, referrals, members or "
        "partners unless --force, and never deletes anything. For measuring only; never "
        "in production."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--consultations",
            type=int,
            default=1_000_000,
            help="How many consultations; the other counts scale with it (default 1,000,000).",
        )
        parser.add_argument("--seed", default="lifesupport-scale", help="Seed of the randomness.")
        parser.add_argument(
            "--years", type=int, default=10, help="Years of data, ending today (default 10)."
        )
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="Rows per bulk_create (default 5000)."
        )
        parser.add_argument(
            "--bulk-create",
            action="store_true",
            help="Write with bulk_create on PostgreSQL too, instead of COPY (to compare).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add to a database that already holds data (nothing is deleted).",
        )

    def handle(self, *args, consultations, seed, years, batch_size, force, **options):
        if consultations < MINIMUM:
            raise CommandError(
                _("Generate at least %(minimum)d consultations.") % {"minimum": MINIMUM}
            )
        if years < 1 or batch_size < 1:
            raise CommandError(_("--years and --batch-size must be at least 1."))
        if not force and any(model.objects.exists() for model in DOMAIN_MODELS):
            raise CommandError(
                _(
                    "This database already holds consultations, cases, clients, referrals, "
                    "members or partners: generate_scale_data adds nothing. Use an empty "
                    "database, or --force to add to what is there."
                )
            )
        use_copy = connection.vendor == "postgresql" and not options["bulk_create"]
        generator = Generator(
            Scale(consultations=consultations, years=years),
            seed=seed,
            batch_size=batch_size,
            use_copy=use_copy,
            report=self.report,
        )
        result = generator.run()
        if options["verbosity"] > 1:
            # Each table as written; the time includes making its rows in Python.
            for table, rows, seconds in generator.writer.timings:
                self.stdout.write(
                    _("%(table)s: %(rows)s rows in %(seconds).1f s")
                    % {"table": table, "rows": f"{rows:,}", "seconds": seconds}
                )
        total = sum(part.seconds for part in result.parts)
        self.stdout.write(
            self.style.SUCCESS(
                _("Done in %(seconds).1f s (written by %(method)s).")
                % {"seconds": total, "method": "COPY" if result.copy else "bulk_create"}
            )
        )

    def report(self, part):
        counts = {name: f"{count:,}" for name, count in part.counts.items()}
        self.stdout.write(MESSAGES[part.name] % {**counts, "seconds": part.seconds})


# One line per part, with its counts and the seconds it took.
MESSAGES = {
    "region": gettext_lazy("Region: %(centres)s centres, %(staff)s staff (%(seconds).1f s)."),
    "directory": gettext_lazy(
        "Partner directory: %(organisations)s organisations, %(services)s services, "
        "%(contacts)s contacts (%(seconds).1f s)."
    ),
    "members": gettext_lazy(
        "Members: %(members)s members, %(fees)s annual fees, %(payments)s payments "
        "(%(seconds).1f s)."
    ),
    "consultations": gettext_lazy(
        "Consultations: %(consultations)s in %(cases)s cases of %(clients)s clients, "
        "%(topics)s topics marked (%(seconds).1f s)."
    ),
    "referrals": gettext_lazy(
        "Referrals: %(referrals)s with %(steps)s steps, %(follow_ups)s follow-ups, "
        "%(consents)s consents, %(records)s records of provision and %(events)s timeline "
        "entries (%(seconds).1f s)."
    ),
    "statistics": gettext_lazy("Database statistics refreshed (%(seconds).1f s)."),
}

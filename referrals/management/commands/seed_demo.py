# seed_demo lives in the rightmost app that has demo data, because only that app may import
# every app whose demo it loads (accounts ← network ← members ← …). When an app further right
# gets demo data, move this command there and add that app's seed step at the end.
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.demo import DEMO_STAFF, demo_totp_secret, refuse_real_data, seed_staff
from consultations.demo import link_member_clients, seed_consultations
from members.demo import seed_members
from network.demo import seed_directory
from referrals.demo import seed_referrals


class Command(BaseCommand):
    help = (
        "Load the demo: two centres in Ishikawa with one staff member per role (all with "
        "the same printed password, and each with a printed authenticator secret for the "
        "second factor), then a directory of some 70 partners across Ishikawa, "
        "then a year of consultations at both centres (about 1,500), then some 40 referrals "
        "per centre in every state (follow-ups due today and overdue, answers through the "
        "partner's link, records of provision). Safe to run again: staff are reset, an "
        "existing directory, consultations or referrals are left as they are. Refuses to "
        "touch a database that holds users or centres that are not the demo's. Run by "
        "`make run`, never in production."
    )

    def handle(self, *args, **options):
        # The factories (and Faker) are development dependencies: import them only here.
        import factory.random

        from accounts.tests.factories import DEMO_PASSWORD

        refuse_real_data()
        factory.random.reseed_random("lifesupport-demo")
        with transaction.atomic():
            seed_staff()
            directory = seed_directory()
            register = seed_members()
            consultations = seed_consultations()
            member_clients = link_member_clients()
            referrals = seed_referrals()

        self.stdout.write(self.style.SUCCESS(_("Demo data is ready. Log in with:")))
        for username, code, roles, _is_staff in DEMO_STAFF:
            role_names = "・".join(role.value for role in roles)
            self.stdout.write(
                f"  {username:<13} {DEMO_PASSWORD}   {demo_totp_secret(username)}   "
                f"{role_names}（{code}）"
            )
        self.stdout.write(
            _(
                "The second column is the password, the third the secret of the login's "
                "authenticator app. For the code step, add the secret to any authenticator app, "
                "or run: oathtool --totp -b <secret>"
            )
        )
        counts = {
            "organisations": directory.organisations,
            "services": directory.services,
            "contacts": directory.contacts,
        }
        if directory.created:
            message = _(
                "Partner directory: %(organisations)d organisations "
                "(%(services)d services, %(contacts)d contacts)."
            )
        else:
            message = _(
                "The partner directory already had entries and was left as it is: "
                "%(organisations)d organisations (%(services)d services, %(contacts)d contacts)."
            )
        self.stdout.write(message % counts)
        self.stdout.write(_consultations_message(consultations))
        self.stdout.write(
            (
                _(
                    "Member register: %(members)d members (%(fees)d fees, %(payments)d "
                    "payments, %(benefits)d benefits)."
                )
                if register.created
                else _(
                    "The member register already had members and was left as it is: "
                    "%(members)d members."
                )
            )
            % vars(register)
        )
        if member_clients:
            self.stdout.write(
                _("%(count)d clients are members of the register.") % {"count": member_clients}
            )
        self.stdout.write(_referrals_message(referrals))
        if referrals.partner_url:
            self.stdout.write(
                _("A partner's answer page, as the partner sees it: %(url)s")
                % {"url": referrals.partner_url}
            )


def _consultations_message(summary):
    counts = {
        "consultations": summary.consultations,
        "cases": summary.cases,
        "clients": summary.clients,
        "notes": summary.handover_notes,
    }
    if summary.created:
        message = _(
            "Consultations: %(consultations)d in %(cases)d cases over the last twelve months "
            "(%(clients)d named clients, %(notes)d hand-over notes)."
        )
    else:
        message = _(
            "The centres already had consultations, which were left as they are: "
            "%(consultations)d in %(cases)d cases (%(clients)d named clients)."
        )
    return message % counts


def _referrals_message(summary):
    if summary.created:
        message = _(
            "Referrals: %(referrals)d at both centres, in every state (%(records)d records of "
            "provision, %(links)d answer links); %(due)d follow-ups due today, %(overdue)d "
            "overdue."
        )
    else:
        message = _(
            "The centres already had referrals, which were left as they are: %(referrals)d "
            "referrals."
        )
    return message % {
        "referrals": summary.referrals,
        "records": summary.records,
        "links": summary.links,
        "due": summary.due_today,
        "overdue": summary.overdue,
    }

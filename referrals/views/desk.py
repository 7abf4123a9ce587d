"""The coordinator's desk, the start page with its referral counts, and a partner's
record of this centre's referrals."""

import datetime

from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Q, Window
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.scoping import scoped_to_center
from accounts.views import home_context
from consultations.models import Case, HandoverNote
from network.calendar_jp import add_business_days
from network.models import Organisation
from referrals.models import Referral

# Rows shown per desk section; the heading says how many there are in all.
SECTION_ROWS = 50
# The desk's "upcoming" section looks this many business days ahead.
UPCOMING_BUSINESS_DAYS = 5
# Results of referrals closed this many days back are shown.
RECENT_DAYS = 30


@permission_required("referrals.view_referral", raise_exception=True)
def desk(request):
    """The coordinator's start of the day: who waits for a partner's answer or for a
    call to the client, which follow-ups are due, overdue or coming, and how recent
    referrals ended. `?mine=1` keeps to the referrals the user coordinates."""
    today = timezone.localdate()
    mine = request.GET.get("mine") == "1"
    referrals = Referral.objects.visible_to(request.user).for_list()
    if mine:
        referrals = referrals.filter(coordinator=request.user)
    until = add_business_days(today, UPCOMING_BUSINESS_DAYS)
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    sections = {
        "waiting": _first_rows(referrals.waiting_for_answer().order_by("asked_at", "pk")),
        "accepted": _first_rows(referrals.accepted().order_by("answered_at", "pk")),
        "due_today": _first_rows(referrals.follow_up_due_on(today).order_by("pk")),
        "overdue": _first_rows(
            referrals.follow_up_overdue_on(today).order_by("follow_up_on", "pk")
        ),
        "upcoming": _first_rows(
            referrals.following_up()
            .filter(follow_up_on__gt=today, follow_up_on__lte=until)
            .order_by("follow_up_on", "pk")
        ),
        "recent": _first_rows(
            referrals.filter(
                status__in=[Referral.Status.COMPLETED, Referral.Status.DECLINED],
                closed_at__gte=since,
            ).order_by("-closed_at", "-pk")
        ),
    }
    for referral in sections["waiting"]["rows"]:
        referral.days_waiting = (today - timezone.localdate(referral.asked_at)).days
    for referral in sections["overdue"]["rows"]:
        referral.days_overdue = (today - referral.follow_up_on).days
    context = {**sections, "mine": mine, "today": today, "until": until, "shown": SECTION_ROWS}
    return render(request, "referrals/desk.html", context)


def _first_rows(referrals):
    """The section's first SECTION_ROWS referrals and its total, in one query: each row
    carries the count of the whole section (a window over the unsliced rows)."""
    rows = list(referrals.annotate(section_total=Window(Count("pk")))[:SECTION_ROWS])
    return {"rows": rows, "total": rows[0].section_total if rows else 0}


def home(request):
    """The start page: the accounts panels, the user's open cases and unread notes, and
    for those who follow referrals the desk's counts."""
    context = home_context(request)
    user = request.user
    if user.has_perm("consultations.view_case"):
        context["my_cases"] = Case.objects.visible_to(user).open().assigned_to(user).for_list()[:20]
    if user.has_perm("consultations.view_handovernote"):
        context["unread_notes"] = (
            HandoverNote.objects.visible_to(user).unread_by(user).select_related("author")[:10]
        )
    if user.has_perm("referrals.view_referral"):
        referrals = Referral.objects.visible_to(user)
        context["referral_counts"] = referrals.desk_counts(timezone.localdate())
    return render(request, "referrals/home.html", context)


@permission_required("referrals.view_referral", raise_exception=True)
def partner_record(request, pk):
    """This centre's referrals to one partner: how many, how many it accepted and
    declined (and why), and how they ended. Counts only, so restricted cases count too."""
    organisation = get_object_or_404(Organisation, pk=pk)
    referrals = scoped_to_center(Referral.objects.filter(organisation=organisation), request.user)
    record = referrals.aggregate(**_record_counts())
    answered = record["answered"]
    context = {
        "organisation": organisation,
        "record": record,
        "acceptance_rate": round(100 * record["accepted"] / answered) if answered else None,
        "declined_by_reason": [
            (label, record[f"declined_{value}"])
            for value, label in Referral.DeclineReason.choices
            if record[f"declined_{value}"]
        ],
        "outcomes": [
            (label, record[f"outcome_{value}"]) for value, label in Referral.Outcome.choices
        ],
    }
    template = "referrals/_partner_record.html"
    return render(request, f"{template}#record" if request.htmx else template, context)


def _record_counts():
    """The partner record's counts, as aggregates for one query. A referral counts once
    the partner was asked (drafts never reached it); accepted means answered and not
    declined, as Referral.was_accepted."""
    declined = Q(status=Referral.Status.DECLINED)
    completed = Q(status=Referral.Status.COMPLETED)
    counts = {
        "asked": Count("pk", filter=Q(asked_at__isnull=False)),
        "open": Count("pk", filter=Q(asked_at__isnull=False, status__in=Referral.OPEN_STATUSES)),
        "answered": Count("pk", filter=Q(answered_at__isnull=False)),
        "accepted": Count("pk", filter=Q(answered_at__isnull=False) & ~declined),
        "declined": Count("pk", filter=declined),
        "completed": Count("pk", filter=completed),
    }
    for value in Referral.DeclineReason.values:
        counts[f"declined_{value}"] = Count("pk", filter=declined & Q(decline_reason=value))
    for value in Referral.Outcome.values:
        counts[f"outcome_{value}"] = Count("pk", filter=completed & Q(outcome=value))
    return counts

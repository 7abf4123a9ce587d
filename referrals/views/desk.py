"""The coordinator's desk, the start page with its referral counts, and a partner's
record of this centre's referrals."""

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.lists import url_maker
from accounts.scoping import scoped_to_center
from accounts.views import home_context
from consultations.models import Case, HandoverNote
from network.models import Organisation
from referrals.models import Referral, desk_sections, upcoming_until

# Rows shown per desk section; the heading says how many there are in all, and a link
# opens the section alone, SECTION_PAGE_ROWS a page.
SECTION_ROWS = 10
SECTION_PAGE_ROWS = 50


def desk(request):
    """The coordinator's start of the day: who waits for a partner's answer or for a
    call to the client, which follow-ups are due, overdue or coming, and how recent
    referrals ended. `?mine=1` keeps to the referrals the user coordinates."""
    today = timezone.localdate()
    mine = request.GET.get("mine") == "1"
    referrals = Referral.objects.visible_to(request.user)
    if mine:
        referrals = referrals.filter(coordinator=request.user)
    context = {"mine": mine, "today": today, "until": upcoming_until(today), "only": None}
    only = request.GET.get("section")
    if only in desk_sections(today):
        # One section alone, paged: what its "all" link opens.
        condition, order = desk_sections(today)[only]
        listed = referrals.filter(condition).order_by(*order).for_desk()
        page = Paginator(listed, SECTION_PAGE_ROWS).get_page(request.GET.get("page"))
        sections = {only: {"rows": list(page.object_list), "total": page.paginator.count}}
        context.update(only=only, page=page, shown=SECTION_PAGE_ROWS)
    else:
        # The totals in one aggregate, then every section's first rows in one query: a
        # window count over every row of a section took 0.2 s for a section of 20,000.
        totals = referrals.desk_counts(today)
        rows = referrals.desk_rows(today, SECTION_ROWS)
        sections = {name: {"rows": rows[name], "total": totals[name]} for name in rows}
        context["shown"] = SECTION_ROWS
    referral_url = url_maker("referrals:referral-detail")
    case_url = url_maker("consultations:case-detail")
    for section in sections.values():
        for referral in section["rows"]:
            referral.detail_url = referral_url(referral.pk)
            referral.case_url = case_url(referral.case.number)
    for referral in sections.get("waiting", {}).get("rows", []):
        referral.days_waiting = (today - timezone.localdate(referral.asked_at)).days
    for referral in sections.get("overdue", {}).get("rows", []):
        referral.days_overdue = (today - referral.follow_up_on).days
    return render(request, "referrals/desk.html", {**context, **sections})


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
        counts = referrals.desk_counts(timezone.localdate())
        context["referral_counts"] = {
            name: counts[name] for name in ("waiting", "due_today", "overdue")
        }
    return render(request, "referrals/home.html", context)


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

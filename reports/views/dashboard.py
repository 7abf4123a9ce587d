"""The statistics pages: thin views over reports.statistics and reports.rollups."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from reports.exports import export_query
from reports.forms import ReportFilterForm
from reports.periods import Period
from reports.statistics import (
    Scope,
    cached_dashboard_tables,
    consultations_by_month,
    dashboard_counted_at,
    follow_up_timeliness,
    referrals_by_partner_kind,
)
from reports.tables import chart_data


def deny_without_a_centre(user):
    """Statistics are of the user's own centre unless they may see every centre."""
    if not user.has_perm("reports.view_region_statistics") and user.center_id is None:
        raise PermissionDenied


def report_scope(request):
    """The filter form and the Scope it gives, for the user asking."""
    user = request.user
    deny_without_a_centre(user)
    form = ReportFilterForm(request.GET or None, user=user)
    return form, form.scope()


def shown_tables(request, tables):
    """Each table with the rows to show this user: viewers get small counts hidden."""
    suppress = not request.user.has_perm("reports.view_exact_counts")
    shown = []
    for table in tables:
        rows = table.display_rows(suppress=suppress)
        shown.append((table, rows, chart_data(table, rows) if table.chart else None))
    return shown


def dashboard(request):
    form, scope = report_scope(request)
    counted_at = dashboard_counted_at(scope)
    may_export = request.user.has_perm("reports.export_statistics")
    suppress = not request.user.has_perm("reports.view_exact_counts")
    context = {
        "form": form,
        "scope": scope,
        "counted_at": counted_at,
        # Worked out only when the template's cache of the rendered tables misses.
        "tables": SimpleLazyObject(
            lambda: shown_tables(request, list(cached_dashboard_tables(scope)[1].values()))
        ),
        # Rendering the tables was half of the page's time: the rendered tables are
        # cached as long as the counts are, and differ by all that shapes them.
        "tables_cache_key": (export_query(scope), counted_at.isoformat(), suppress, may_export),
        "tables_cache_seconds": settings.REPORTS_CACHE_SECONDS,
        # None leaves the download links out.
        "export_query": export_query(scope) if may_export else None,
    }
    return render(request, "reports/dashboard.html", context)


def summary(request):
    """This fiscal year's key figures for the home page (loaded with htmx): the month's
    and year's consultations, partners asked and accepting, follow-ups by their date."""
    deny_without_a_centre(request.user)
    scope = Scope(Period.current_fiscal_year(), request.user.center)
    if request.user.has_perm("reports.view_exact_counts"):
        by_month = consultations_by_month(scope)
    else:
        # The year's total hidden as the dashboard hides it.
        by_month = cached_dashboard_tables(scope)[1]["by-month"]
    tables = shown_tables(
        request, [by_month, referrals_by_partner_kind(scope), follow_up_timeliness(scope)]
    )
    (_t, months, _c), (_t, referrals, _c), (_t, follow_ups, _c) = tables
    figures = {
        "this_month": months[-2][1][0] if len(months) > 1 else None,
        "this_year": months[-1][1][0],
        "asked": referrals[-1][1][0],
        "acceptance": referrals[-1][1][4],
        "on_time": follow_ups[-1][1][4],
    }
    template = "reports/_summary.html" if request.htmx else "reports/summary.html"
    return render(request, template, {"scope": scope, "figures": figures})

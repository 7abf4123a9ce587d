"""The roll-up pages: 連合's calendar-year tally, MHLW's fiscal-year count of civil
disputes, and the centre's field shares. Each reads the dashboard's filter; the first two
settle the kind of period themselves, as those who publish them do."""

from dataclasses import replace

from django.shortcuts import render
from django.utils import timezone

from reports.exports import export_query
from reports.periods import Period
from reports.rollups import lsc_field_shares, mhlw_civil_disputes, mhlw_counted_apart, rengo_tables
from reports.views.dashboard import report_scope, shown_tables


def year_scope(request, kind, default_year):
    """The filter form and its Scope, counting the year chosen (or `default_year`) as a
    period of `kind`, whatever period the form asked for."""
    form, scope = report_scope(request)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    return form, replace(scope, period=Period(kind, year or default_year))


def _render(request, template, form, scope, tables):
    may_export = request.user.has_perm("reports.export_statistics")
    context = {
        "form": form,
        "scope": scope,
        "tables": shown_tables(request, tables),
        # Of the period counted, not the one asked for; None leaves the links out.
        "export_query": export_query(scope) if may_export else None,
    }
    return render(request, template, context)


def rengo(request):
    form, scope = year_scope(request, Period.YEAR, timezone.localdate().year)
    return _render(request, "reports/rengo.html", form, scope, rengo_tables(scope))


def mhlw(request):
    form, scope = year_scope(request, Period.FISCAL_YEAR, Period.current_fiscal_year().year)
    tables = [mhlw_civil_disputes(scope), mhlw_counted_apart(scope)]
    return _render(request, "reports/mhlw.html", form, scope, tables)


def fields(request):
    form, scope = report_scope(request)
    return _render(request, "reports/fields.html", form, scope, [lsc_field_shares(scope)])

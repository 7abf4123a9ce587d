"""The statistics pages: thin views over reports.statistics and reports.rollups."""

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from reports.exports import export_query
from reports.forms import ReportFilterForm
from reports.statistics import DASHBOARD
from reports.tables import chart_data


def report_scope(request):
    """The filter form and the Scope it gives, for the user asking."""
    user = request.user
    if not user.has_perm("reports.view_region_statistics") and user.center_id is None:
        raise PermissionDenied
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


@permission_required("reports.view_statistics", raise_exception=True)
def dashboard(request):
    form, scope = report_scope(request)
    tables = [build(scope) for build in DASHBOARD.values()]
    may_export = request.user.has_perm("reports.export_statistics")
    context = {
        "form": form,
        "scope": scope,
        "tables": shown_tables(request, tables),
        # None leaves the download links out.
        "export_query": export_query(scope) if may_export else None,
    }
    return render(request, "reports/dashboard.html", context)

"""Downloads of the statistics as Excel and CSV, each written to the audit trail.

The query string is the page's filter, read by the same form, so a file holds what the
page showed: the same scope, and for viewers the same hidden counts.
"""

from django.http import Http404, HttpResponse
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import AuditEvent
from reports import exports
from reports.forms import ALL_CENTRES
from reports.rollups import ROLLUPS
from reports.statistics import DASHBOARD, dashboard_table, dashboard_tables
from reports.views.dashboard import report_scope, shown_tables

# Every table a page shows, by the slug in its export URL. The roll-up pages settle their
# period themselves and link here with it (reports.exports.export_query). A dashboard
# table is built with the others, whose hidden totals it shares.
REPORTS = {
    **{slug: lambda scope, slug=slug: dashboard_table(scope, slug) for slug in DASHBOARD},
    **ROLLUPS,
}
FORMATS = ("xlsx", "csv")


def export_table(request, slug, fmt):
    build = REPORTS.get(slug)
    if build is None or fmt not in FORMATS:
        raise Http404
    _form, scope = report_scope(request)
    [(table, rows, _chart)] = shown_tables(request, [build(scope)])
    if fmt == "csv":
        content = exports.csv_bytes(table, rows)
    else:
        content = _workbook(request, scope, [(table, rows)])
    return _download(request, content, report=slug, fmt=fmt, scope=scope)


def export_dashboard(request):
    """Every dashboard table in one workbook, one sheet each."""
    _form, scope = report_scope(request)
    shown = shown_tables(request, list(dashboard_tables(scope).values()))
    content = _workbook(request, scope, [(table, rows) for table, rows, _chart in shown])
    return _download(request, content, report="dashboard", fmt="xlsx", scope=scope)


def _suppressed(request):
    # The same test as shown_tables', which decides what the cells hold.
    return not request.user.has_perm("reports.view_exact_counts")


def _workbook(request, scope, shown):
    return exports.workbook_bytes(
        shown,
        scope=scope,
        made_by=request.user.get_username(),
        made_at=timezone.localtime(),
        suppressed=_suppressed(request),
    )


def _download(request, content, *, report, fmt, scope):
    log_action(
        action=AuditEvent.Action.EXPORT,
        user=request.user,
        request=request,
        report=report,
        format=fmt,
        period=scope.period.slug,
        center=scope.center.code if scope.center else ALL_CENTRES,
        field=scope.category.code if scope.category else "",
        suppressed=_suppressed(request),
    )
    content_type = exports.XLSX_CONTENT_TYPE if fmt == "xlsx" else exports.CSV_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    name = exports.file_name(report, scope, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Figures of a centre: not for shared caches, nor the browser's own.
    response["Cache-Control"] = "no-store"
    return response

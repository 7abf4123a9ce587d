from django.urls import path

from .views import checklist, dashboard, exports, rollups

app_name = "reports"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("summary/", dashboard.summary, name="summary"),
    path("rengo/", rollups.rengo, name="rengo"),
    path("mhlw/", rollups.mhlw, name="mhlw"),
    path("fields/", rollups.fields, name="fields"),
    path("checklist/", checklist.checklist, name="checklist"),
    # Before the single tables' pattern, which would take "dashboard" for a table's slug.
    path("export/dashboard.xlsx", exports.export_dashboard, name="export-dashboard"),
    path("export/<slug:slug>.<slug:fmt>", exports.export_table, name="export"),
]

from django.urls import path

from .views import dashboard, exports

app_name = "reports"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # Before the single tables' pattern, which would take "dashboard" for a table's slug.
    path("export/dashboard.xlsx", exports.export_dashboard, name="export-dashboard"),
    path("export/<slug:slug>.<slug:fmt>", exports.export_table, name="export"),
]

from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("access-report/", views.access_report, name="access-report"),
    path("access-report/csv/", views.access_report_csv, name="access-report-csv"),
]

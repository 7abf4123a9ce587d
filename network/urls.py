from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("", views.search, name="search"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<int:pk>/verify/", views.organisation_verify, name="organisation-verify"),
    path("services/<int:pk>/", views.service_detail, name="service-detail"),
    path("unverified/", views.unverified, name="unverified"),
]

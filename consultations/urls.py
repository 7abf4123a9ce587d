from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("new/", views.intake, name="intake"),
    path("new/address/", views.postcode_address, name="postcode-address"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/<str:number>/", views.case_detail, name="case-detail"),
    path("cases/<str:number>/edit/", views.case_edit, name="case-edit"),
    path("cases/<str:number>/notes/", views.case_add_note, name="case-add-note"),
    path("cases/<str:number>/status/", views.case_change_status, name="case-change-status"),
    path("cases/<str:number>/close/", views.case_close, name="case-close"),
    path("cases/<str:number>/reopen/", views.case_reopen, name="case-reopen"),
    path("clients/<int:pk>/", views.client_detail, name="client-detail"),
    path("clients/<int:pk>/edit/", views.client_edit, name="client-edit"),
    path("clients/<int:pk>/consents/new/", views.consent_create, name="consent-create"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent-withdraw"),
    path("notes/", views.handover_notes, name="handover-notes"),
    path("notes/<int:pk>/read/", views.handover_note_acknowledge, name="handover-note-read"),
]

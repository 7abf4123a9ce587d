from django.urls import path

from .views import desk, partner, provisions, referral

app_name = "referrals"

urlpatterns = [
    path("referrals/", desk.desk, name="desk"),
    path("referrals/new/<str:number>/", referral.referral_create, name="referral-create"),
    path("referrals/<int:pk>/", referral.referral_detail, name="referral-detail"),
    path("referrals/<int:pk>/ask/", referral.referral_ask, name="referral-ask"),
    path("referrals/<int:pk>/send-link/", partner.referral_send_link, name="referral-send-link"),
    path("referrals/<int:pk>/answer/", referral.referral_record_answer, name="referral-answer"),
    path("referrals/<int:pk>/referred/", referral.referral_mark_referred, name="referral-referred"),
    path("referrals/<int:pk>/follow-ups/", referral.referral_follow_up, name="referral-follow-up"),
    path("referrals/<int:pk>/cancel/", referral.referral_cancel, name="referral-cancel"),
    path("referrals/<int:pk>/sheet/", referral.sheet_edit, name="sheet-edit"),
    path("referrals/<int:pk>/sheet/approve/", referral.sheet_approve, name="sheet-approve"),
    path("referrals/<int:pk>/sheet/print/", referral.sheet_print, name="sheet-print"),
    path("referrals/cases/<str:number>/", referral.case_referrals, name="case-referrals"),
    path("referrals/clients/<int:pk>/", referral.client_referrals, name="client-referrals"),
    path("referrals/partners/<int:pk>/record/", desk.partner_record, name="partner-record"),
    path(
        "referrals/clients/<int:pk>/provisions/",
        provisions.provision_list,
        name="provision-list",
    ),
    path(
        "referrals/clients/<int:pk>/provisions/export/",
        provisions.provision_export,
        name="provision-export",
    ),
    # The partner's page: no login, the token is the key (see PartnerLink).
    path("r/<str:token>/", partner.partner_answer, name="partner-answer"),
]

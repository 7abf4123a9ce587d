from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="member-list"),
    path("new/", views.member_create, name="member-create"),
    path("arrears/", views.fee_arrears, name="fee-arrears"),
    path("dues/", views.dues, name="dues"),
    path("benefits/", views.benefit_list, name="benefit-list"),
    path("export.csv", views.member_export, {"fmt": "csv"}, name="member-export-csv"),
    path("export.xlsx", views.member_export, {"fmt": "xlsx"}, name="member-export-xlsx"),
    path("import/", views.member_import, name="member-import"),
    path("import/confirm/", views.member_import_confirm, name="member-import-confirm"),
    path("<str:number>/", views.member_detail, name="member-detail"),
    path("<str:number>/edit/", views.member_update, name="member-update"),
    path("<str:number>/renew/", views.member_renew, name="member-renew"),
    path("<str:number>/payments/new/", views.payment_create, name="payment-create"),
    path("<str:number>/leave/", views.member_leave, name="member-leave"),
    path("<str:number>/fees/<int:year>/waive/", views.fee_waive, name="fee-waive"),
    path("<str:number>/card/", views.member_card, name="member-card"),
]

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts.views import alive
from referrals.views import desk as referrals_desk

admin.site.site_header = _("Lifesupport back office")
admin.site.site_title = _("Lifesupport back office")
admin.site.index_title = _("Back office")

handler403 = "accounts.views.permission_denied"
handler500 = "accounts.views.server_error"

urlpatterns = [
    path("", referrals_desk.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("alive/", alive, name="alive"),
    path("accounts/", include("accounts.urls")),
    path("network/", include("network.urls")),
    path("members/", include("members.urls")),
    path("consultations/", include("consultations.urls")),
    path("", include("referrals.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts import views as accounts_views
from referrals.views import desk as referrals_desk

admin.site.site_header = _("Lifesupport back office")
admin.site.site_title = _("Lifesupport back office")
admin.site.index_title = _("Back office")

handler403 = "accounts.views.permission_denied"
handler500 = "accounts.views.server_error"

urlpatterns = [
    path("", referrals_desk.home, name="home"),
    path("login/", accounts_views.PasswordStepView.as_view(), name="login"),
    path("login/code/", accounts_views.login_code, name="login-code"),
    path("account/two-factor/", accounts_views.two_factor_setup, name="two-factor-setup"),
    path("account/two-factor/backup-codes/", accounts_views.backup_codes, name="backup-codes"),
    path("logout/", accounts_views.LogoutView.as_view(), name="logout"),
    path("password/", accounts_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Reset by e-mail: the page always says "sent"; a link works once, for an hour.
    path(
        "password/reset/",
        # Links in e-mails use SITE_URL, never the request's Host header.
        auth_views.PasswordResetView.as_view(extra_email_context={"site_url": settings.SITE_URL}),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        accounts_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("alive/", accounts_views.alive, name="alive"),
    path("accounts/", include("accounts.urls")),
    path("network/", include("network.urls")),
    path("members/", include("members.urls")),
    path("consultations/", include("consultations.urls")),
    path("", include("referrals.urls")),
    path("privacy/", include("privacy.urls")),
    path("reports/", include("reports.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

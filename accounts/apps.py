from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Staff and centres")

    def ready(self):
        # Connects the login, failed-login, lockout and logout receivers, and the session
        # registry's.
        from . import audit, sessions  # noqa: F401


# Through the module: an AdminConfig imported here would count as this app's config too.
class BackOfficeConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with the second factor required (accounts.sites)."""

    default = False  # "accounts" in INSTALLED_APPS means AccountsConfig
    default_site = "accounts.sites.BackOfficeSite"

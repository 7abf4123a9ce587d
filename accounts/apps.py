from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Staff and centres")

    def ready(self):
        # Connects the login, failed-login and logout receivers.
        from . import audit, sessions  # noqa: F401

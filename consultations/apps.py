from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultations")

    def ready(self):
        # Connects the receivers that forget the cached topic and place choices.
        from consultations import forms  # noqa: F401

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Uploads through the back office stop here; larger files go through manage.py import_hsds.
MAX_UPLOAD_MB = 20


class HSDSUploadForm(forms.Form):
    file = forms.FileField(
        label=_("HSDS file (JSON)"),
        help_text=_("An HSDS 3.0 JSON file in UTF-8, e.g. one downloaded here."),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and save nothing"), required=False
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise ValidationError(
                _(
                    "The file is larger than %(size)d MB. Split it, or ask the system "
                    "administrator to import it with manage.py import_hsds."
                ),
                params={"size": MAX_UPLOAD_MB},
                code="too_large",
            )
        return file

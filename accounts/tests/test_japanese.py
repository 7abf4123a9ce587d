import pytest
from django.core.exceptions import ValidationError

from accounts.japanese import (
    format_phone,
    normalize_kana,
    normalize_phone,
    normalize_phone_digits,
    normalize_postcode,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("やまだ　はなこ", "ヤマダ ハナコ"),
        ("ﾔﾏﾀﾞ ﾊﾅｺ", "ヤマダ ハナコ"),
        ("ヤマダ  ハナコ ", "ヤマダ ハナコ"),
        ("さいとう ゆうこ", "サイトウ ユウコ"),
        ("ヴァイオレット・エヴァーガーデン", "ヴァイオレット・エヴァーガーデン"),
        ("", ""),
    ],
)
def test_kana_is_stored_as_full_width_katakana(typed, stored):
    assert normalize_kana(typed) == stored


@pytest.mark.parametrize("typed", ["山田 花子", "Yamada", "やまだ1"])
def test_kana_rejects_anything_but_kana(typed):
    with pytest.raises(ValidationError) as error:
        normalize_kana(typed)
    assert error.value.code == "invalid_kana"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("9200853", "920-0853"),
        ("〒９２０－０８５３", "920-0853"),
        ("920ー0853", "920-0853"),
        ("", ""),
    ],
)
def test_postcode_is_stored_as_three_dash_four(typed, stored):
    assert normalize_postcode(typed) == stored


@pytest.mark.parametrize("typed", ["920-085", "92000853", "abc-defg"])
def test_postcode_rejects_other_than_seven_digits(typed):
    with pytest.raises(ValidationError):
        normalize_postcode(typed)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("０９０－１２３４－５６７８", "090-1234-5678"),
        ("076 231 7700", "076-231-7700"),
        ("(076)231-7700", "076-231-7700"),
        ("07612345678", "07612345678"),
        ("060-1234-5678", "060-1234-5678"),
        ("0761ー22ー7700", "0761-22-7700"),
    ],
)
def test_phone_is_stored_half_width_with_its_hyphens(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize("typed", ["123-4567-8901", "090-1234", "090-1234-5678 内線3", "0120-abc"])
def test_phone_rejects_what_cannot_be_dialled(typed):
    with pytest.raises(ValidationError):
        normalize_phone(typed)


@pytest.mark.parametrize(
    ("typed", "digits", "shown"),
    [
        ("０７６－２３１－７７００", "0762317700", "076-231-7700"),
        ("090 1234 5678", "09012345678", "090-1234-5678"),
        ("06012345678", "06012345678", "060-1234-5678"),
        ("0761-22-7700", "0761227700", "0761-22-7700"),
        ("0120-123-456", "0120123456", "0120-123-456"),
    ],
)
def test_phone_digits_are_stored_and_shown_grouped(typed, digits, shown):
    assert normalize_phone_digits(typed) == digits
    assert format_phone(digits) == shown

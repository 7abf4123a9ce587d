import pytest
from django.core.exceptions import ValidationError

from accounts.fields import KanaField, PhoneField, PostcodeField


def test_form_fields_take_the_typed_form_and_give_the_stored_one():
    assert PostcodeField(max_length=8).formfield().clean("〒９２４－０８８５") == "924-0885"
    assert PhoneField(max_length=20).formfield().clean("０７６ ２７５ ００００") == "076-275-0000"
    assert KanaField(max_length=100).formfield().clean("ﾔﾏﾀﾞ はなこ") == "ヤマダ ハナコ"


def test_optional_fields_stay_empty():
    assert PostcodeField(max_length=8, blank=True).formfield().clean("") == ""


def test_form_fields_refuse_in_japanese():
    with pytest.raises(ValidationError) as error:
        PhoneField(max_length=20).formfield().clean("090-1234")
    assert error.value.messages == [
        "電話番号は0で始まる10桁か11桁の数字で入力してください（例：076-123-4567）。"
    ]


def test_the_stored_form_must_still_fit():
    # Normalised first, then checked against max_length.
    with pytest.raises(ValidationError):
        KanaField(max_length=3).formfield().clean("やまだ はなこ")


def test_model_fields_normalise_in_to_python_and_keep_none():
    assert PostcodeField(max_length=8).to_python("９２４０８８５") == "924-0885"
    assert PostcodeField(max_length=8, null=True).to_python(None) is None

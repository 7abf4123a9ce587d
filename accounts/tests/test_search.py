import pytest

from accounts.search import search_key, search_terms


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("ろうきん", "ロウキン"),
        ("ﾛｳｷﾝ", "ロウキン"),
        ("ヤマダ　ハナコ", "ヤマダハナコ"),
        ("ＡＢＣ１２３", "abc123"),
        # Control characters never reach a query (PostgreSQL refuses a NUL).
        ("やま\x00だ\x07", "ヤマダ"),
    ],
)
def test_search_keys_fold_kana_width_case_spaces_and_controls(typed, key):
    assert search_key(typed) == key


def test_search_terms_are_the_words_as_keys():
    assert search_terms("やまだ　ﾊﾅｺ  \x00 ") == ["ヤマダ", "ハナコ"]

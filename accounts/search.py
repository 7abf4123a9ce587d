"""Search keys that match Japanese text however it was typed.

Staff type ろうきん, ロウキン or ﾛｳｷﾝ for the same partner, and digits in full or half
width. Both the stored key and the query go through `search_key`, so a plain
`contains` lookup matches them all on SQLite and PostgreSQL alike.
"""

import unicodedata

import jaconv


def search_key(text: str) -> str:
    """Fold width (NFKC), hiragana to katakana and case; drop all whitespace and control
    characters (PostgreSQL refuses a NUL in a query)."""
    text = jaconv.hira2kata(unicodedata.normalize("NFKC", text or "")).casefold()
    return "".join(ch for ch in "".join(text.split()) if unicodedata.category(ch) != "Cc")


def search_terms(query: str) -> list[str]:
    """The query's words as search keys; every word must match (AND)."""
    words = unicodedata.normalize("NFKC", query or "").split()
    return [key for key in map(search_key, words) if key]

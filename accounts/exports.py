"""What every export of personal data shares."""

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection);
# NUL is here too, as some programs cut a cell at it (security.md row 26).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


def defused(text):
    """`text` quoted with an apostrophe when a spreadsheet would run it as a formula."""
    return "'" + text if text[:1] in FORMULA_STARTS else text

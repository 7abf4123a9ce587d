import os
import shutil
import subprocess
import sys

import polib
from django.conf import settings

from tests.helpers import require_program

CATALOGUE = settings.BASE_DIR / "locale" / "ja" / "LC_MESSAGES" / "django.po"


def test_the_japanese_catalogue_is_complete():
    catalogue = polib.pofile(CATALOGUE)
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    assert [entry.msgid for entry in catalogue.obsolete_entries()] == []


def translations(catalogue):
    return {
        entry.msgid: entry.msgstr or entry.msgstr_plural[0] for entry in catalogue if entry.msgid
    }


def test_the_compiled_catalogue_matches_the_source():
    source = translations(polib.pofile(CATALOGUE))
    compiled = translations(polib.mofile(CATALOGUE.with_suffix(".mo")))
    assert compiled == source, "run `make messages` to recompile django.mo"


def test_the_catalogue_holds_every_string_in_the_code(tmp_path):
    """Extract the strings afresh (as `make messages` does) in a copy of the project."""
    require_program("xgettext")
    copy = tmp_path / "project"
    shutil.copytree(
        settings.BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(".venv", ".git", "var", "staticfiles", "node_modules"),
    )
    (copy / "var").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "ja", "--no-obsolete"],
        cwd=copy,
        env={**os.environ, "DJANGO_DEBUG": "true", "DATABASE_URL": "sqlite:///:memory:"},
        check=True,
        capture_output=True,
        timeout=120,
    )
    fresh = polib.pofile(copy / CATALOGUE.relative_to(settings.BASE_DIR))
    extracted = {entry.msgid for entry in fresh}
    committed = {entry.msgid for entry in polib.pofile(CATALOGUE)}
    assert sorted(extracted - committed) == [], "new strings: `make messages`, then translate"
    assert sorted(committed - extracted) == [], "strings no longer used: `make messages`"

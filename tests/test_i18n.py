"""The zh_Hans catalog is complete, not fuzzy, compiled, and covers every msgid in the code."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _key(entry):
    return (entry.msgctxt, entry.msgid)


def test_every_entry_is_translated_and_none_is_fuzzy():
    catalog = polib.pofile(str(CATALOG))
    untranslated = [entry.msgid for entry in catalog if not entry.translated()]
    fuzzy = [entry.msgid for entry in catalog if "fuzzy" in entry.flags]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def test_compiled_catalog_matches_the_po_file():
    catalog = {_key(entry): entry.msgstr for entry in polib.pofile(str(CATALOG)) if entry.msgid}
    compiled = {_key(entry): entry.msgstr for entry in polib.mofile(str(CATALOG.with_suffix(".mo"))) if entry.msgid}
    assert compiled == catalog, "run `make messages` to compile locale/zh_Hans/LC_MESSAGES/django.mo"


def test_catalog_covers_every_msgid_in_the_code(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", ".git", "tests", "bench", "media", "*.sqlite3", "__pycache__"),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location", "--ignore=.venv"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    fresh = {_key(entry) for entry in polib.pofile(str(copy / "locale/zh_Hans/LC_MESSAGES/django.po")) if entry.msgid}
    ours = {_key(entry) for entry in polib.pofile(str(CATALOG)) if entry.msgid and not entry.obsolete}
    assert fresh - ours == set(), "run `make messages` and translate the new entries"


def test_no_translated_word_hides_inside_an_f_string():
    """xgettext does not read inside an f-string: a word marked there never reaches the catalog
    and prints in English (the passbook's heading did)."""
    inside = re.compile(r"""\bf(["'])[^"'\n]*\{\s*(_|gettext|pgettext|ngettext)\(""")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("config", "federation", "points", "health", "aid", "crafts")
        for path in (ROOT / folder).rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if inside.search(line)
    ]
    assert not found, f"translated words inside f-strings: {found}"

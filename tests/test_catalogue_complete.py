"""Every string the project's own code and templates mark for translation is in both Chinese
catalogues, translated: read the way ``makemessages`` reads them (the tool that keeps the
third-party strings current does the reading), so a string added without ``make messages``
fails here rather than showing in English to a Chinese reader."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.test_i18n import CATALOGUES, parse_po
from tools import third_party_strings as tool

ROOT = Path(settings.BASE_DIR)
# What ``make messages`` leaves out (--ignore), and what holds no strings of the product.
SKIPPED = {
    "tests",
    "benchmarks",
    "migrations",
    "static",
    "staticfiles",
    "locale",
    "var",
    "node_modules",
}


def project_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT)
        if any(part.startswith(".") for part in relative.parts):  # .venv, .git: as makemessages
            continue
        if SKIPPED.intersection(relative.parts[:-1]) or not path.is_file():
            continue
        if path.suffix == ".py" or path.suffix in tool.TEMPLATE_SUFFIXES:
            files.append(path)
    return files


@pytest.fixture(scope="module")
def marked() -> dict[tuple[str | None, str], tuple[str, str | None]]:
    """(context, msgid) → (the first file marking it, its plural)."""
    found: dict[tuple[str | None, str], tuple[str, str | None]] = {}
    for path in project_files():
        source = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            messages = tool.python_messages(source)
        else:
            messages = tool.template_messages(source)
        for message in messages:
            key = (message.context, message.msgid)
            if key not in found or found[key][1] is None:
                found[key] = (str(path.relative_to(ROOT)), message.plural)
    return found


def test_the_reading_finds_strings_of_code_and_templates(marked):
    # Guards the test itself: a reading that finds nothing would pass.
    files = {where for where, _ in marked.values()}
    assert any(f.endswith(".py") for f in files)
    assert any(f.endswith(".html") for f in files)
    assert (None, "Deadlines met (%%)") in marked  # a template's % is doubled, as makemessages
    assert (None, "Deadlines met (%)") in marked  # and Python's is not


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_every_marked_string_is_translated(marked, lang):
    catalogue = {
        (e.get("msgctxt"), e["msgid"]): e for e in parse_po(CATALOGUES[lang] / "django.po")
    }
    missing = []
    for key, (where, plural) in sorted(marked.items(), key=lambda kv: kv[1][0]):
        entry = catalogue.get(key)
        if (
            entry is None
            or not all(entry["msgstr"])
            or "fuzzy" in entry.get("flags", set())
            or (plural is not None and entry.get("msgid_plural") != plural)
        ):
            missing.append(f"{where}: {key[1]!r}")
    assert missing == [], "run `make messages` and translate:\n" + "\n".join(missing)

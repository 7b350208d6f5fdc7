"""config/third_party_strings.py lists what the installed viewflow, django-filter and django-axes
show, and both Chinese catalogues translate all of it."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from tests.test_i18n import CATALOGUES, parse_po
from tools import third_party_strings as tool

MODULE = Path(settings.BASE_DIR) / "config" / "third_party_strings.py"


def listed_messages() -> list[tuple[str | None, str, str | None]]:
    """(context, msgid, plural) of every entry of the checked-in module, read without importing."""
    functions = {
        "gettext_noop": ("msgid",),
        "ngettext_lazy": ("msgid", "plural"),
        "pgettext_lazy": ("context", "msgid"),
        "npgettext_lazy": ("context", "msgid", "plural"),
    }
    module = ast.parse(MODULE.read_text(encoding="utf-8"))
    strings = next(
        node.value
        for node in module.body
        if isinstance(node, ast.Assign) and node.targets[0].id == "STRINGS"
    )
    listed = []
    for call in strings.elts:
        fields = dict(zip(functions[call.func.id], (a.value for a in call.args), strict=False))
        listed.append((fields.get("context"), fields["msgid"], fields.get("plural")))
    return listed


@pytest.fixture(scope="module")
def generated():
    """What the tool makes of the installed packages (read once: it parses their sources)."""
    return tool.catalogue()


def test_module_is_what_the_installed_packages_generate(generated):
    expected = tool.render(generated)

    current = MODULE.read_text(encoding="utf-8")

    assert current == expected, (
        "config/third_party_strings.py does not match the installed viewflow, django-filter "
        "and django-axes: run `make messages`, translate any new string, and commit the result"
    )


def test_module_lists_every_message_once_with_its_plural(generated):
    listed = listed_messages()

    assert listed == [(m.context, m.msgid, m.plural) for ms in generated.values() for m in ms]
    assert len({(context, msgid) for context, msgid, _ in listed}) == len(listed)
    assert (None, "Inbox", None) in listed
    assert ("STATUS", "Done", None) in listed
    assert any(plural and "Export the %(objects_count)s" in plural for _, _, plural in listed)


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_every_listed_message_is_translated(lang):
    catalogue = {
        (e.get("msgctxt"), e["msgid"]): e for e in parse_po(CATALOGUES[lang] / "django.po")
    }

    missing, wrong_plural, untranslated = [], [], []
    for context, msgid, plural in listed_messages():
        entry = catalogue.get((context, msgid))
        if entry is None:
            missing.append(msgid)
        elif entry.get("msgid_plural") != plural:
            wrong_plural.append(msgid)
        elif not all(entry["msgstr"]) or "fuzzy" in entry["flags"]:
            untranslated.append(msgid)

    assert missing == [], "run `make messages`"
    assert wrong_plural == []
    assert untranslated == []

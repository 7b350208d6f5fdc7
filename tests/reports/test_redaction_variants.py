"""Redaction by meaning: each withheld value, typed into free text in other spellings than
its field holds (a phone number with other separators, an e-mail in other case, a name in
another order, spacing, case or script), is found in no member of the bundle and in no PDF
of the profile that withholds it, in any language."""

import io
import re

import pytest

from reports import services
from reports.casefile import Profile
from reports.pdf import render_casefile_pdf
from reports.selectors import build_casefile
from tests.reports.conftest import pdf_text, zip_members
from tests.reports.full_case import VARIANTS, walk_everything

# How a leak is recognised, whatever its spelling: a phone number by its digits with
# anything short between them; anything else with spaces, hyphens, dots and case ignored.
PHONE = re.compile(r"6\D{0,4}1\D{0,4}2\D{0,4}3\D{0,4}4\D{0,4}5\D{0,4}6\D{0,4}7")
MARKS = {
    "customer phone": [],
    "customer e-mail": ["wongsfexamplecom"],
    "customer name": ["wongsiufong", "siufongwong", "黃小芳", "黄小芳"],
    "subject name": ["chantaiman", "taimanchan", "陳大文", "陈大文"],
    "witness name": ["leekayan", "kayanlee", "李家欣"],
    "reporter": ["tipstermei", "meitipster"],
}
WITHHELD_FROM = {
    Profile.REGULATOR: ["customer phone", "customer e-mail", "reporter"],
    Profile.BULLETIN: list(MARKS),
}


def _plain(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _leaks(text: str, families: list[str]) -> list[str]:
    plain = _plain(text)
    found = []
    for family in families:
        if family == "customer phone" and PHONE.search(text):
            found.append(f"{family}: {PHONE.search(text).group()!r}")
        found += [f"{family}: {mark}" for mark in MARKS[family] if mark in plain]
    return found


@pytest.fixture
def full_case(walk, world, signing_key):
    return walk_everything(walk, world)


def _places(case, world, profile) -> dict[str, str]:
    """Every member of the profile's bundle (PDFs as their text) and its PDF in each
    language."""
    places = {}
    for lang in ("en", "zh-hant"):
        buf = io.BytesIO()
        services.bundle_export(case=case, actor=world.auditor, dest=buf, profile=profile, lang=lang)
        for name, data in zip_members(buf.getvalue()).items():
            places[f"{lang} bundle: {name}"] = (
                pdf_text(data) if name.endswith(".pdf") else data.decode("utf-8", "replace")
            )
    casefile = build_casefile(case, profile=profile, viewer=world.auditor)
    for lang in ("en", "zh-hant", "zh-hans"):
        places[f"{lang} PDF"] = pdf_text(render_casefile_pdf(casefile, lang=lang))
    return places


def test_the_free_text_spells_every_withheld_value_otherwise(full_case, world):
    """The test is worth something only if the variants are there to be found."""
    places = _places(full_case, world, Profile.INTERNAL)
    text = places["en PDF"]
    for family in MARKS:
        assert _leaks(text, [family]), family
    for family, variants in VARIANTS.items():
        for variant in variants:
            assert _plain(variant) in _plain(text), (family, variant)


@pytest.mark.parametrize("profile", [Profile.REGULATOR, Profile.BULLETIN])
def test_no_spelling_of_a_withheld_value_reaches_the_bundle_or_a_pdf(full_case, world, profile):
    places = _places(full_case, world, profile)

    assert {
        "en bundle: case.json",
        "en bundle: events.json",
        "zh-hant bundle: casefile.pdf",
    } <= set(places)
    for where, text in places.items():
        assert _leaks(text, WITHHELD_FROM[profile]) == [], where
    if profile == Profile.REGULATOR:
        # The regulator still reads who the case is about, and the customer's name.
        assert _leaks(places["en PDF"], ["subject name", "customer name", "witness name"])


@pytest.mark.parametrize("profile", [Profile.REGULATOR, Profile.BULLETIN])
def test_the_withheld_marker_is_in_the_files_language_in_every_section(full_case, world, profile):
    """Free text with a withheld value inside ("Call [withheld]") and fields withheld whole
    print one marker per language: no "[withheld]" beside "[已隱去]"."""
    casefile = build_casefile(full_case, profile=profile, viewer=world.auditor)
    words = {"en": "[withheld]", "zh-hant": "[已隱去]", "zh-hans": "[已隐去]"}
    for lang, marker in words.items():
        text = pdf_text(render_casefile_pdf(casefile, lang=lang))
        squeezed = text.replace(" ", "")
        assert squeezed.count(marker) >= 3, lang
        for other in set(words.values()) - {marker}:
            assert other not in squeezed, (lang, other)

"""The case file embeds its one font (a subset of it) and every script reads back.

Before, the file named MSung-Light, STSong-Light and Helvetica without embedding them: a
reader without Asian fonts showed boxes, and Simplified characters fell out of English and
Traditional files ("客户投诉柜台职员态度恶劣" came out as "客户投  柜台  度  劣")."""

import shutil
import subprocess

import pytest

from reports.casefile import Profile
from reports.pdf import render_casefile_pdf
from reports.pdf.fonts import FONT_FILE
from reports.selectors import build_casefile
from tests.reports.pdfcheck import body_text, font_files, squeeze, with_description

SIMPLIFIED = "客户投诉柜台职员态度恶劣"
TRADITIONAL = "客戶投訴櫃檯職員態度惡劣"
LATIN = "Ms Chan Tai-man (S0001) — café, naïve, Zoë, Łódź, €1,200.50"
HONG_KONG = "嘅咗喺冇啲嚟"  # Cantonese characters of HKSCS
DESCRIPTION = f"{SIMPLIFIED}。{TRADITIONAL}。{LATIN}。{HONG_KONG}。"
LANGS = ["en", "zh-hant", "zh-hans"]


@pytest.fixture
def casefile(closed_case, world):
    casefile = build_casefile(closed_case, profile=Profile.INTERNAL, viewer=world.auditor)
    return with_description(casefile, DESCRIPTION)


@pytest.fixture
def files(casefile):
    return {lang: render_casefile_pdf(casefile, lang=lang) for lang in LANGS}


def test_every_font_is_embedded_truetype(files):
    for lang, data in files.items():
        fonts = font_files(data)
        assert fonts, lang
        for name, program in fonts.items():
            assert program == "/FontFile2", (lang, name)  # TrueType, embedded
            assert name.split("+")[1].startswith("WenQuanYiMicroHei"), (lang, name)
            assert len(name.split("+")[0]) == 7, (lang, name)  # "/ABCDEF+": a subset


def test_the_font_is_a_subset(files):
    """The file carries the glyphs it uses, not the 5 MB collection."""
    assert FONT_FILE.stat().st_size > 5_000_000
    for data in files.values():
        assert len(data) < 400_000


@pytest.mark.parametrize("lang", LANGS)
def test_simplified_traditional_and_latin_read_back_in_every_language(files, lang):
    text = body_text(files[lang])

    for phrase in (SIMPLIFIED, TRADITIONAL, LATIN, HONG_KONG):
        assert squeeze(phrase) in text, phrase


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils not installed")
def test_pdffonts_says_every_font_is_embedded(files, tmp_path):
    for lang, data in files.items():
        path = tmp_path / f"{lang}.pdf"
        path.write_bytes(data)
        out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
        rows = out.stdout.splitlines()[2:]
        assert rows, lang
        for row in rows:
            # name, type (two words: "TrueType"), encoding, emb, sub, uni, object, generation
            assert row.split()[-5:-2] == ["yes", "yes", "yes"], row


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
@pytest.mark.parametrize("lang", LANGS)
def test_pdftotext_reads_every_script_back(files, lang, tmp_path):
    path = tmp_path / "casefile.pdf"
    path.write_bytes(files[lang])
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    text = squeeze(out.stdout)

    for phrase in (SIMPLIFIED, TRADITIONAL, LATIN, HONG_KONG):
        assert squeeze(phrase) in text, phrase


def test_right_to_left_and_emoji_print_legibly_never_as_a_replacement_character(casefile, tmp_path):
    """A symbol only the fallback face has is drawn in it, embedded; right-to-left text
    prints as a marker naming its script (reportlab cannot reorder or shape it:
    docs/casefile-pdf.md); an emoji no face has prints as its Unicode name. No U+FFFD."""
    text = "Bank 🏦 שלום עולם, مرحبا done 客户 👍🏽 ☺"

    data = render_casefile_pdf(with_description(casefile, text), lang="en")
    read = body_text(data)

    assert squeeze("Bank [BANK] [HEBREW TEXT], [ARABIC TEXT] done 客户 [THUMBS UP SIGN] ☺") in read
    assert "\ufffd" not in read
    path = tmp_path / "rtl.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    rows = fonts.splitlines()[2:]
    assert any("DejaVuSans" in row for row in rows), fonts
    assert all(row.split()[-5:-2] == ["yes", "yes", "yes"] for row in rows), fonts
    assert "\x00" not in read

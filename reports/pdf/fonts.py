"""The case file's one font family, embedded in every file.

WenQuanYi Micro Hei (``reports/fonts/wqy-microhei.ttc``, Apache License 2.0, see
``reports/fonts/README.md``) covers Latin, Simplified Chinese (all of GB 2312 and GBK) and
Traditional Chinese (all of Big Five and HKSCS) with TrueType outlines, which reportlab
embeds as a subset of the glyphs a file uses. One face for every script means an English
file can quote a Simplified description and a Traditional one a Latin name without any
character falling back to a font the reader may not have.

The collection holds a proportional face and a monospaced one (used for hashes). It has no
bold face: bold markup keeps the regular face (headings stand out by size and colour).

DejaVu Sans (``reports/fonts/DejaVuSans.ttf``, Bitstream Vera licence, see
``reports/fonts/README.md``) is the fallback face for what the first lacks: Greek, Cyrillic
and Latin beyond Micro Hei's, many symbols. A character neither face has
(most emoji) prints as its Unicode name in brackets, "[GRINNING FACE]"; invisible format
characters (joiners, direction marks, variation selectors, skin tones) are dropped.

Right-to-left text (Hebrew, Arabic, Syriac, Thaana, N'Ko) prints as a marker naming its
script, "[HEBREW TEXT]": reportlab draws glyphs in the order they are stored, so without
bidirectional reordering (its ``rlbidi`` companion, not published on PyPI) and Arabic shaping
a Hebrew or Arabic reader would see every word spelled backwards, and text extraction would
reverse it. The stored text, ``case.json`` and ``events.json`` keep it exactly
(docs/casefile-pdf.md).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_FILE = Path(__file__).resolve().parent.parent / "fonts" / "wqy-microhei.ttc"
FALLBACK_FILE = FONT_FILE.with_name("DejaVuSans.ttf")
SANS = "CaseFileSans"
FALLBACK = "CaseFileFallback"
BOLD = SANS  # no bold face in the family: bold text keeps the regular one
MONO = "CaseFileMono"

_lock = threading.Lock()
_registered = False
_missing: re.Pattern[str] | None = None
_fallback: re.Pattern[str] | None = None


def register_fonts() -> None:
    """Register the faces with reportlab, once per process (parsing the file takes ~0.1 s)."""
    global _registered, _missing, _fallback
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name, index in ((SANS, 0), (MONO, 1)):
            pdfmetrics.registerFont(TTFont(name, str(FONT_FILE), subfontIndex=index))
            pdfmetrics.registerFontFamily(
                name, normal=name, bold=name, italic=name, boldItalic=name
            )
        pdfmetrics.registerFont(TTFont(FALLBACK, str(FALLBACK_FILE)))
        pdfmetrics.registerFontFamily(
            FALLBACK, normal=FALLBACK, bold=FALLBACK, italic=FALLBACK, boldItalic=FALLBACK
        )
        main = _covered(pdfmetrics.getFont(SANS))
        # Only the Basic Multilingual Plane of the fallback: reportlab writes a character
        # beyond it (an emoji) into the text layer's map wrongly, so it would not read back.
        extra = {c for c in _covered(pdfmetrics.getFont(FALLBACK)) - main if c <= 0xFFFF}
        _missing = re.compile(f"[^\\n{_ranges(main | extra)}]")
        _fallback = re.compile(f"[{_ranges(extra)}]+")
        _registered = True


def missing_glyphs() -> re.Pattern[str]:
    """A pattern matching every character neither face has a glyph for (most emoji, scripts
    such as Devanagari). reportlab would draw such a character as a blank glyph and put a NUL
    in the text layer; the case file prints :func:`stand_in` instead. The stored text (and
    ``case.json``) keep the character."""
    register_fonts()
    assert _missing is not None
    return _missing


def fallback_runs() -> re.Pattern[str]:
    """A pattern matching runs of characters only the fallback face has (Hebrew, Arabic…)."""
    register_fonts()
    assert _fallback is not None
    return _fallback


_RTL_CHARS = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc"
# A right-to-left run: its letters and the spaces and punctuation between them.
_RTL = re.compile(f"[{_RTL_CHARS}](?:[\\s{_RTL_CHARS}]*[{_RTL_CHARS}])?")
_SCRIPTS = (
    (0x0590, 0x05FF, "HEBREW"),
    (0xFB1D, 0xFB4F, "HEBREW"),
    (0x0700, 0x074F, "SYRIAC"),
    (0x0780, 0x07BF, "THAANA"),
    (0x07C0, 0x07FF, "NKO"),
    (0x0800, 0x085F, "RIGHT-TO-LEFT"),
)


def printable(text: str) -> str:
    """``text`` as the file prints it: right-to-left runs as "[HEBREW TEXT]" or "[ARABIC
    TEXT]", characters no face has by name (:func:`stand_in`)."""
    text = _RTL.sub(_script_marker, text)
    return missing_glyphs().sub(lambda m: stand_in(m.group()), text)


def _script_marker(match: re.Match[str]) -> str:
    code = ord(match.group()[0])
    script = next((name for lo, hi, name in _SCRIPTS if lo <= code <= hi), "ARABIC")
    return f"[{script} TEXT]"


def stand_in(char: str) -> str:
    """What prints for a character no face has: its Unicode name in brackets, legible in any
    reader and read back as words; nothing for an invisible format or combining character."""
    if unicodedata.category(char) in ("Cf", "Mn", "Me", "Cs", "Co", "Cn"):
        return ""
    if 0x1F3FB <= ord(char) <= 0x1F3FF:  # a skin tone: part of the emoji before it
        return ""
    name = unicodedata.name(char, "")
    return f"[{name}]" if name else f"[U+{ord(char):04X}]"


def _covered(font: TTFont) -> set[int]:
    return {c for c in font.face.charToGlyph if c >= 0x20}


def _ranges(codes: set[int]) -> str:
    ranges: list[tuple[int, int]] = []
    for code in sorted(codes):
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)

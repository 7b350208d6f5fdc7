"""The case file's one font family, embedded in every file.

WenQuanYi Micro Hei (``reports/fonts/wqy-microhei.ttc``, Apache License 2.0, see
``reports/fonts/README.md``) covers Latin, Simplified Chinese (all of GB 2312 and GBK) and
Traditional Chinese (all of Big Five and HKSCS) with TrueType outlines, which reportlab
embeds as a subset of the glyphs a file uses. One face for every script means an English
file can quote a Simplified description and a Traditional one a Latin name without any
character falling back to a font the reader may not have.

The collection holds a proportional face and a monospaced one (used for hashes). It has no
bold face: bold markup keeps the regular face (headings stand out by size and colour).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_FILE = Path(__file__).resolve().parent.parent / "fonts" / "wqy-microhei.ttc"
SANS = "CaseFileSans"
BOLD = SANS  # no bold face in the family: bold text keeps the regular one
MONO = "CaseFileMono"

_lock = threading.Lock()
_registered = False
_missing: re.Pattern[str] | None = None


def register_fonts() -> None:
    """Register the faces with reportlab, once per process (parsing the file takes ~0.1 s)."""
    global _registered, _missing
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
        _missing = _characters_outside(pdfmetrics.getFont(SANS))
        _registered = True


def missing_glyphs() -> re.Pattern[str]:
    """A pattern matching every character the font has no glyph for (emoji, Hebrew, Arabic,
    Devanagari, …). reportlab would draw such a character as the font's blank glyph and put
    a NUL in the text layer; the case file prints U+FFFD (�) instead, which is in the font
    and reads back as what it is. The stored text (and ``case.json``) keep the character."""
    register_fonts()
    assert _missing is not None
    return _missing


def _characters_outside(font: TTFont) -> re.Pattern[str]:
    ranges: list[tuple[int, int]] = []
    for code in sorted(c for c in font.face.charToGlyph if c >= 0x20):
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    covered = "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)
    return re.compile(f"[^\\n{covered}]")

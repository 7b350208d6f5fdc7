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


def register_fonts() -> None:
    """Register the faces with reportlab, once per process (parsing the file takes ~0.1 s)."""
    global _registered
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
        _registered = True

"""Fonts of the case file.

Chinese text uses reportlab's built-in CID fonts, which need no font files: Traditional
Chinese with ``MSung-Light`` in the ``UniCNS-UCS2-H`` encoding (reportlab 5.1 pairs that
face with the GB encoding, which prints wrong characters), Simplified Chinese with
``STSong-Light`` in ``UniGB-UCS2-H``. When ``ACCOUNTABILITY["CJK_FONT_PATH"]`` names a
TrueType font, it is embedded instead. Latin text stays in Helvetica (see ``markup``).
"""

from __future__ import annotations

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase._cidfontdata import widthsByUnichar
from reportlab.pdfbase.cidfonts import CIDFont, UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

BASE = "Helvetica"
BOLD = "Helvetica-Bold"
MONO = "Courier"
HANT = "MSung-Light-CNS"
HANS = "STSong-Light"
EMBEDDED = "CaseFileCJK"


class _TraditionalChineseFont(UnicodeCIDFont):
    """MSung-Light with the CNS (Big Five) Unicode encoding it belongs with."""

    def __init__(self) -> None:
        CIDFont.__init__(self, "MSung-Light", "UniCNS-UCS2-H")
        self.language = "cht"
        self.name = self.fontName = HANT
        self.vertical = False
        self.isHalfWidth = False
        self.unicodeWidths = widthsByUnichar["MSung-Light"]


def register_fonts() -> str | None:
    """Register the CJK fonts once per process; the name of the embedded font, if any."""
    registered = pdfmetrics.getRegisteredFontNames()
    if HANT not in registered:
        pdfmetrics.registerFont(_TraditionalChineseFont())
    if HANS not in registered:
        pdfmetrics.registerFont(UnicodeCIDFont(HANS))
    path = settings.ACCOUNTABILITY.get("CJK_FONT_PATH")
    if path:
        if EMBEDDED not in registered:
            pdfmetrics.registerFont(TTFont(EMBEDDED, path))
        return EMBEDDED
    return None

"""Paragraph markup for the case file: escaping, CJK runs in the CJK font, the styles.

Every string is split into CJK and non-CJK runs, so an English file can quote a Chinese
description and vice versa.
"""

from __future__ import annotations

import copy
import re
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from .. import labels as L
from ..casefile import WITHHELD
from .fonts import BASE, BOLD, HANS, HANT, MONO

NAVY = colors.HexColor("#1F3A5F")
RULE = colors.HexColor("#C8D1DC")
SHADE = colors.HexColor("#EEF2F7")
MUTED = colors.HexColor("#5B6573")
ALERT = colors.HexColor("#9B1C1C")

# Markup that is text alone: no tag, no entity, words separated by single spaces.
_PLAIN = re.compile(r"[^\s<>&]+(?: [^\s<>&]+)*")

_CJK = re.compile(
    r"([\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
    r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+)"
)


class Writer:
    """Markup helpers bound to one language's fonts."""

    def __init__(self, lang: str, embedded: str | None) -> None:
        self.lang = lang
        self.cjk = embedded or (HANS if lang == "zh-hans" else HANT)
        self.styles = self._styles()
        self._text_frags: dict[str, object] = {}

    def _styles(self) -> dict[str, ParagraphStyle]:
        body = ParagraphStyle("body", fontName=BASE, fontSize=9, leading=12.5, splitLongWords=1)
        return {
            "body": body,
            "small": ParagraphStyle(
                "small", parent=body, fontSize=7.5, leading=10, textColor=MUTED
            ),
            "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11),
            "head": ParagraphStyle(
                "head", parent=body, fontName=BOLD, fontSize=8.5, leading=11, textColor=NAVY
            ),
            "label": ParagraphStyle(
                "label", parent=body, fontName=BOLD, fontSize=8.5, leading=11, textColor=MUTED
            ),
            "mono": ParagraphStyle("mono", parent=body, fontName=MONO, fontSize=7.2, leading=9.5),
            "h1": ParagraphStyle(
                "h1",
                parent=body,
                fontName=BOLD,
                fontSize=15,
                leading=20,
                textColor=NAVY,
                spaceBefore=4,
                spaceAfter=8,
            ),
            "h2": ParagraphStyle(
                "h2",
                parent=body,
                fontName=BOLD,
                fontSize=10.5,
                leading=14,
                textColor=NAVY,
                spaceBefore=8,
                spaceAfter=4,
            ),
            "title": ParagraphStyle(
                "title", parent=body, fontName=BOLD, fontSize=28, leading=34, textColor=NAVY
            ),
            "subtitle": ParagraphStyle(
                "subtitle", parent=body, fontSize=13, leading=18, textColor=MUTED
            ),
            "banner": ParagraphStyle(
                "banner",
                parent=body,
                fontName=BOLD,
                fontSize=10,
                leading=13,
                textColor=colors.white,
            ),
            "header": ParagraphStyle(
                "header", parent=body, fontSize=7.5, leading=9, textColor=MUTED
            ),
            "header_r": ParagraphStyle(
                "header_r",
                parent=body,
                fontSize=7.5,
                leading=9,
                textColor=MUTED,
                alignment=TA_RIGHT,
            ),
            "toc": ParagraphStyle("toc", parent=body, fontSize=10, leading=16),
        }

    def mk(self, value) -> str:
        """Escape text for Paragraph markup and put CJK runs in the CJK font."""
        if value is None or value == "":
            return "—"
        s = str(value)
        if s == WITHHELD:
            s = f"[{L.text('withheld')}]"
        out = []
        for i, part in enumerate(_CJK.split(s)):
            if not part:
                continue
            part = escape(part).replace("\n", "<br/>")
            out.append(f'<font name="{self.cjk}">{part}</font>' if i % 2 else part)
        return "".join(out)

    def p(self, value, style: str = "cell") -> Paragraph:
        return self.raw(self.mk(value), style)

    def raw(self, markup: str, style: str = "cell") -> Paragraph:
        if _PLAIN.fullmatch(markup):
            # Most cells are text alone (dates, numbers, names, hashes). The markup parser would
            # make of it the style's one fragment holding the text: make that directly.
            frag = copy.copy(self._text_frag(style))
            frag.text = markup
            return Para(markup, self.styles[style], frags=[frag])
        return Para(markup, self.styles[style])

    def _text_frag(self, style: str):
        if style not in self._text_frags:
            (self._text_frags[style],) = Paragraph("x", self.styles[style]).frags
        return self._text_frags[style]


class Para(Paragraph):
    """A paragraph that breaks its lines once per width.

    A table wraps every cell to size its rows, again when it splits across a page, and again
    to draw it; the lines come out the same each time, so the last result is kept and given
    back while the width stays the same (and ``split`` has not discarded it)."""

    _wrapped_at = None

    def wrap(self, availWidth, availHeight):
        if availWidth == self._wrapped_at and "blPara" in self.__dict__:  # split() drops it
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        if availWidth >= rl_config._FUZZ:
            self._wrapped_at = availWidth
        return size


def when(value) -> str:
    """A date, or a date and time in the local zone, as the file prints it."""
    if value is None:
        return "—"
    if hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()

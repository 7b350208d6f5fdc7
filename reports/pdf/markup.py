"""Paragraph markup for the case file: escaping, line breaking, the styles.

One embedded font covers Latin and Chinese (see ``fonts``); runs of what only the fallback
face has (Greek, Cyrillic, symbols) are put in it with a font tag. A paragraph holding CJK text is broken with reportlab's CJK rules (a line may
end between any two Han characters, Latin words stay whole); other text is broken at spaces.
Either way a word wider than the line (a URL, 10,000 characters without a space) is broken
wherever it must, and every paragraph can split across pages.
"""

from __future__ import annotations

import copy
import re
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from .. import labels as L
from ..casefile import WITHHELD
from .fonts import (
    BOLD,
    FALLBACK,
    MONO,
    SANS,
    fallback_runs,
    printable,
    register_fonts,
)

NAVY = colors.HexColor("#1F3A5F")
RULE = colors.HexColor("#C8D1DC")
SHADE = colors.HexColor("#EEF2F7")
MUTED = colors.HexColor("#5B6573")
ALERT = colors.HexColor("#9B1C1C")

# Markup that is text alone: no tag, no entity, words separated by single spaces.
_PLAIN = re.compile(r"[^\s<>&]+(?: [^\s<>&]+)*")

# Characters a line may break around the CJK way (Han, kana, CJK punctuation, full width).
_CJK = re.compile(
    r"([\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
    r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+)"
)


# Control characters other than the line break: printed as a space (the parser and the PDF's
# text would otherwise carry them through as invisible glyphs or drop the text around them).
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\ufffe\uffff]")


class Writer:
    """Markup helpers bound to one language's fonts."""

    def __init__(self, lang: str) -> None:
        register_fonts()
        self.lang = lang
        self._fallback = fallback_runs()
        self.styles = self._styles()
        # The same styles, breaking lines the CJK way, for paragraphs that hold CJK text.
        self.cjk_styles = {
            name: ParagraphStyle(f"{name}-cjk", parent=style, wordWrap="CJK")
            for name, style in self.styles.items()
        }
        self._text_frags: dict[str, object] = {}

    def _styles(self) -> dict[str, ParagraphStyle]:
        body = ParagraphStyle("body", fontName=SANS, fontSize=9, leading=12.5, splitLongWords=1)
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
                keepWithNext=1,
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
                keepWithNext=1,
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
        """Escape text for Paragraph markup; a line break stays a line break; "[withheld]"
        (alone or inside free text) is in the file's language; a character only the fallback
        face has is drawn in it; right-to-left text and a character neither face has print as a
        marker (see ``fonts.printable``)."""
        if value is None or value == "":
            return "—"
        s = str(value)
        # A marker a redactor left inside free text reads as the marker a field shows.
        s = f"[{L.text('withheld')}]" if s == WITHHELD else L.markers(s)
        s = _CONTROL.sub(" ", s.replace("\r\n", "\n").replace("\r", "\n"))
        s = printable(s)
        markup = escape(s).replace("\n", "<br/>")
        # Hebrew, Arabic and other characters only the fallback face has: drawn in it.
        return self._fallback.sub(lambda m: f'<font name="{FALLBACK}">{m.group()}</font>', markup)

    def p(self, value, style: str = "cell") -> Paragraph:
        return self.raw(self.mk(value), style)

    def raw(self, markup: str, style: str = "cell") -> Paragraph:
        if _CJK.search(markup):
            return Para(markup, self.cjk_styles[style])
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
    """A paragraph that breaks its lines once per width, however often it splits.

    A table wraps every cell to size its rows, again when it splits across a page, and again
    to draw it; the lines come out the same each time, so the last result is kept and given
    back while the width stays the same (and ``split`` has not discarded it).

    When the paragraph splits across a page, reportlab makes the second part from the
    remaining words and breaks its lines again, so text of N pages is broken N times over
    (quadratic: a 200,000-character description took 14 s). The lines of the second part are
    the lines already broken, so it is handed them, for the width it was broken at."""

    _wrapped_at = None

    def wrap(self, availWidth, availHeight):
        if availWidth == self._wrapped_at and "blPara" in self.__dict__:  # split() drops it
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        if availWidth >= rl_config._FUZZ:
            self._wrapped_at = availWidth
        return size

    def split(self, availWidth, availHeight):
        broken = self.__dict__.get("blPara")
        width = self._wrapped_at
        if broken is not None and width is not None and width < availWidth:
            # A table splits a cell's paragraph at the column's width, padding included,
            # after wrapping it without: the lines broken for the narrower width stand.
            availWidth = width
        parts = super().split(availWidth, availHeight)
        if len(parts) != 2 or broken is None or width != availWidth:
            return parts
        first, rest = parts
        lines = broken.lines[len(first.blPara.lines) :]
        if not lines or getattr(self.style, "autoLeading", "") not in ("", "off"):
            return parts
        if hasattr(lines[0], "sFW"):
            # Lines of processed fragments point into the paragraph's fragments by index;
            # the second part's fragments start at its first line's.
            base = lines[0].sFW
            lines = [line.clone(sFW=line.sFW - base) for line in lines]
        rest_lines = broken.clone()
        rest_lines.lines = lines
        rest.blPara = rest_lines
        rest.width = availWidth
        rest.height = len(lines) * rest.style.leading
        rest._wrapped_at = availWidth
        rest._wrapWidths = self._wrapWidths
        return parts

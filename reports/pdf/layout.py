"""The case file's pages: the document template, the running header and footer, the
contents on the cover and the bookmarks."""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate
from reportlab.platypus.tableofcontents import TableOfContents

from .. import labels as L
from ..casefile import CaseFile
from .markup import RULE, Para, Writer, when

# --- the document ----------------------------------------------------------------------------
#
# Laid out in one pass. Two things on a page depend on pages after it: "Page n of N" and the
# contents on the cover. Instead of laying the whole file out twice (``multiBuild``), the
# canvas keeps every finished page open until the document ends; then each page gets its
# page number and its bookmarks, and the cover gets the contents in the space kept for it.


class HeldCanvas(Canvas):
    """Holds finished pages until the document ends, then completes and writes each one.

    ``showPage`` keeps the page's state (its content stream, annotations and resources: the
    canvas starts new ones for each page); ``save`` restores each page in turn, binds its
    bookmarks (they must name the page as the PDF numbers it), lets the document template
    draw what needed the page count, and only then adds the page to the PDF.
    """

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self._held_pages: list[dict] = []
        self._page_bookmarks: list[tuple[str, dict]] = []

    def bookmarkPage(self, key, **kw):
        self._page_bookmarks.append((key, kw))

    def drawText(self, aTextObject):
        super().drawText(aTextObject)
        # A paragraph's text object holds a method bound to itself: a reference cycle per
        # paragraph drawn, freed only by the cyclic collector's rare full passes. Unused now.
        aTextObject.__dict__.pop("_do_line", None)

    def showPage(self):
        state = dict(self.__dict__)
        del state["_held_pages"]
        self._held_pages.append(state)
        self._page_bookmarks = []
        self._startPage()

    def save(self):
        total = len(self._held_pages)
        for state in self._held_pages:
            self.__dict__.update(state)
            for key, kw in self._page_bookmarks:
                Canvas.bookmarkPage(self, key, **kw)
            self._doctemplate.complete_page(self, total)
            Canvas.showPage(self)
        self._held_pages = []
        Canvas.save(self)


class Contents(Flowable):
    """Room for the table of contents; drawn by the document once every section's page is
    known. The entries are the section titles, so the room needed is known from the start."""

    def __init__(self, entries: list[tuple[str, str]], style: ParagraphStyle) -> None:
        super().__init__()
        self.toc = TableOfContents()
        self.toc.levelStyles = [style]
        self.toc.dotsMinLevel = 0
        self.entries = entries  # (markup, bookmark key)
        self.placed: tuple[int, float, float, float] | None = None

    def _layout(self, canv, width: float, pages: dict[str, int]) -> float:
        self.toc._lastEntries = [(0, markup, pages.get(key, 0), key) for markup, key in self.entries]
        _, height = self.toc.wrapOn(canv, width, 0x7FFFFFFF)
        return height

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        self.height = self._layout(self.canv, availWidth, {})
        return self.width, self.height

    def split(self, availWidth, availHeight):
        return []  # the next page, whole

    def drawOn(self, canvas, x, y, _sW=0):
        self.placed = (canvas.getPageNumber(), x, y + self.height, self.width)

    def draw_now(self, canv, pages: dict[str, int]) -> None:
        _, x, top, width = self.placed
        height = self._layout(canv, width, pages)
        self.toc.drawOn(canv, x, top - height)


class SectionHeading(Para):
    def __init__(self, text: str, markup: str, style, key: str) -> None:
        super().__init__(markup, style)
        self.outline_text = text
        self.outline_key = key


class CaseDoc(BaseDocTemplate):
    def __init__(self, buf, *, casefile: CaseFile, writer: Writer, **kw) -> None:
        super().__init__(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                         topMargin=22 * mm, bottomMargin=18 * mm, **kw)
        self.casefile = casefile
        self.writer = writer
        self.contents: Contents | None = None
        self.section_pages: dict[str, int] = {}
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([
            PageTemplate(id="cover", frames=[frame], onPage=self._decorate),
            PageTemplate(id="body", frames=[frame], onPage=self._decorate),
        ])
        # The same on every page: made once, drawn on each.
        w, cf = writer, casefile
        self._head = (
            w.raw(f"{w.mk(cf.export.institution)} · {w.mk(L.text('case_file'))} "
                  f"<b>{w.mk(cf.summary.reference)}</b>", "header"),
            w.raw(w.mk(L.text(f"class_{cf.export.profile}")), "header_r"),
        )
        self._foot = w.raw(f"{w.mk(L.text('generated'))} {w.mk(when(cf.export.generated_at))} · "
                           f"SHA-256 {cf.chain.head_hash[:16]}…", "header")

    def build(self, flowables, **kw):
        for flowable in flowables:
            if isinstance(flowable, Contents):
                self.contents = flowable
        super().build(flowables, canvasmaker=HeldCanvas, **kw)

    def afterFlowable(self, flowable) -> None:
        if isinstance(flowable, SectionHeading):
            self.canv.bookmarkPage(flowable.outline_key)
            self.canv.addOutlineEntry(flowable.outline_text, flowable.outline_key, level=0)
            self.section_pages[flowable.outline_key] = self.page

    def _decorate(self, canv, doc) -> None:
        canv.saveState()
        top = A4[1] - 12 * mm
        left, width = self.leftMargin, self.width
        if self.page > 1:
            for para, x in zip(self._head, (left, left + width / 2), strict=True):
                _, h = para.wrap(width / 2, 20)
                para.drawOn(canv, x, top - h + 4)
            canv.setStrokeColor(RULE)
            canv.setLineWidth(0.6)
            canv.line(left, top - 8, left + width, top - 8)
        canv.setStrokeColor(RULE)
        canv.line(left, 13 * mm, left + width, 13 * mm)
        self._foot.wrap(width / 2, 20)
        self._foot.drawOn(canv, left, 8 * mm)
        canv.restoreState()

    def release(self) -> None:
        """Unlink the finished document so it is freed as soon as the bytes are taken.

        ReportLab links the template, its canvas and the page templates to each other (and the
        template to itself); left linked, each file waits for the cyclic garbage collector's
        next full pass, and an exporter writing file after file carries several at once."""
        canv = self.__dict__.get("canv")
        if canv is not None:
            canv.__dict__.clear()
        self.__dict__.clear()

    def complete_page(self, canv, pages: int) -> None:
        """What a page can only show once the document is complete (see ``HeldCanvas``)."""
        w = self.writer
        page = canv.getPageNumber()
        canv.saveState()
        width = self.width
        number = w.raw(w.mk(L.text("page") % {"page": page, "pages": pages}), "header_r")
        number.wrap(width / 2, 20)
        number.drawOn(canv, self.leftMargin + width / 2, 8 * mm)
        if self.contents is not None and self.contents.placed and self.contents.placed[0] == page:
            self.contents.draw_now(canv, self.section_pages)
        canv.restoreState()

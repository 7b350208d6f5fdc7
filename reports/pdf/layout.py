"""The case file's pages: the document template, the running header and footer, the
contents on the cover and the bookmarks.

The contents on the cover and "page N of M" in each footer depend on pages after them, so
the file is laid out with ``multiBuild``: each pass shows what the pass before it counted,
and passes repeat until nothing changed.
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate
from reportlab.platypus.doctemplate import IndexingFlowable

from .. import labels as L
from ..casefile import CaseFile
from .markup import RULE, Para, Writer, when


class PageCount(IndexingFlowable):
    """The number of pages, for "page N of M".

    Last in the story, so it is drawn on the last page. The footers show the count of the
    pass before; ``multiBuild`` lays the file out again until the count stands."""

    def __init__(self) -> None:
        super().__init__()
        self.pages = 0  # counted in this pass
        self.shown = 0  # counted in the pass before, shown in the footers

    def beforeBuild(self) -> None:
        self.shown, self.pages = self.pages, 0

    def isSatisfied(self) -> bool:
        return self.pages == self.shown

    def wrap(self, availWidth, availHeight):
        return 0, 0

    def draw(self) -> None:
        self.pages = self.canv.getPageNumber()


class SectionHeading(Para):
    """A section's title, which the document makes a bookmark, an outline entry and a line
    of the table of contents."""

    def __init__(self, text: str, markup: str, style, key: str) -> None:
        super().__init__(markup, style)
        self.outline_text = text
        self.outline_key = key


class CaseDoc(BaseDocTemplate):
    """A4 pages with the running header (from page 2) and footer, the bookmarks and the
    contents' entries."""

    def __init__(self, buf, *, casefile: CaseFile, writer: Writer, **kw) -> None:
        super().__init__(
            buf,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=22 * mm,
            bottomMargin=18 * mm,
            **kw,
        )
        self.casefile = casefile
        self.writer = writer
        self.page_count = PageCount()
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates(
            [
                PageTemplate(id="cover", frames=[frame], onPage=self._decorate),
                PageTemplate(id="body", frames=[frame], onPage=self._decorate),
            ]
        )
        # The same on every page: made once, drawn on each.
        w, cf = writer, casefile
        self._head = (
            w.raw(
                f"{w.mk(cf.export.institution)} · {w.mk(L.text('case_file'))} "
                f"<b>{w.mk(cf.summary.reference)}</b>",
                "header",
            ),
            w.raw(w.mk(L.text(f"class_{cf.export.profile}")), "header_r"),
        )
        self._foot = w.raw(
            f"{w.mk(L.text('generated'))} {w.mk(when(cf.export.generated_at))} · "
            f"SHA-256 {cf.chain.head_hash[:16]}…",
            "header",
        )

    def multiBuild(self, story, **kw):
        return super().multiBuild([*story, self.page_count], **kw)

    def afterFlowable(self, flowable) -> None:
        if isinstance(flowable, SectionHeading):
            key = flowable.outline_key
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.outline_text, key, level=0)
            self.notify("TOCEntry", (0, flowable.text, self.page, key))

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
        w = self.writer
        number = w.raw(
            w.mk(L.text("page") % {"page": self.page, "pages": self.page_count.shown}), "header_r"
        )
        number.wrap(width / 2, 20)
        number.drawOn(canv, left + width / 2, 8 * mm)
        canv.restoreState()

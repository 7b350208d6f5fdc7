"""The case file's pages: the document template, the running header and footer, the
contents on the cover and the bookmarks.

The contents on the cover and "page N of M" in each footer depend on pages after them. They
are not laid out twice for it (reportlab's ``multiBuild`` repeats the whole layout until the
numbers settle, which doubled the time of a long file): the file is laid out once, and where
such a number goes the page draws a form XObject by name (``canvas.doForm``), which
reportlab lets a document define later. When the last page is done, :class:`CaseCanvas`
defines those forms with the numbers now known. Nothing moves: the contents hold one line
per section whatever its page, and a footer's number sits at the right margin.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import XMP
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepTogether, PageTemplate

from .. import labels as L
from ..casefile import CaseFile
from ..labels import when
from .fonts import SANS
from .markup import MUTED, RULE, Para, Writer

PRODUCER = f"Accountability (ReportLab {reportlab.Version})"
FOOTER_SIZE = 7.5
CONTENTS_SIZE = 10
CONTENTS_LEADING = 16


class SectionHeading(Para):
    """A section's title, which the document makes a bookmark, an outline entry and a line
    of the contents."""

    def __init__(self, text: str, markup: str, style, key: str) -> None:
        super().__init__(markup, style)
        self.outline_text = text
        self.outline_key = key


class KeepWithFirstLines(KeepTogether):
    """What ``keepWithNext`` makes of headings and the flowable after them: the headings go
    where the first lines of that flowable fit below them, else all move to the next page.

    reportlab's own ``KeepTogether`` moves the group to the next page whenever the whole of
    it does not fit, which would start every long table on a new page; a heading only needs
    its first lines (a table's first rows, a paragraph's first lines, whatever the flowable
    can split off)."""

    def split(self, aW, aH):
        *heads, body = self._content
        frame = getattr(self, "_frame", None)
        if not heads or (frame is not None and getattr(frame, "_atTop", False)):
            return list(self._content)
        room = aH - body.getSpaceBefore()
        for f in heads:
            room -= f.getSpaceBefore() + f.wrap(aW, aH)[1] + f.getSpaceAfter()
        if room > 0 and (body.wrap(aW, room)[1] <= room or body.split(aW, room)):
            return list(self._content)
        return [self.FrameBreak(), *self._content]


class Contents(Flowable):
    """The contents on the cover: one line per section, a link to it, dot leaders and its
    first page. ``entries`` (title, key) are set once the story is built; the leaders and
    page numbers are drawn by the canvas when the file is complete."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[tuple[str, str]] = []

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        return availWidth, len(self.entries) * CONTENTS_LEADING

    def draw(self) -> None:
        canv = self.canv
        top = len(self.entries) * CONTENTS_LEADING
        for i, (title, key) in enumerate(self.entries):
            y = top - (i + 1) * CONTENTS_LEADING + 4
            canv.setFont(SANS, CONTENTS_SIZE)
            canv.setFillColor(colors.black)
            canv.drawString(0, y, title)
            start = stringWidth(title, SANS, CONTENTS_SIZE) + 4
            canv.saveState()
            canv.translate(start, y)
            canv.doForm(_contents_form(key))
            canv.restoreState()
            canv.linkRect("", key, (0, y - 3, self.width, y + CONTENTS_SIZE), relative=1)
            canv.leaders.append((key, self.width - start))


class CaseCanvas(Canvas):
    """A canvas that, when saved, defines the forms the pages refer to: each page's
    "page N of M" and each contents line's leaders and page number.

    The document tells it the footer's words (``page_label``) and, through bookmarks, the
    page each section starts on (``section_pages``)."""

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.page_label = "%(page)s / %(pages)s"
        self.section_pages: dict[str, int] = {}
        self.leaders: list[tuple[str, float]] = []

    def save(self) -> None:
        if len(self._code):  # as Canvas.save would, so the count includes the last page
            self.showPage()
        pages = self.getPageNumber() - 1
        for number in range(1, pages + 1):
            self.beginForm(page_form(number), -A4[0], -2, 0, FOOTER_SIZE + 2)
            self.setFont(SANS, FOOTER_SIZE)
            self.setFillColor(MUTED)
            self.drawRightString(0, 0, self.page_label % {"page": number, "pages": pages})
            self.endForm()
        for key, width in self.leaders:
            page = str(self.section_pages.get(key, ""))
            self.beginForm(_contents_form(key), 0, -2, width, CONTENTS_SIZE + 2)
            self.setFillColor(colors.black)
            number_width = stringWidth(page, SANS, CONTENTS_SIZE)
            dot = stringWidth(" .", SANS, CONTENTS_SIZE)
            # One text object: the leaders and the number read as one line.
            line = self.beginText(0, 0)
            line.setFont(SANS, CONTENTS_SIZE)
            line.textOut(" ." * max(0, int((width - number_width - 6) / dot)) + " ")
            line.setTextOrigin(width - number_width, 0)
            line.textOut(page)
            self.drawText(line)
            self.endForm()
        super().save()


def page_form(number: int) -> str:
    return f"page-{number}"


def _contents_form(key: str) -> str:
    return f"contents-{key}"


class FootedDoc(BaseDocTemplate):
    """A4 pages of one frame, each with a footer line (``footer``, a paragraph) and its page
    number, for the short documents that are not case files (bulletins, the dashboard)."""

    def __init__(self, buf, *, footer, **kw) -> None:
        super().__init__(
            buf,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=18 * mm,
            bottomMargin=18 * mm,
            initialFontName=SANS,
            **kw,
        )
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate(id="body", frames=[frame], onPage=self._decorate)])
        self._foot = footer

    def build(self, flowables, **kw):
        kw.setdefault("canvasmaker", CaseCanvas)
        return super().build(flowables, **kw)

    def beforeDocument(self) -> None:
        self.canv.page_label = L.text("page")
        self.canv.setProducer(PRODUCER)

    def _decorate(self, canv, doc) -> None:
        canv.saveState()
        left, width = self.leftMargin, self.width
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.6)
        canv.line(left, 13 * mm, left + width, 13 * mm)
        self._foot.wrap(width * 0.75, 20)
        self._foot.drawOn(canv, left, 8 * mm)
        canv.translate(left + width, 8 * mm + 2)
        canv.doForm(page_form(canv.getPageNumber()))
        canv.restoreState()


class CaseDoc(BaseDocTemplate):
    """A4 pages with the running header (from page 2) and footer, the bookmarks and the
    contents' entries. Laid out once: ``build`` with :class:`CaseCanvas`."""

    def __init__(self, buf, *, casefile: CaseFile, writer: Writer, **kw) -> None:
        super().__init__(
            buf,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=22 * mm,
            bottomMargin=18 * mm,
            initialFontName=SANS,
            keepTogetherClass=KeepWithFirstLines,
            **kw,
        )
        self.casefile = casefile
        self.writer = writer
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

    def build(self, flowables, **kw):
        kw.setdefault("canvasmaker", CaseCanvas)
        return super().build(flowables, **kw)

    def beforeDocument(self) -> None:
        canv = self.canv
        canv.page_label = L.text("page")
        canv.setProducer(PRODUCER)
        canv.setCatalogEntry("Metadata", XMP(creator=lambda doc: self._xmp()))

    def _xmp(self) -> str:
        """The XMP metadata packet: title, case reference, language, institution, producer.

        ASCII only (other characters as XML character references): reportlab writes the
        stream's text as Latin-1."""
        cf = self.casefile
        lang = {"en": "en", "zh-hant": "zh-Hant", "zh-hans": "zh-Hans"}[self.lang]

        def x(value) -> str:
            return escape(str(value)).encode("ascii", "xmlcharrefreplace").decode("ascii")

        created = cf.export.generated_at.isoformat(timespec="seconds")
        return f"""<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:case="https://accountability.example/ns/case-file/1.0/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{x(self.title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{x(cf.export.institution)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{x(self.subject)}</rdf:li></rdf:Alt></dc:description>
   <dc:identifier>{x(cf.summary.reference)}</dc:identifier>
   <dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
   <pdf:Producer>{x(PRODUCER)}</pdf:Producer>
   <xmp:CreatorTool>Accountability</xmp:CreatorTool>
   <xmp:CreateDate>{created}</xmp:CreateDate>
   <case:Reference>{x(cf.summary.reference)}</case:Reference>
   <case:Profile>{x(cf.export.profile)}</case:Profile>
   <case:ChainHead>{x(cf.chain.head_hash)}</case:ChainHead>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>"""

    def afterFlowable(self, flowable) -> None:
        if isinstance(flowable, SectionHeading):
            key = flowable.outline_key
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.outline_text, key, level=0)
            self.canv.section_pages.setdefault(key, self.page)

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
        canv.translate(left + width, 8 * mm + 2)
        canv.doForm(page_form(canv.getPageNumber()))
        canv.restoreState()

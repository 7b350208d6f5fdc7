"""A published bulletin as PDF, with the case file's machinery: its one embedded font family
(``reports.pdf.fonts``), its markup and styles (``Writer``), its page numbering
(``CaseCanvas``) and XMP metadata. Takes a :class:`BulletinView`; touches no database."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import XMP
from reportlab.platypus import Spacer, Table, TableStyle

from .. import labels as L
from ..pdf.fonts import SANS, register_fonts
from ..pdf.layout import PRODUCER, FootedDoc, KeepWithFirstLines
from ..pdf.markup import RULE, SHADE, Writer
from .selectors import BulletinView

_XMP_LANG = {"en": "en", "zh-hant": "zh-Hant", "zh-hans": "zh-Hans"}


class BulletinDoc(FootedDoc):
    def __init__(self, buf, *, view: BulletinView, writer: Writer, lang: str, **kw) -> None:
        footer = writer.raw(f"{writer.mk(view.institution)} · {writer.mk(view.title)}", "header")
        super().__init__(buf, footer=footer, lang=lang, keepTogetherClass=KeepWithFirstLines, **kw)
        self.view = view

    def beforeDocument(self) -> None:
        super().beforeDocument()
        self.canv.setCatalogEntry("Metadata", XMP(creator=lambda doc: self._xmp()))

    def _xmp(self) -> str:
        def x(value) -> str:
            return escape(str(value)).encode("ascii", "xmlcharrefreplace").decode("ascii")

        return f"""<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{x(self.title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{x(self.view.institution)}</rdf:li></rdf:Seq></dc:creator>
   <dc:identifier>bulletin-{self.view.pk}-{x(self.view.approved_sha256)}</dc:identifier>
   <dc:language><rdf:Bag><rdf:li>{_XMP_LANG[self.lang]}</rdf:li></rdf:Bag></dc:language>
   <pdf:Producer>{x(PRODUCER)}</pdf:Producer>
   <xmp:CreatorTool>Accountability</xmp:CreatorTool>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>"""


def _story(view: BulletinView, w: Writer) -> list:
    story = [
        w.p(view.title, "h1"),
        w.p(
            _("%(institution)s · case bulletin (案例通報) · %(period)s")
            % {"institution": view.institution, "period": view.period},
            "subtitle",
        ),
        Spacer(1, 3 * mm),
        w.p(
            _(
                "Closed cases, told for staff education. Names, references, customers and "
                "small units are withheld; a case manager approved this text on publication."
            ),
            "small",
        ),
        w.p(_("Published %(when)s") % {"when": view.published_at}, "small"),
    ]
    none = "—"
    for e in view.entries:
        facts = [
            (_("Severity"), e.severity),
            (_("Sanctions"), ", ".join(e.sanctions) or none),
            (_("Root causes"), ", ".join(e.root_causes) or none),
            (_("Corrective actions"), ", ".join(e.actions) or none),
            (_("Closed"), e.closed),
        ]
        table = Table(
            [[w.p(k, "label"), w.p(v)] for k, v in facts],
            colWidths=[40 * mm, None],
            style=TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), SANS),
                    ("BACKGROUND", (0, 0), (0, -1), SHADE),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            ),
        )
        story += [w.p(f"{e.position}. {e.category}", "h2"), table, Spacer(1, 2 * mm)]
        for paragraph in e.summary.split("\n\n"):
            story += [w.p(paragraph, "body"), Spacer(1, 1.5 * mm)]
    if not view.entries:
        story.append(w.p(_("No case in this bulletin."), "body"))
    return story


def render_bulletin_pdf(view: BulletinView, *, lang: str) -> bytes:
    """The bulletin in ``lang``; ``view`` must have been built in the same language."""
    lang = L.normalise_language(lang)
    register_fonts()
    buf = io.BytesIO()
    with translation.override(lang):
        writer = Writer(lang)
        doc = BulletinDoc(
            buf,
            view=view,
            writer=writer,
            lang=lang,
            title=view.title,
            author=view.institution,
            subject=_("Case bulletin"),
            creator="Accountability",
        )
        doc.build(_story(view, writer))
    return buf.getvalue()

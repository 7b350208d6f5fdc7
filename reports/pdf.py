"""The case file as PDF (reportlab). Takes a :class:`CaseFile`, returns bytes; no database.

Chinese text uses reportlab's built-in CID fonts, which need no font files: Traditional
Chinese with ``MSung-Light`` in the ``UniCNS-UCS2-H`` encoding (reportlab 5.1 pairs that
face with the GB encoding, which prints wrong characters), Simplified Chinese with
``STSong-Light`` in ``UniGB-UCS2-H``. When ``ACCOUNTABILITY["CJK_FONT_PATH"]`` names a
TrueType font, it is embedded instead. Latin text stays in Helvetica: every string is split
into CJK and non-CJK runs, so an English file can quote a Chinese description and vice versa.
"""

from __future__ import annotations

import copy
import io
import re
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase._cidfontdata import widthsByUnichar
from reportlab.pdfbase.cidfonts import CIDFont, UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from remediation.models import ActionKind, ActionStatus, RootCauseCategory, Verdict
from sanctions.models import ApprovalLevel, Decision, ProposalStatus, SanctionStatus, SanctionType
from violations.models import (
    EvidenceKind,
    Outcome,
    ResponsibilityType,
    Severity,
    Source,
    Stage,
    TeamRole,
    VerificationOutcome,
)

from . import labels as L
from .casefile import WITHHELD, CaseFile

# Section titles per language: the PDF's headings, bookmarks and table of contents.
SECTIONS = [
    "summary", "parties", "timeline", "evidence", "interviews", "findings", "sanctions",
    "appeals", "remediation", "reviews", "redress", "regulator", "chain",
]
SECTION_TITLES: dict[str, dict[str, str]] = {
    "en": {
        "contents": "Contents", "summary": "Summary", "parties": "Parties",
        "timeline": "Timeline", "evidence": "Evidence register",
        "interviews": "Interviews and record reviews", "findings": "Findings",
        "sanctions": "Sanctions and approvals", "appeals": "Defence and appeal",
        "remediation": "Remediation", "reviews": "Effectiveness review",
        "redress": "Customer redress", "regulator": "Regulator notification",
        "chain": "Audit-chain head",
    },
    "zh-hant": {
        "contents": "目錄", "summary": "案件摘要", "parties": "當事人", "timeline": "處理時間線",
        "evidence": "證據登記冊", "interviews": "訪談及記錄審閱", "findings": "事實認定",
        "sanctions": "處罰及審批", "appeals": "申辯及申訴", "remediation": "整改措施",
        "reviews": "效果評估", "redress": "客戶補救", "regulator": "向監管部門報告",
        "chain": "審計鏈頭",
    },
    "zh-hans": {
        "contents": "目录", "summary": "案件摘要", "parties": "当事人", "timeline": "处理时间线",
        "evidence": "证据登记册", "interviews": "访谈及记录审阅", "findings": "事实认定",
        "sanctions": "处罚及审批", "appeals": "申辩及申诉", "remediation": "整改措施",
        "reviews": "效果评估", "redress": "客户补救", "regulator": "向监管部门报告",
        "chain": "审计链头",
    },
}
# The English titles as gettext strings, so a catalogue can override the built-in table.
_SECTION_MSGIDS = {
    "contents": _("Contents"), "summary": _("Summary"), "parties": _("Parties"),
    "timeline": _("Timeline"), "evidence": _("Evidence register"),
    "interviews": _("Interviews and record reviews"), "findings": _("Findings"),
    "sanctions": _("Sanctions and approvals"), "appeals": _("Defence and appeal"),
    "remediation": _("Remediation"), "reviews": _("Effectiveness review"),
    "redress": _("Customer redress"), "regulator": _("Regulator notification"),
    "chain": _("Audit-chain head"),
}


def section_title(key: str, lang: str) -> str:
    with translation.override(lang):
        translated = str(_SECTION_MSGIDS[key])
    if lang != "en" and translated != SECTION_TITLES["en"][key]:
        return translated
    return SECTION_TITLES[lang][key]


# --- fonts -----------------------------------------------------------------------------------

BASE = "Helvetica"
BOLD = "Helvetica-Bold"
MONO = "Courier"
HANT = "MSung-Light-CNS"
HANS = "STSong-Light"
EMBEDDED = "CaseFileCJK"

NAVY = colors.HexColor("#1F3A5F")
RULE = colors.HexColor("#C8D1DC")
SHADE = colors.HexColor("#EEF2F7")
MUTED = colors.HexColor("#5B6573")
ALERT = colors.HexColor("#9B1C1C")


class _TraditionalChineseFont(UnicodeCIDFont):
    """MSung-Light with the CNS (Big Five) Unicode encoding it belongs with."""

    def __init__(self) -> None:
        CIDFont.__init__(self, "MSung-Light", "UniCNS-UCS2-H")
        self.language = "cht"
        self.name = self.fontName = HANT
        self.vertical = False
        self.isHalfWidth = False
        self.unicodeWidths = widthsByUnichar["MSung-Light"]


def _register_fonts() -> str | None:
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


# Markup that is text alone: no tag, no entity, words separated by single spaces.
_PLAIN = re.compile(r"[^\s<>&]+(?: [^\s<>&]+)*")

_CJK = re.compile(r"([\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
                  r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+)")


class _Writer:
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
            "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=10, textColor=MUTED),
            "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11),
            "head": ParagraphStyle("head", parent=body, fontName=BOLD, fontSize=8.5, leading=11, textColor=NAVY),
            "label": ParagraphStyle("label", parent=body, fontName=BOLD, fontSize=8.5, leading=11, textColor=MUTED),
            "mono": ParagraphStyle("mono", parent=body, fontName=MONO, fontSize=7.2, leading=9.5),
            "h1": ParagraphStyle("h1", parent=body, fontName=BOLD, fontSize=15, leading=20,
                                 textColor=NAVY, spaceBefore=4, spaceAfter=8),
            "h2": ParagraphStyle("h2", parent=body, fontName=BOLD, fontSize=10.5, leading=14,
                                 textColor=NAVY, spaceBefore=8, spaceAfter=4),
            "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=28, leading=34, textColor=NAVY),
            "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=13, leading=18, textColor=MUTED),
            "banner": ParagraphStyle("banner", parent=body, fontName=BOLD, fontSize=10, leading=13,
                                     textColor=colors.white),
            "header": ParagraphStyle("header", parent=body, fontSize=7.5, leading=9, textColor=MUTED),
            "header_r": ParagraphStyle("header_r", parent=body, fontSize=7.5, leading=9, textColor=MUTED,
                                       alignment=TA_RIGHT),
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
            return _Para(markup, self.styles[style], frags=[frag])
        return _Para(markup, self.styles[style])

    def _text_frag(self, style: str):
        if style not in self._text_frags:
            (self._text_frags[style],) = Paragraph("x", self.styles[style]).frags
        return self._text_frags[style]


def _dt(value) -> str:
    if value is None:
        return "—"
    if hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _money(value) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _hash(value: str) -> str:
    return f"{value[:32]}<br/>{value[32:]}" if value and len(value) > 32 else (value or "—")


# --- the document ----------------------------------------------------------------------------
#
# Laid out in one pass. Two things on a page depend on pages after it: "Page n of N" and the
# contents on the cover. Instead of laying the whole file out twice (``multiBuild``), the
# canvas keeps every finished page open until the document ends; then each page gets its
# page number and its bookmarks, and the cover gets the contents in the space kept for it.


class _Para(Paragraph):
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


class _HeldCanvas(Canvas):
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


class _Contents(Flowable):
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


class _SectionHeading(_Para):
    def __init__(self, text: str, markup: str, style, key: str) -> None:
        super().__init__(markup, style)
        self.outline_text = text
        self.outline_key = key


class _CaseDoc(BaseDocTemplate):
    def __init__(self, buf, *, casefile: CaseFile, writer: _Writer, **kw) -> None:
        super().__init__(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                         topMargin=22 * mm, bottomMargin=18 * mm, **kw)
        self.casefile = casefile
        self.writer = writer
        self.contents: _Contents | None = None
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
        self._foot = w.raw(f"{w.mk(L.text('generated'))} {w.mk(_dt(cf.export.generated_at))} · "
                           f"SHA-256 {cf.chain.head_hash[:16]}…", "header")

    def build(self, flowables, **kw):
        for flowable in flowables:
            if isinstance(flowable, _Contents):
                self.contents = flowable
        super().build(flowables, canvasmaker=_HeldCanvas, **kw)

    def afterFlowable(self, flowable) -> None:
        if isinstance(flowable, _SectionHeading):
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
        """What a page can only show once the document is complete (see ``_HeldCanvas``)."""
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


class _Builder:
    def __init__(self, cf: CaseFile, lang: str, writer: _Writer) -> None:
        self.cf = cf
        self.lang = lang
        self.w = writer
        self.story: list = []

    # helpers ------------------------------------------------------------------------------

    def heading(self, key: str) -> None:
        title = section_title(key, self.lang)
        self.story.append(CondPageBreak(40 * mm))
        self.story.append(_SectionHeading(title, self.w.mk(title), self.w.styles["h1"], f"sec-{key}"))

    def sub(self, text: str) -> None:
        self.story.append(CondPageBreak(30 * mm))
        self.story.append(self.w.raw(self.w.mk(text), "h2"))

    def none(self, key: str = "none") -> None:
        self.story.append(self.w.raw(f"<i>{self.w.mk(L.text(key))}</i>", "small"))
        self.story.append(Spacer(1, 4))

    def pairs(self, rows: list[tuple[str, object]], *, label_width: float = 45 * mm) -> None:
        data = [[self.w.p(L.text(k), "label"), v if isinstance(v, Paragraph) else self.w.p(v)]
                for k, v in rows]
        table = Table(data, colWidths=[label_width, None], hAlign="LEFT")
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]))
        self.story.append(table)
        self.story.append(Spacer(1, 6))

    def grid(self, header: list[str], rows: list[list], widths: list[float]) -> None:
        data = [[self.w.p(L.text(h), "head") for h in header]]
        data += [[c if isinstance(c, Paragraph) else self.w.p(c) for c in row] for row in rows]
        table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, NAVY),
            ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]))
        self.story.append(table)
        self.story.append(Spacer(1, 6))

    def mono(self, value: str) -> Paragraph:
        return self.w.raw(_hash(value), "mono")

    # sections -----------------------------------------------------------------------------

    def cover(self) -> None:
        cf, w = self.cf, self.w
        s = cf.summary
        self.story += [
            w.raw(w.mk(cf.export.institution), "subtitle"), Spacer(1, 18 * mm),
            w.raw(w.mk(L.text("case_file")), "title"), Spacer(1, 4),
            w.raw(f"<b>{w.mk(s.reference)}</b> — {w.mk(s.title)}", "subtitle"), Spacer(1, 8 * mm),
        ]
        banner = Table([[w.p(L.text(f"class_{cf.export.profile}"), "banner")]], colWidths=[None])
        banner.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, -1), ALERT if cf.export.profile != "bulletin" else NAVY),
            ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ("LEFTPADDING", (0, 0), (-1, -1), 8),
        ]))
        self.story += [banner, Spacer(1, 6 * mm)]
        self.pairs([
            ("reference", s.reference),
            ("institution", cf.export.institution),
            ("classification", L.text(f"class_{cf.export.profile}")),
            ("status", f"{L.choice(Stage, s.stage)} · {L.choice(Outcome, s.outcome)}"),
            ("severity", L.choice(Severity, s.severity)),
            ("export_date", _dt(cf.export.generated_at)),
            ("profile", L.text(f"profile_{cf.export.profile}")),
            ("recipient", cf.export.recipient),
            ("prepared_by", cf.export.prepared_by),
            ("times_in", settings.TIME_ZONE),
            ("head_hash", self.mono(cf.chain.head_hash)),
        ])
        self.story.append(Spacer(1, 4 * mm))
        self.story.append(w.raw(w.mk(section_title("contents", self.lang)), "h2"))
        contents = _Contents([(w.mk(section_title(key, self.lang)), f"sec-{key}") for key in SECTIONS],
                             w.styles["toc"])
        self.story += [contents, PageBreak()]

    def summary(self) -> None:
        s = self.cf.summary
        self.heading("summary")
        self.pairs([
            ("title", s.title), ("description", s.description), ("source", L.choice(Source, s.source)),
            ("category", f"{s.category_name} ({s.category_code})"), ("department", s.department),
            ("occurred_at", _dt(s.occurred_at)), ("reported_at", _dt(s.reported_at)),
            ("ack_due", _dt(s.acknowledge_due_at)), ("acknowledged", _dt(s.acknowledged_at)),
            ("stage", L.choice(Stage, s.stage)), ("outcome", L.choice(Outcome, s.outcome)),
            ("severity", L.choice(Severity, s.severity)), ("closed_at", _dt(s.closed_at)),
        ])
        v = self.cf.verification
        if v:
            self.sub(L.text("verification"))
            rows = [("outcome", L.choice(VerificationOutcome, v.outcome)), ("reason", v.reason),
                    ("first_evidence", v.first_evidence)]
            if v.duplicate_of:
                rows.append(("duplicate_of", v.duplicate_of))
            rows.append(("by", f"{v.verified_by}, {_dt(v.verified_at)}"))
            self.pairs(rows)
        for r in self.cf.investigation_reports:
            self.sub(f"{L.text('investigation_report')} {r.round}")
            self.pairs([("summary_text", r.summary), ("conclusion", r.conclusion),
                        ("by", f"{r.submitted_by}, {_dt(r.submitted_at)}")])

    def parties(self) -> None:
        p = self.cf.parties
        self.heading("parties")
        self.pairs([
            ("anonymous", L.yes_no(p.anonymous)),
            ("reporting_person", p.reporter),
        ])
        self.sub(L.text("subjects"))
        self.grid(["name", "staff_number", "department", "position"],
                  [[s.name, s.staff_number, s.department, s.position] for s in p.subjects],
                  [55 * mm, 30 * mm, 50 * mm, None])
        self.sub(L.text("customer"))
        if p.customer:
            self.pairs([("name", p.customer.name), ("customer_reference", p.customer.reference),
                        ("contact", p.customer.contact)])
        else:
            self.none()
        self.sub(L.text("team"))
        if p.team:
            rows = []
            for m in p.team:
                if m.declared_at:
                    decl = f"{L.text('conflict' if m.has_conflict else 'no_conflict')}, {_dt(m.declared_at)}"
                else:
                    decl = L.text("pending")
                role = L.choice(TeamRole, m.role) + ("" if m.active else f" ({L.text('left_team')})")
                rows.append([m.user, role, decl])
            self.grid(["member", "role", "declaration"], rows, [45 * mm, 45 * mm, None])
        else:
            self.none()

    def timeline(self) -> None:
        self.heading("timeline")
        rows = []
        for e in self.cf.events:
            details = "; ".join(f"{k}: {_short(v)}" for k, v in e.content["payload"].items()
                                if k != "case_reference")
            what = f"<b>{self.w.mk(L.action(e.action))}</b>"
            if e.reason:
                what += f"<br/>{self.w.mk(e.reason)}"
            if details:
                what += f'<br/><font size="7" color="#5B6573">{self.w.mk(details)}</font>'
            actor = L.text("system") if e.actor == "system" else e.actor
            rows.append([str(e.seq), _dt(e.occurred_at), self.w.p(actor), self.w.raw(what),
                         self.w.raw(e.hash[:12], "mono")])
        if rows:
            self.grid(["seq", "when", "actor", "event", "hash_col"], rows,
                      [12 * mm, 27 * mm, 28 * mm, None, 30 * mm])
        else:
            self.none()

    def evidence(self) -> None:
        self.heading("evidence")
        rows = []
        for e in self.cf.evidence:
            file = f"<b>{self.w.mk(e.name)}</b><br/>{self.w.mk(L.choice(EvidenceKind, e.kind))} · {e.size:,} B"
            if e.description:
                file += f"<br/>{self.w.mk(e.description)}"
            if e.superseded_by:
                file += f'<br/><font color="#9B1C1C">{self.w.mk(L.text("superseded_by"))} {e.superseded_by}</font>'
            rows.append([str(e.number), self.w.raw(file), self.mono(e.sha256),
                         self.w.raw(f"{self.w.mk(e.collected_by)}<br/>{_dt(e.collected_at)}")])
        if rows:
            self.grid(["seq", "file", "hash_col", "collected"], rows,
                      [10 * mm, None, 62 * mm, 34 * mm])
        else:
            self.none()

    def interviews(self) -> None:
        self.heading("interviews")
        if self.cf.interviews:
            self.grid(["interviewee", "when", "interviewer", "summary_text"],
                      [[i.interviewee, _dt(i.held_at), i.interviewer, i.summary] for i in self.cf.interviews],
                      [38 * mm, 27 * mm, 28 * mm, None])
        else:
            self.none()
        self.sub(L.text("record_reviews"))
        if self.cf.record_reviews:
            self.grid(["record", "by", "findings_text"],
                      [[r.record, f"{r.reviewed_by}\n{_dt(r.reviewed_at)}", r.findings]
                       for r in self.cf.record_reviews],
                      [50 * mm, 32 * mm, None])
        else:
            self.none()

    def findings(self) -> None:
        self.heading("findings")
        if not self.cf.findings:
            self.none()
        for f in self.cf.findings:
            self.sub(f"{section_title('findings', self.lang)} {f.round}")
            rows = [("established", L.yes_no(f.established)), ("category", f.category),
                    ("nature", f.nature), ("severity", L.choice(Severity, f.severity)),
                    ("customer_loss", _money(f.customer_loss)), ("legal_matter", L.yes_no(f.legal_matter))]
            if f.responsible:
                rows.append(("responsible", "\n".join(
                    f"{r.name} ({r.staff_number}) — {L.choice(ResponsibilityType, r.responsibility)}"
                    for r in f.responsible)))
            rows.append(("fact_finder", f"{f.found_by}, {_dt(f.found_at)}"))
            self.pairs(rows)
            marks = [(k, getattr(f, k)) for k in ("facts_clear", "evidence_conclusive",
                                                   "characterization_accurate", "handling_appropriate")]
            self.grid(["four_principles", "status"],
                      [[L.text(k), L.yes_no(ok)] for k, ok in marks],
                      [90 * mm, None])

    def sanctions(self) -> None:
        self.heading("sanctions")
        if not self.cf.sanctions:
            self.none()
        for p in self.cf.sanctions:
            self.sub(f"{L.text('proposal')} {p.round} · {L.choice(ProposalStatus, p.status)}")
            self.pairs([("approval_level", L.choice(ApprovalLevel, p.required_level)),
                        ("proposed_by", f"{p.proposed_by}, {_dt(p.proposed_at)}"),
                        ("justification", p.justification)])
            rows = []
            for i in p.items:
                detail = i.detail or ""
                if i.amount is not None:
                    detail += f" {_money(i.amount)}"
                if i.period_start:
                    detail += f" {_dt(i.period_start)} – {_dt(i.period_end)}"
                execution = L.choice(SanctionStatus, i.status)
                if i.effective_date:
                    execution += f"\n{_dt(i.effective_date)} · {i.executed_by}"
                if i.execution_note:
                    execution += f"\n{i.execution_note}"
                rows.append([f"{i.person} ({i.staff_number})", L.choice(SanctionType, i.sanction_type),
                             detail.strip(), execution])
            self.grid(["person", "sanction", "detail", "execution"], rows,
                      [42 * mm, 45 * mm, 35 * mm, None])
            if p.decisions:
                self.grid(["approver", "approval_level", "decision", "when"],
                          [[d.approver, L.choice(ApprovalLevel, d.level),
                            L.choice(Decision, d.decision) + (f"\n{d.reason}" if d.reason else ""),
                            _dt(d.decided_at)] for d in p.decisions],
                          [35 * mm, 45 * mm, None, 30 * mm])

    def appeals(self) -> None:
        self.heading("appeals")
        if not self.cf.appeals:
            self.none("appeal_none")
            return
        self.grid(["when", "actor", "event"],
                  [[_dt(a.occurred_at), a.actor,
                    L.action(a.action) + (f"\n{a.reason}" if a.reason else "")] for a in self.cf.appeals],
                  [30 * mm, 35 * mm, None])

    def remediation(self) -> None:
        self.heading("remediation")
        self.sub(L.text("root_causes"))
        if self.cf.root_causes:
            self.grid(["round", "category", "description"],
                      [[str(c.round), L.choice(RootCauseCategory, c.category), c.description]
                       for c in self.cf.root_causes], [14 * mm, 40 * mm, None])
        else:
            self.none()
        self.sub(L.text("actions"))
        if self.cf.actions:
            rows = []
            for a in self.cf.actions:
                status = L.choice(ActionStatus, a.status)
                if a.completed_at:
                    status += f"\n{_dt(a.completed_at)}"
                proof = a.completion_note
                if a.proof_link:
                    proof += f"\n{a.proof_link}"
                if a.proof_sha256:
                    proof += f"\nSHA-256 {a.proof_sha256[:16]}…"
                rows.append([str(a.round), f"{L.choice(ActionKind, a.kind)}: {a.description}",
                             a.owner, _dt(a.due_date), status, proof.strip()])
            self.grid(["round", "actions", "owner", "due", "status", "proof"], rows,
                      [14 * mm, None, 22 * mm, 20 * mm, 22 * mm, 42 * mm])
        else:
            self.none()

    def reviews(self) -> None:
        self.heading("reviews")
        if not self.cf.reviews:
            self.none()
        for r in self.cf.reviews:
            self.sub(f"{section_title('reviews', self.lang)} {r.round} · {L.choice(Verdict, r.verdict)}")
            self.pairs([("timeliness", r.timeliness), ("pertinence", r.pertinence),
                        ("effectiveness", r.effectiveness), ("reason", r.reasons),
                        ("reviewer", f"{r.reviewer}, {_dt(r.reviewed_at)}")])

    def redress(self) -> None:
        self.heading("redress")
        if not self.cf.redress:
            self.none()
        for f in self.cf.redress:
            self.pairs([("notified_at", f"{_dt(f.notified_at)} ({f.channel})"),
                        ("notice", f.notice_summary), ("apology", L.yes_no(f.apology)),
                        ("compensation", _money(f.compensation)), ("paid_on", _dt(f.compensation_paid_on)),
                        ("customer_response", f.customer_response),
                        ("satisfaction", "—" if f.satisfaction is None else str(f.satisfaction)),
                        ("recorded_by", f.recorded_by)])
        if self.cf.outcome_notices:
            self.sub(L.text("outcome_notices"))
            self.grid(["outcome", "notice", "recipient", "when"],
                      [[L.choice(Outcome, n.outcome), n.text, n.recipient, _dt(n.sent_at)]
                       for n in self.cf.outcome_notices],
                      [35 * mm, None, 38 * mm, 27 * mm])

    def regulator(self) -> None:
        self.heading("regulator")
        if not self.cf.regulator_notices:
            self.none()
        for n in self.cf.regulator_notices:
            self.pairs([("regulator", n.regulator), ("notified_at", _dt(n.notified_at)),
                        ("regulator_reference", n.reference_number), ("summary_text", n.summary),
                        ("recorded_by", n.recorded_by)])

    def chain(self) -> None:
        c = self.cf.chain
        self.heading("chain")
        integrity = L.text("intact") if c.intact else f"{L.text('broken')}: {c.problem}"
        redacted = [str(e.seq) for e in self.cf.events if e.redacted]
        rows = [("chain", c.chain), ("chain_length", str(c.length)),
                ("head_hash", self.w.raw(c.head_hash, "mono")), ("integrity", integrity)]
        if redacted:
            rows.append(("redacted_events", ", ".join(redacted)))
        self.pairs(rows, label_width=55 * mm)
        self.story.append(self.w.raw(self.w.mk(L.text("chain_note")), "small"))

    def build(self) -> list:
        self.cover()
        for key in SECTIONS:
            getattr(self, key)()
        return self.story


def _short(value) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def render_casefile_pdf(casefile: CaseFile, *, lang: str) -> bytes:
    """Render the case file in ``lang`` (en, zh-hant, zh-hans). Touches no database."""
    lang = L.normalise_language(lang)
    embedded = _register_fonts()
    buf = io.BytesIO()
    with translation.override(lang):
        writer = _Writer(lang, embedded)
        doc = _CaseDoc(
            buf, casefile=casefile, writer=writer,
            title=f"{L.text('case_file')} {casefile.summary.reference}",
            author=casefile.export.institution,
            subject=L.text(f"class_{casefile.export.profile}"),
            creator="Accountability",
            lang=lang,
        )
        story = _Builder(casefile, lang, writer).build()
        try:
            doc.build(story)
        finally:
            doc.release()
    return buf.getvalue()

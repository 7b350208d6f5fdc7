"""The case file's sections, in order: section titles in every language, and the builder
that turns a :class:`CaseFile` into the story of flowables."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer, Table, TableStyle

from remediation.models import ActionKind, ActionStatus, RootCauseCategory, Verdict
from sanctions.describe import describe
from sanctions.models import ApprovalLevel, Decision, ProposalStatus, SanctionStatus, SanctionType
from violations.models import (
    EvidenceKind,
    MessageKind,
    Outcome,
    ResponsibilityType,
    Severity,
    Source,
    Stage,
    TeamRole,
    VerificationOutcome,
)

from .. import labels as L
from ..casefile import CaseFile
from ..labels import when
from .fonts import SANS
from .layout import Contents, SectionHeading
from .markup import ALERT, NAVY, RULE, SHADE, Writer
from .records import RecordSections

# Section titles per language: the PDF's headings, bookmarks and table of contents.
SECTIONS = [
    "summary",
    "parties",
    "timeline",
    "evidence",
    "interviews",
    "findings",
    "sanctions",
    "appeals",
    "remediation",
    "reviews",
    "redress",
    "regulator",
    "chain",
]
SECTION_TITLES: dict[str, dict[str, str]] = {
    "en": {
        "contents": "Contents",
        "summary": "Summary",
        "parties": "Parties",
        "timeline": "Timeline",
        "evidence": "Evidence register",
        "interviews": "Interviews and record reviews",
        "findings": "Findings",
        "sanctions": "Sanctions and approvals",
        "appeals": "Defence and appeal",
        "remediation": "Remediation",
        "reviews": "Effectiveness review",
        "redress": "Customer redress",
        "regulator": "Regulator notification",
        "chain": "Audit-chain head",
    },
    "zh-hant": {
        "contents": "目錄",
        "summary": "案件摘要",
        "parties": "當事人",
        "timeline": "處理時間線",
        "evidence": "證據登記冊",
        "interviews": "訪談及記錄審閱",
        "findings": "事實認定",
        "sanctions": "處罰及審批",
        "appeals": "申辯及申訴",
        "remediation": "整改措施",
        "reviews": "效果評估",
        "redress": "客戶補救",
        "regulator": "向監管部門報告",
        "chain": "審計鏈頭",
    },
    "zh-hans": {
        "contents": "目录",
        "summary": "案件摘要",
        "parties": "当事人",
        "timeline": "处理时间线",
        "evidence": "证据登记册",
        "interviews": "访谈及记录审阅",
        "findings": "事实认定",
        "sanctions": "处罚及审批",
        "appeals": "申辩及申诉",
        "remediation": "整改措施",
        "reviews": "效果评估",
        "redress": "客户补救",
        "regulator": "向监管部门报告",
        "chain": "审计链头",
    },
}
# The English titles as gettext strings, so a catalogue can override the built-in table.
_SECTION_MSGIDS = {
    "contents": _("Contents"),
    "summary": _("Summary"),
    "parties": _("Parties"),
    "timeline": _("Timeline"),
    "evidence": _("Evidence register"),
    "interviews": _("Interviews and record reviews"),
    "findings": _("Findings"),
    "sanctions": _("Sanctions and approvals"),
    "appeals": _("Defence and appeal"),
    "remediation": _("Remediation"),
    "reviews": _("Effectiveness review"),
    "redress": _("Customer redress"),
    "regulator": _("Regulator notification"),
    "chain": _("Audit-chain head"),
}


def section_title(key: str, lang: str) -> str:
    with translation.override(lang):
        translated = str(_SECTION_MSGIDS[key])
    if lang != "en" and translated != SECTION_TITLES["en"][key]:
        return translated
    return SECTION_TITLES[lang][key]


# A row taller than what is left of the page splits inside the row (its paragraphs split
# between lines) when at least this much of it fits: free text of any length flows on.
SPLIT_IN_ROW = 3 * 11


def _money(value) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _hash(value: str) -> str:
    return f"{value[:32]}<br/>{value[32:]}" if value and len(value) > 32 else (value or "—")


class Builder(RecordSections):
    def __init__(self, cf: CaseFile, lang: str, writer: Writer) -> None:
        self.cf = cf
        self.lang = lang
        self.w = writer
        self.story: list = []

    # helpers ------------------------------------------------------------------------------

    def heading(self, key: str) -> None:
        title = section_title(key, self.lang)
        self.story.append(
            SectionHeading(title, self.w.mk(title), self.w.styles["h1"], f"sec-{key}")
        )

    def sub(self, text: str) -> None:
        self.story.append(self.w.raw(self.w.mk(text), "h2"))

    def none(self, key: str = "none") -> None:
        self.story.append(self.w.raw(f"<i>{self.w.mk(L.text(key))}</i>", "small"))
        self.story.append(Spacer(1, 4))

    def pairs(self, rows: list[tuple[str, object]], *, label_width: float = 45 * mm) -> None:
        data = [
            [self.w.p(L.text(k), "label"), v if isinstance(v, Paragraph) else self.w.p(v)]
            for k, v in rows
        ]
        table = Table(data, colWidths=[label_width, None], hAlign="LEFT", splitInRow=SPLIT_IN_ROW)
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("FONTNAME", (0, 0), (-1, -1), SANS),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        self.story.append(table)
        self.story.append(Spacer(1, 6))

    def grid(self, header: list[str], rows: list[list], widths: list[float]) -> None:
        data = [[self.w.p(L.text(h), "head") for h in header]]
        data += [[c if isinstance(c, Paragraph) else self.w.p(c) for c in row] for row in rows]
        table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT", splitInRow=SPLIT_IN_ROW)
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("FONTNAME", (0, 0), (-1, -1), SANS),
                    ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, NAVY),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        self.story.append(table)
        self.story.append(Spacer(1, 6))

    def mono(self, value: str) -> Paragraph:
        return self.w.raw(_hash(value), "mono")

    # sections -----------------------------------------------------------------------------

    def cover(self) -> None:
        cf, w = self.cf, self.w
        s = cf.summary
        self.story += [
            w.raw(w.mk(cf.export.institution), "subtitle"),
            Spacer(1, 18 * mm),
            w.raw(w.mk(L.text("case_file")), "title"),
            Spacer(1, 4),
            w.raw(f"<b>{w.mk(s.reference)}</b> — {w.mk(s.title)}", "subtitle"),
            Spacer(1, 8 * mm),
        ]
        banner = Table([[w.p(L.text(f"class_{cf.export.profile}"), "banner")]], colWidths=[None])
        banner.setStyle(
            TableStyle(
                [
                    (
                        "BACKGROUND",
                        (0, 0),
                        (-1, -1),
                        ALERT if cf.export.profile != "bulletin" else NAVY,
                    ),
                    ("FONTNAME", (0, 0), (-1, -1), SANS),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ]
            )
        )
        self.story += [banner, Spacer(1, 6 * mm)]
        self.pairs(
            [
                ("reference", s.reference),
                ("institution", cf.export.institution),
                ("classification", L.text(f"class_{cf.export.profile}")),
                ("status", f"{L.choice(Stage, s.stage)} · {L.choice(Outcome, s.outcome)}"),
                ("severity", L.choice(Severity, s.severity)),
                ("export_date", when(cf.export.generated_at)),
                ("profile", L.text(f"profile_{cf.export.profile}")),
                ("recipient", cf.export.recipient),
                ("prepared_by", cf.export.prepared_by),
                ("times_in", settings.TIME_ZONE),
                ("head_hash", self.mono(cf.chain.head_hash)),
            ]
        )
        self.story.append(Spacer(1, 4 * mm))
        self.story.append(w.raw(w.mk(section_title("contents", self.lang)), "h2"))
        # Its lines are the section headings (see build); their pages are drawn by the canvas.
        self.contents = Contents()
        self.story += [self.contents, PageBreak()]

    def summary(self) -> None:
        s = self.cf.summary
        self.heading("summary")
        self.pairs(
            [
                ("title", s.title),
                ("description", s.description),
                ("source", L.choice(Source, s.source)),
                ("category", f"{L.named(s.category_names, s.category_name)} ({s.category_code})"),
                ("department", L.named(s.department_names, s.department)),
                ("occurred_at", when(s.occurred_at)),
                ("reported_at", when(s.reported_at)),
                ("ack_due", when(s.acknowledge_due_at)),
                ("acknowledged", when(s.acknowledged_at)),
                ("stage", L.choice(Stage, s.stage)),
                ("outcome", L.choice(Outcome, s.outcome)),
                ("severity", L.choice(Severity, s.severity)),
                ("closed_at", when(s.closed_at)),
            ]
        )
        v = self.cf.verification
        if v:
            self.sub(L.text("verification"))
            rows = [
                ("outcome", L.choice(VerificationOutcome, v.outcome)),
                ("reason", v.reason),
                ("first_evidence", v.first_evidence),
            ]
            if v.duplicate_of:
                rows.append(("duplicate_of", v.duplicate_of))
            rows.append(("by", f"{v.verified_by}, {when(v.verified_at)}"))
            self.pairs(rows)
        for r in self.cf.investigation_reports:
            self.sub(f"{L.text('investigation_report')} {r.round}")
            self.pairs(
                [
                    ("summary_text", r.summary),
                    ("conclusion", r.conclusion),
                    ("by", f"{r.submitted_by}, {when(r.submitted_at)}"),
                ]
            )

    def parties(self) -> None:
        p = self.cf.parties
        self.heading("parties")
        self.pairs(
            [
                ("anonymous", L.yes_no(p.anonymous)),
                ("reporting_person", p.reporter),
            ]
        )
        self.sub(L.text("subjects"))
        self.grid(
            ["name", "staff_number", "department", "position"],
            [
                [s.name, s.staff_number, L.named(s.department_names, s.department), s.position]
                for s in p.subjects
            ],
            [55 * mm, 30 * mm, 50 * mm, None],
        )
        self.sub(L.text("customer"))
        if p.customer:
            self.pairs(
                [
                    ("name", p.customer.name),
                    ("customer_reference", p.customer.reference),
                    ("contact", p.customer.contact),
                ]
            )
        else:
            self.none()
        self.sub(L.text("team"))
        if p.team:
            rows = []
            for m in p.team:
                if m.declared_at:
                    decl = f"{L.text('conflict' if m.has_conflict else 'no_conflict')}, {when(m.declared_at)}"
                else:
                    decl = L.text("pending")
                role = L.choice(TeamRole, m.role) + (
                    "" if m.active else f" ({L.text('left_team')})"
                )
                rows.append([m.user, role, decl])
            self.grid(["member", "role", "declaration"], rows, [45 * mm, 45 * mm, None])
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
            rows.append(
                [
                    str(e.number),
                    self.w.raw(file),
                    self.mono(e.sha256),
                    self.w.raw(f"{self.w.mk(e.collected_by)}<br/>{when(e.collected_at)}"),
                ]
            )
        if rows:
            self.grid(
                ["seq", "file", "hash_col", "collected"], rows, [10 * mm, None, 62 * mm, 34 * mm]
            )
        else:
            self.none()

    def interviews(self) -> None:
        self.heading("interviews")
        if self.cf.interviews:
            self.grid(
                ["interviewee", "when", "interviewer", "summary_text"],
                [
                    [i.interviewee, when(i.held_at), i.interviewer, i.summary]
                    for i in self.cf.interviews
                ],
                [38 * mm, 27 * mm, 28 * mm, None],
            )
        else:
            self.none()
        self.sub(L.text("record_reviews"))
        if self.cf.record_reviews:
            self.grid(
                ["record", "by", "findings_text"],
                [
                    [r.record, f"{r.reviewed_by}\n{when(r.reviewed_at)}", r.findings]
                    for r in self.cf.record_reviews
                ],
                [50 * mm, 32 * mm, None],
            )
        else:
            self.none()

    def findings(self) -> None:
        self.heading("findings")
        if not self.cf.findings:
            self.none()
        for f in self.cf.findings:
            self.sub(f"{section_title('findings', self.lang)} {f.round}")
            rows = [
                ("established", L.yes_no(f.established)),
                ("category", L.named(f.category_names, f.category)),
                ("nature", f.nature),
                ("severity", L.choice(Severity, f.severity)),
                ("customer_loss", _money(f.customer_loss)),
                ("legal_matter", L.yes_no(f.legal_matter)),
            ]
            if f.responsible:
                rows.append(
                    (
                        "responsible",
                        "\n".join(
                            f"{r.name} ({r.staff_number}) — {L.choice(ResponsibilityType, r.responsibility)}"
                            for r in f.responsible
                        ),
                    )
                )
            rows.append(("fact_finder", f"{f.found_by}, {when(f.found_at)}"))
            self.pairs(rows)
            marks = [
                (k, getattr(f, k))
                for k in (
                    "facts_clear",
                    "evidence_conclusive",
                    "characterization_accurate",
                    "handling_appropriate",
                )
            ]
            self.grid(
                ["four_principles", "status"],
                [[L.text(k), L.yes_no(ok)] for k, ok in marks],
                [90 * mm, None],
            )

    def sanctions(self) -> None:
        self.heading("sanctions")
        if not self.cf.sanctions:
            self.none()
        for p in self.cf.sanctions:
            self.sub(f"{L.text('proposal')} {p.round} · {L.choice(ProposalStatus, p.status)}")
            self.pairs(
                [
                    ("approval_level", L.choice(ApprovalLevel, p.required_level)),
                    ("proposed_by", f"{p.proposed_by}, {when(p.proposed_at)}"),
                    ("justification", p.justification),
                ]
            )
            rows = []
            for i in p.items:
                detail = "\n".join(
                    f"{label}: {value}"
                    for label, value in describe(
                        i.sanction_type,
                        {**i.parameters, "currency": i.currency} if i.currency else i.parameters,
                        amount=i.amount,
                        period_start=i.period_start,
                        period_end=i.period_end,
                        detail=i.detail,
                        date=when,
                    )
                )
                execution = L.choice(SanctionStatus, i.status)
                if i.effective_date:
                    execution += f"\n{when(i.effective_date)} · {i.executed_by}"
                if i.execution_note:
                    execution += f"\n{i.execution_note}"
                rows.append(
                    [
                        f"{i.person} ({i.staff_number})",
                        L.choice(SanctionType, i.sanction_type),
                        detail.strip(),
                        execution,
                    ]
                )
            self.grid(
                ["person", "sanction", "detail", "execution"],
                rows,
                [38 * mm, 38 * mm, 58 * mm, None],
            )
            if p.decisions:
                self.grid(
                    ["approver", "approval_level", "decision", "when"],
                    [
                        [
                            d.approver,
                            L.choice(ApprovalLevel, d.level),
                            L.choice(Decision, d.decision) + (f"\n{d.reason}" if d.reason else ""),
                            when(d.decided_at),
                        ]
                        for d in p.decisions
                    ],
                    [35 * mm, 45 * mm, None, 30 * mm],
                )

    def remediation(self) -> None:
        self.heading("remediation")
        self.sub(L.text("root_causes"))
        if self.cf.root_causes:
            self.grid(
                ["round", "category", "description"],
                [
                    [str(c.round), L.choice(RootCauseCategory, c.category), c.description]
                    for c in self.cf.root_causes
                ],
                [14 * mm, 40 * mm, None],
            )
        else:
            self.none()
        self.sub(L.text("actions"))
        if self.cf.actions:
            rows = []
            for a in self.cf.actions:
                status = L.choice(ActionStatus, a.status)
                if a.completed_at:
                    status += f"\n{when(a.completed_at)}"
                proof = a.completion_note
                if a.proof_link:
                    proof += f"\n{a.proof_link}"
                if a.proof_sha256:
                    proof += f"\nSHA-256 {a.proof_sha256[:16]}…"
                rows.append(
                    [
                        str(a.round),
                        f"{L.choice(ActionKind, a.kind)}: {a.description}",
                        a.owner,
                        when(a.due_date),
                        status,
                        proof.strip(),
                    ]
                )
            self.grid(
                ["round", "actions", "owner", "due", "status", "proof"],
                rows,
                [14 * mm, None, 22 * mm, 20 * mm, 22 * mm, 42 * mm],
            )
        else:
            self.none()

    def reviews(self) -> None:
        self.heading("reviews")
        if not self.cf.reviews:
            self.none()
        for r in self.cf.reviews:
            self.sub(
                f"{section_title('reviews', self.lang)} {r.round} · {L.choice(Verdict, r.verdict)}"
            )
            self.pairs(
                [
                    ("timeliness", r.timeliness),
                    ("pertinence", r.pertinence),
                    ("effectiveness", r.effectiveness),
                    ("reason", r.reasons),
                    ("reviewer", f"{r.reviewer}, {when(r.reviewed_at)}"),
                ]
            )

    def redress(self) -> None:
        self.heading("redress")
        if not self.cf.redress:
            self.none()
        for f in self.cf.redress:
            self.pairs(
                [
                    ("notified_at", f"{when(f.notified_at)} ({f.channel})"),
                    ("notice", f.notice_summary),
                    ("apology", L.yes_no(f.apology)),
                    ("compensation", _money(f.compensation)),
                    ("paid_on", when(f.compensation_paid_on)),
                    ("customer_response", f.customer_response),
                    ("satisfaction", "—" if f.satisfaction is None else str(f.satisfaction)),
                    ("recorded_by", f.recorded_by),
                ]
            )
        if self.cf.outcome_notices:
            self.sub(L.text("outcome_notices"))
            self.grid(
                ["outcome", "notice", "recipient", "when"],
                [
                    [L.choice(Outcome, n.outcome), n.text, n.recipient, when(n.sent_at)]
                    for n in self.cf.outcome_notices
                ],
                [35 * mm, None, 38 * mm, 27 * mm],
            )
        self.reporter_messages()

    def reporter_messages(self) -> None:
        """The reporter's mailbox, inside the outcome section (after the outcome notices)."""
        if not self.cf.reporter_messages:
            return
        self.sub(L.text("reporter_messages"))
        self.grid(
            ["when", "written_by", "kind", "message"],
            [
                [
                    when(m.sent_at),
                    L.text("from_reporter")
                    if m.direction == "from_reporter"
                    else (m.author or L.text("to_reporter")),
                    L.choice(MessageKind, m.kind),
                    m.text
                    + (
                        " " + L.text("attached") + " " + ", ".join(f"#{n}" for n in m.attachments)
                        if m.attachments
                        else ""
                    ),
                ]
                for m in self.cf.reporter_messages
            ],
            [27 * mm, 38 * mm, 28 * mm, None],
        )

    def regulator(self) -> None:
        self.heading("regulator")
        if not self.cf.regulator_notices:
            self.none()
        for n in self.cf.regulator_notices:
            self.pairs(
                [
                    ("regulator", n.regulator),
                    ("notified_at", when(n.notified_at)),
                    ("regulator_reference", n.reference_number),
                    ("summary_text", n.summary),
                    ("recorded_by", n.recorded_by),
                ]
            )

    def chain(self) -> None:
        c = self.cf.chain
        self.heading("chain")
        integrity = L.text("intact") if c.intact else f"{L.text('broken')}: {c.problem}"
        redacted = [str(e.seq) for e in self.cf.events if e.redacted]
        rows = [
            ("chain", c.chain),
            ("chain_length", str(c.length)),
            ("head_hash", self.w.raw(c.head_hash, "mono")),
            ("integrity", integrity),
        ]
        if redacted:
            rows.append(("redacted_events", ", ".join(redacted)))
        self.pairs(rows, label_width=55 * mm)
        self.story.append(self.w.raw(self.w.mk(L.text("chain_note")), "small"))

    def build(self) -> list:
        self.cover()
        for key in SECTIONS:
            getattr(self, key)()
            self.more(key)
        self.contents.entries = [
            (f.outline_text, f.outline_key) for f in self.story if isinstance(f, SectionHeading)
        ]
        return self.story

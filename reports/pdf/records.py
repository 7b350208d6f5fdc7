"""The case file's record sections: the timeline told in sentences, the right to be heard
and appeals, and the records that follow a section (superseded evidence, ended sanctions,
training, cancelled actions, complaint-clock extensions).

:class:`RecordSections` is a base of :class:`~reports.pdf.sections.Builder`: it uses the
builder's table helpers and adds, through :meth:`RecordSections.more`, what follows each
section. Every date is told by :func:`reports.labels.when` and every "[withheld]" in free
text in the file's language.
"""

from __future__ import annotations

from reportlab.lib.units import mm

from remediation.models import RootCauseCategory
from sanctions.models import AppealStatus, DefenceStatus, SanctionStatus, SanctionType

from .. import labels as L
from .. import timeline


def shown(value) -> str:
    """Free text as the file prints it: "[withheld]" in the file's language."""
    if value is None or value == "":
        return ""
    return L.markers(str(value))


class RecordSections:
    """Sections and subsections of the records a case holds; mixed into the builder."""

    def more(self, key: str) -> None:
        """What follows the section ``key``."""
        follow = {
            "evidence": self.superseded_evidence,
            "sanctions": self.ended_sanctions,
            "remediation": self.remediation_records,
            "redress": self.complaint_extensions,
        }.get(key)
        if follow is not None:
            follow()

    def _by(self, who: str, at) -> str:
        return f"{shown(who) or '—'}, {L.when(at)}" if who else L.when(at)

    # the timeline ----------------------------------------------------------------------------

    def timeline(self) -> None:
        self.heading("timeline")
        rows = []
        for e in self.cf.events:
            what = self.w.mk(shown(timeline.sentence(e)))
            if e.reason:
                what += f'<br/><font color="#5B6573">{self.w.mk(shown(e.reason))}</font>'
            rows.append(
                [
                    str(e.seq),
                    L.when(e.occurred_at),
                    self.w.p(shown(timeline.actor(e))),
                    self.w.raw(what),
                    self.w.raw(e.hash[:12], "mono"),
                ]
            )
        if rows:
            self.grid(
                ["seq", "when", "actor", "event", "hash_col"],
                rows,
                [10 * mm, 25 * mm, 35 * mm, None, 24 * mm],
            )
        else:
            self.none()

    # the right to be heard and appeals -------------------------------------------------------

    def appeals(self) -> None:
        self.heading("appeals")
        if not self.cf.defences and not self.cf.appeals:
            self.none("appeal_none")
            return
        for d in self.cf.defences:
            self.sub(
                f"{L.text('defence')} · {L.text('proposal')} {d.round} · "
                f"{shown(d.person)} ({shown(d.staff_number)})"
            )
            self.pairs(
                [
                    ("notified_at", L.when(d.notified_at)),
                    ("defence_notice", shown(d.notice)),
                    ("defence_due", L.when(d.due_at)),
                    ("status", L.choice(DefenceStatus, d.status)),
                    ("defence_statement", shown(d.statement)),
                    ("defence_received", L.when(d.received_at)),
                    ("recorded_by", shown(d.recorded_by)),
                ]
            )
        for a in self.cf.appeals:
            self.sub(
                f"{L.text('appeal')} · {L.text('proposal')} {a.round} · "
                f"{shown(a.appellant)} ({shown(a.staff_number)})"
            )
            self.pairs(
                [
                    ("appeal_grounds", shown(a.grounds)),
                    ("appeal_filed", self._by(a.filed_by, a.filed_at)),
                    ("appeal_decide_by", L.when(a.decide_by)),
                    ("status", L.choice(AppealStatus, a.status)),
                    ("appeal_decision", shown(a.decision_reason)),
                    (
                        "appeal_decided",
                        self._by(a.decided_by, a.decided_at) if a.decided_at else "",
                    ),
                ]
            )

    # what follows a section ------------------------------------------------------------------

    def superseded_evidence(self) -> None:
        replaced = [e for e in self.cf.evidence if e.superseded_by]
        if not replaced:
            return
        self.sub(L.text("superseded_evidence"))
        self.grid(
            ["seq", "file", "superseded_by", "reason"],
            [
                [str(e.number), shown(e.name), str(e.superseded_by), shown(e.superseded_reason)]
                for e in replaced
            ],
            [10 * mm, 55 * mm, 30 * mm, None],
        )

    def ended_sanctions(self) -> None:
        ended = [(p.round, i) for p in self.cf.sanctions for i in p.items if i.ended_at is not None]
        if not ended:
            return
        self.sub(L.text("ended_sanctions"))
        self.grid(
            ["person", "sanction", "status", "reason"],
            [
                [
                    f"{shown(i.person)} ({shown(i.staff_number)})",
                    f"{L.choice(SanctionType, i.sanction_type)} · {L.text('proposal')} {rnd}",
                    f"{L.choice(SanctionStatus, i.status)}\n{self._by(i.ended_by, i.ended_at)}",
                    shown(i.end_reason),
                ]
                for rnd, i in ended
            ],
            [40 * mm, 40 * mm, 40 * mm, None],
        )

    def remediation_records(self) -> None:
        cancelled = [a for a in self.cf.actions if a.cancelled_at is not None]
        if cancelled:
            self.sub(L.text("cancelled_actions"))
            self.grid(
                ["actions", "by", "reason"],
                [
                    [
                        shown(a.description),
                        self._by(a.cancelled_by, a.cancelled_at),
                        shown(a.cancel_reason),
                    ]
                    for a in cancelled
                ],
                [60 * mm, 40 * mm, None],
            )
        self.sub(L.text("training"))
        if not self.cf.training:
            self.none()
        for t in self.cf.training:
            self.pairs(
                [
                    ("training_topic", shown(t.topic)),
                    ("training_held_on", L.when(t.held_on)),
                    ("trainer", shown(t.trainer)),
                    ("training_attendees", ", ".join(shown(a) for a in t.attendees)),
                    (
                        "root_causes",
                        ", ".join(L.choice(RootCauseCategory, c) for c in t.root_causes),
                    ),
                    ("training_notes", shown(t.notes)),
                    ("recorded_by", self._by(t.recorded_by, t.recorded_at)),
                ]
            )

    def complaint_extensions(self) -> None:
        if not self.cf.complaint_extensions:
            return
        self.sub(L.text("complaint_extensions"))
        self.grid(
            ["extension_days", "reason", "by"],
            [
                [str(x.limit_days), shown(x.reason), self._by(x.extended_by, x.extended_at)]
                for x in self.cf.complaint_extensions
            ],
            [30 * mm, None, 45 * mm],
        )

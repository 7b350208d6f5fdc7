"""The case file as a typed tree: what the PDF shows and what ``case.json`` carries.

A selector (:func:`reports.selectors.build_casefile`) fills it from the database, already
redacted for its recipient profile; the PDF builder and the bundle writer only read it.
Fields hold codes (``"major"``, ``"direct"``), never translated labels, so one tree renders
in every language and serialises to a language-neutral JSON document. Names of reference
data (categories, departments) come in every language the institution keeps them in
(:data:`Names`), beside the English one, and the PDF prints its own language's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

SCHEMA_ID = "https://accountability.example/schemas/case-v2.json"
SCHEMA_VERSION = "2.2"  # docs/case-schema.md says what changed

# Field metadata: values that stay inside the application and never go into case.json.
INTERNAL = {"export": False}

# A reference-data name by language code ("en", "zh-hant", "zh-hans"), each filled (a name
# not yet translated reads as the language it falls back to).
Names = dict[str, str]


class Profile(enum.StrEnum):
    """Who the file is for, which decides what is withheld."""

    INTERNAL = "internal"  # everything the viewer may see
    REGULATOR = "regulator"  # reporter withheld, customer contact masked
    BULLETIN = "bulletin"  # fully anonymised, for staff education


WITHHELD = "[withheld]"


@dataclass(frozen=True)
class ExportInfo:
    institution: str
    profile: str
    generated_at: dt.datetime
    prepared_by: str  # the viewer by name and position, or "system" for CLI exports
    recipient: str
    schema_version: str = SCHEMA_VERSION


@dataclass(frozen=True)
class Summary:
    reference: str
    title: str
    description: str
    source: str
    category_code: str
    category_name: str  # in English
    category_names: Names
    department: str  # in English
    department_names: Names
    occurred_at: dt.datetime
    reported_at: dt.datetime
    acknowledge_due_at: dt.datetime
    acknowledged_at: dt.datetime | None
    stage: str
    outcome: str
    severity: str
    closed_at: dt.datetime | None


@dataclass(frozen=True)
class Subject:
    name: str
    staff_number: str
    department: str  # in English
    department_names: Names
    position: str


@dataclass(frozen=True)
class Customer:
    name: str
    reference: str
    contact: str


@dataclass(frozen=True)
class TeamEntry:
    user: str
    role: str
    active: bool
    declared_at: dt.datetime | None
    has_conflict: bool


@dataclass(frozen=True)
class Parties:
    anonymous: bool
    reporter: str  # name and position, or WITHHELD
    reporter_withheld: bool
    subjects: list[Subject]
    customer: Customer | None
    team: list[TeamEntry]


@dataclass(frozen=True)
class VerificationEntry:
    outcome: str
    reason: str
    first_evidence: str
    duplicate_of: str
    verified_by: str
    verified_at: dt.datetime


@dataclass(frozen=True)
class ChainEvent:
    """One audit event with the exact content its hash covers (see ``ledger.chain.event_content``).

    ``content`` is the canonical dictionary; when the profile withholds something in it,
    the withheld values are replaced and ``redacted`` names the fields touched, so a
    verifier checks that event by its links only.
    """

    seq: int
    occurred_at: dt.datetime
    action: str
    actor: str  # as shown to this recipient: name and position, a pseudonym or WITHHELD
    reason: str
    hash: str
    prev_hash: str
    content: dict[str, Any]
    redacted: list[str] = field(default_factory=list)
    # The payload as the timeline tells it: people by name (or pseudonym), evidence by its
    # number in the register. Not exported: events.json carries ``content``.
    facts: dict[str, Any] = field(default_factory=dict, metadata=INTERNAL)
    # Events with salted commitments (ledger.chain.event_hash): the salt of each field shown,
    # and the commitment alone of each field withheld; empty for older events. Exported in
    # events.json, beside ``content``.
    salts: dict[str, str] = field(default_factory=dict, metadata=INTERNAL)
    commitments: dict[str, str] = field(default_factory=dict, metadata=INTERNAL)


@dataclass(frozen=True)
class EvidenceEntry:
    number: int
    name: str
    kind: str
    description: str
    content_type: str
    size: int
    sha256: str
    collected_by: str
    collected_at: dt.datetime
    superseded_by: int | None
    superseded_reason: str
    bundle_path: str  # where the file sits in a bundle ("" when the profile leaves it out)
    storage_name: str = field(default="", metadata=INTERNAL)


@dataclass(frozen=True)
class InterviewEntry:
    interviewee: str
    held_at: dt.datetime
    interviewer: str
    summary: str


@dataclass(frozen=True)
class RecordReviewEntry:
    record: str
    reviewed_by: str
    reviewed_at: dt.datetime
    findings: str


@dataclass(frozen=True)
class ReportEntry:
    round: int
    summary: str
    conclusion: str
    submitted_by: str
    submitted_at: dt.datetime


@dataclass(frozen=True)
class ResponsibleEntry:
    name: str
    staff_number: str
    responsibility: str


@dataclass(frozen=True)
class FindingEntry:
    round: int
    established: bool
    category: str  # in English
    category_names: Names
    nature: str
    severity: str
    customer_loss: Decimal
    legal_matter: bool
    facts_clear: bool
    evidence_conclusive: bool
    characterization_accurate: bool
    handling_appropriate: bool
    found_by: str
    found_at: dt.datetime
    responsible: list[ResponsibleEntry]


@dataclass(frozen=True)
class SanctionEntry:
    person: str
    staff_number: str
    sanction_type: str
    detail: str  # a remark, or the free text an older proposal could not be read from
    amount: Decimal | None
    currency: str  # ISO 4217, with an amount
    period_start: dt.date | None
    period_end: dt.date | None
    parameters: dict[str, Any]  # the kind's own values (docs/case-schema.md)
    status: str
    effective_date: dt.date | None
    executed_by: str
    executed_at: dt.datetime | None
    execution_note: str
    ended_at: dt.datetime | None  # expired, lifted, revoked or replaced on appeal
    ended_by: str
    end_reason: str


@dataclass(frozen=True)
class DecisionEntry:
    approver: str
    level: str
    decision: str
    reason: str
    decided_at: dt.datetime


@dataclass(frozen=True)
class ProposalEntry:
    round: int
    status: str
    required_level: str
    justification: str
    proposed_by: str
    proposed_at: dt.datetime
    items: list[SanctionEntry]
    decisions: list[DecisionEntry]


@dataclass(frozen=True)
class DefenceEntry:
    """The right to be heard: the notice a person was sent, by when they could answer,
    and their answer."""

    round: int  # of the sanction proposal the notice was about
    person: str
    staff_number: str
    notified_at: dt.datetime
    notice: str
    due_at: dt.datetime
    status: str  # pending, statement, waived, none
    statement: str
    received_at: dt.datetime | None
    recorded_by: str


@dataclass(frozen=True)
class AppealEntry:
    """A sanctioned person's appeal: the grounds, and the decision with its reasons."""

    round: int  # of the sanction proposal appealed against
    appellant: str
    staff_number: str
    grounds: str
    filed_at: dt.datetime
    filed_by: str
    decide_by: dt.datetime
    status: str  # open, upheld, modified, revoked
    decided_by: str
    decided_at: dt.datetime | None
    decision_reason: str


@dataclass(frozen=True)
class TrainingEntry:
    """A training session held because of this case (it may answer other cases too)."""

    topic: str
    held_on: dt.date
    trainer: str
    notes: str
    attendees: list[str]
    root_causes: list[str]  # categories of this case's root causes it answers
    recorded_by: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class ExtensionEntry:
    """The complaint clock of a complex case, extended with a reason."""

    limit_days: int
    reason: str
    extended_by: str
    extended_at: dt.datetime


@dataclass(frozen=True)
class RootCauseEntry:
    round: int
    category: str
    description: str
    identified_by: str


@dataclass(frozen=True)
class ActionEntry:
    round: int
    kind: str
    description: str
    owner: str
    due_date: dt.date
    status: str
    completed_at: dt.datetime | None
    completion_note: str
    proof_link: str
    proof_sha256: str
    cancel_reason: str
    cancelled_by: str
    cancelled_at: dt.datetime | None


@dataclass(frozen=True)
class ReviewEntry:
    round: int
    verdict: str
    timeliness: str
    pertinence: str
    effectiveness: str
    reasons: str
    reviewer: str
    reviewed_at: dt.datetime
    evidence: dict[str, Any]


@dataclass(frozen=True)
class RedressEntry:
    channel: str
    notified_at: dt.datetime
    notice_summary: str
    apology: bool
    compensation: Decimal
    compensation_paid_on: dt.date | None
    customer_response: str
    satisfaction: int | None
    recorded_by: str


@dataclass(frozen=True)
class RegulatorNoticeEntry:
    regulator: str
    notified_at: dt.datetime
    reference_number: str
    summary: str
    recorded_by: str


@dataclass(frozen=True)
class OutcomeNoticeEntry:
    outcome: str
    text: str
    recipient: str
    sent_at: dt.datetime


@dataclass(frozen=True)
class ReporterMessageEntry:
    """A message of the reporter's mailbox. ``author`` is the team member who wrote it, ""
    for the reporter's own (who is named nowhere)."""

    direction: str
    kind: str
    text: str
    author: str
    sent_at: dt.datetime
    attachments: list[int]  # evidence register numbers


@dataclass(frozen=True)
class ChainHead:
    chain: str
    length: int
    head_hash: str
    intact: bool  # every hash recomputed and every link checked when the file was built
    problem: str


@dataclass(frozen=True)
class CaseFile:
    export: ExportInfo
    summary: Summary
    parties: Parties
    verification: VerificationEntry | None
    events: list[ChainEvent]
    evidence: list[EvidenceEntry]
    interviews: list[InterviewEntry]
    record_reviews: list[RecordReviewEntry]
    investigation_reports: list[ReportEntry]
    findings: list[FindingEntry]
    sanctions: list[ProposalEntry]
    defences: list[DefenceEntry]
    appeals: list[AppealEntry]
    root_causes: list[RootCauseEntry]
    actions: list[ActionEntry]
    training: list[TrainingEntry]
    reviews: list[ReviewEntry]
    redress: list[RedressEntry]
    complaint_extensions: list[ExtensionEntry]
    regulator_notices: list[RegulatorNoticeEntry]
    outcome_notices: list[OutcomeNoticeEntry]
    reporter_messages: list[ReporterMessageEntry]
    chain: ChainHead


# --- JSON ------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.metadata.get("export", True)
        }
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_json(value: Any) -> Any:
    """A value as it appears in case.json: datetimes in UTC with "Z", decimals as strings."""
    return _plain(value)


def casefile_document(casefile: CaseFile) -> dict[str, Any]:
    """``case.json``: the whole tree except the events (those go to ``events.json``)."""
    body = _plain(casefile)
    body.pop("events")
    return {"$schema": SCHEMA_ID, "schema_version": SCHEMA_VERSION, **body}


def events_document(casefile: CaseFile) -> dict[str, Any]:
    """``events.json``: the audit chain, each event with the content its hash covers."""
    return {
        "schema_version": SCHEMA_VERSION,
        "case": casefile.summary.reference,
        "chain": casefile.chain.chain,
        "hash_algorithm": "sha256",
        "canonical_form": "JSON, keys sorted, separators ',' ':', UTF-8, non-ASCII unescaped",
        "events": [
            {
                "seq": e.seq,
                "hash": e.hash,
                "prev_hash": e.prev_hash,
                "redacted": list(e.redacted),
                "content": e.content,
                **({"salts": e.salts, "commitments": e.commitments} if e.salts else {}),
            }
            for e in casefile.events
        ],
    }

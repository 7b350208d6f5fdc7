"""The case file read from the database: the case read whole, then one helper per section,
each redacted for the recipient's profile."""

from __future__ import annotations

import datetime as dt
import os

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils import timezone, translation

from ledger.chain import commitments, event_content, event_hash, field_salt, withheld_fields
from ledger.models import AuditEvent
from violations import audit
from violations import selectors as case_selectors
from violations.models import Case, Stage

from ..casefile import (
    WITHHELD,
    ActionEntry,
    AppealEntry,
    CaseFile,
    ChainEvent,
    ChainHead,
    Customer,
    DecisionEntry,
    DefenceEntry,
    EvidenceEntry,
    ExportInfo,
    ExtensionEntry,
    FindingEntry,
    InterviewEntry,
    Names,
    OutcomeNoticeEntry,
    Parties,
    Profile,
    ProposalEntry,
    RecordReviewEntry,
    RedressEntry,
    RegulatorNoticeEntry,
    ReportEntry,
    ReporterMessageEntry,
    ResponsibleEntry,
    ReviewEntry,
    RootCauseEntry,
    SanctionEntry,
    Subject,
    Summary,
    TeamEntry,
    TrainingEntry,
    VerificationEntry,
)
from ..redaction import Redactor
from . import people
from .redactor import build_redactor, case_user_ids

# Records of later stages that the case page does not read, named by relation so that
# this module imports none of their apps' models.
LATER_RECORDS = (
    "sanction_proposals__defences__employee",
    "sanction_proposals__items__ended_by",
    "appeals__employee",
    "appeals__proposal",
    "training_sessions__attendees",
    "training_sessions__root_causes",
    "complaint_extensions",
    "interviews__interviewee_employee",
    "reporter_messages__author__employee",
    "reporter_messages__attachments",
)


def names(row) -> Names:
    """The name of a department or category in every language (modeltranslation gives the
    active language's, or the one it falls back to)."""
    found = {}
    for code, _label in settings.LANGUAGES:
        with translation.override(code):
            found[code] = row.name
    return found


def build_casefile(
    case: Case,
    *,
    profile: Profile | str,
    viewer,
    recipient: str = "",
    now: dt.datetime | None = None,
) -> CaseFile:
    """Everything about one case, redacted for ``profile``. Reads only."""
    profile = Profile(profile)
    case = case_selectors.case_page(case.reference)  # read whole: every register prefetched
    prefetch_related_objects([case], *LATER_RECORDS)
    events = list(audit.events_of(case).select_related("chain"))
    viewer_id = getattr(viewer, "pk", None)
    known = people.staff(
        [*case_user_ids(case), *(e.actor_id for e in events), viewer_id],
        set().union(*(people.logins_in(e.action, e.payload) for e in events)),
    )
    red, reporter_withheld = build_redactor(
        case, events, profile=profile, viewer=viewer, known=known
    )
    facts = _Facts(case, red, known)
    chain_events, head = _chain(case, events, red, facts)
    return CaseFile(
        export=_export(profile, viewer=known.get(viewer_id), recipient=recipient, now=now),
        summary=_summary(case, red),
        parties=_parties(case, red, reporter_withheld=reporter_withheld),
        verification=_verification(case, red),
        events=chain_events,
        evidence=_evidence(case, red, profile),
        interviews=_interviews(case, red),
        record_reviews=_record_reviews(case, red),
        investigation_reports=_investigation_reports(case, red),
        findings=_findings(case, red),
        sanctions=_sanctions(case, red),
        defences=_defences(case, red, profile),
        appeals=_appeals(case, red, profile),
        root_causes=_root_causes(case, red),
        actions=_actions(case, red),
        training=_training(case, red),
        reviews=_reviews(case, red),
        redress=_redress(case, red),
        complaint_extensions=_extensions(case, red),
        regulator_notices=_regulator_notices(case, red),
        outcome_notices=_outcome_notices(case, facts),
        reporter_messages=_reporter_messages(case, red, profile, facts),
        chain=head,
    )


def closed_cases(since: dt.date, *, ids_only: bool = False):
    """Closed cases, oldest first, read in chunks so a long run keeps memory flat."""
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    qs = Case.objects.filter(stage=Stage.CLOSED, closed_at__gte=start).order_by("closed_at", "pk")
    if ids_only:
        return qs.values("pk")
    return qs.only("pk", "reference").iterator(chunk_size=100)


# --- the sections, in the order of the file ------------------------------------------------


def _export(profile: Profile, *, viewer, recipient: str, now: dt.datetime | None) -> ExportInfo:
    return ExportInfo(
        institution=settings.ACCOUNTABILITY["INSTITUTION_NAME"],
        profile=profile.value,
        generated_at=now or timezone.now(),
        prepared_by=(
            ""
            if profile == Profile.BULLETIN
            else (people.describe(viewer) if viewer is not None else "system")
        ),
        recipient=recipient,
    )


def _summary(case: Case, red: Redactor) -> Summary:
    category, department = names(case.category), names(case.department)
    return Summary(
        reference=case.reference,
        title=red.text(case.title),
        description=red.text(case.description),
        source=case.source,
        category_code=case.category.code,
        category_name=category["en"],
        category_names=category,
        department=department["en"],
        department_names=department,
        occurred_at=case.occurred_at,
        reported_at=case.reported_at,
        acknowledge_due_at=case.acknowledge_due_at,
        acknowledged_at=case.acknowledged_at,
        stage=case.stage,
        outcome=case.outcome,
        severity=case.severity,
        closed_at=case.closed_at,
    )


def _parties(case: Case, red: Redactor, *, reporter_withheld: bool) -> Parties:
    customer = None
    if case.customer_involved:
        customer = Customer(
            name=red.field(case.customer_name),
            reference=red.field(case.customer_reference),
            contact=red.field(case.customer_contact),
        )
    return Parties(
        anonymous=case.is_anonymous,
        reporter=(
            WITHHELD
            if reporter_withheld
            else (red.user(case.reported_by) if case.reported_by_id else "")
        ),
        reporter_withheld=reporter_withheld,
        subjects=[
            Subject(
                name=red.field(s.name),
                staff_number=red.field(s.staff_number),
                department=names(s.department)["en"],
                department_names=names(s.department),
                position=s.position,
            )
            for s in case.subjects.all()
        ],
        customer=customer,
        team=[
            TeamEntry(
                user=red.user(m.user),
                role=m.role,
                active=m.active,
                declared_at=m.declared_at,
                has_conflict=m.has_conflict,
            )
            for m in case.team.all()
        ],
    )


def _verification(case: Case, red: Redactor) -> VerificationEntry | None:
    if not hasattr(case, "verification"):
        return None
    v = case.verification
    return VerificationEntry(
        outcome=v.outcome,
        reason=red.text(v.reason),
        first_evidence=red.text(v.first_evidence),
        duplicate_of=v.duplicate_of.reference if v.duplicate_of_id else "",
        verified_by=red.user(v.verified_by),
        verified_at=v.verified_at,
    )


def _hash(event: AuditEvent) -> str | None:
    try:
        return event_hash(event)
    except ValueError:  # a salt that is not hexadecimal: tampered
        return None


def _chain(
    case: Case, events: list[AuditEvent], redactor: Redactor, facts: _Facts
) -> tuple[list[ChainEvent], ChainHead]:
    """Recompute every hash and link while reading, so a broken chain is never exported silently."""
    out: list[ChainEvent] = []
    problem = ""
    prev = "0" * 64
    for event in events:
        content = event_content(event)
        if not problem:
            if event.prev_hash != prev:
                problem = f"event {event.seq}: previous-hash link broken"
            elif _hash(event) != event.hash:
                problem = f"event {event.seq}: content does not match its hash"
        prev = event.hash
        shown, touched = redactor.event_content(content)
        # Content erased from the stored event after its retention is published as its
        # commitment, as a field the profile withholds is.
        touched = [*touched, *(k for k in withheld_fields(event) if k not in touched)]
        salts: dict[str, str] = {}
        withheld: dict[str, str] = {}
        try:  # a field withheld is published as its salted commitment only
            if event.salt:
                commits = commitments(event)
                salts = {k: field_salt(event.salt, k) for k in content if k not in touched}
                withheld = {k: commits[k] for k in touched}
        except ValueError:  # a salt that is not hexadecimal: tampered
            problem = problem or f"event {event.seq}: content does not match its hash"
        out.append(
            ChainEvent(
                seq=event.seq,
                occurred_at=event.occurred_at,
                action=event.action,
                actor=_actor(redactor, event, shown, facts.by_id),
                reason=shown["reason"],
                hash=event.hash,
                prev_hash=event.prev_hash,
                content=shown,
                redacted=touched,
                salts=salts,
                commitments=withheld,
                facts=facts.of(event.action, content.get("payload", {})),
            )
        )
    key = events[0].chain.key if events else f"case:{case.pk}"
    head = ChainHead(
        chain=key,
        length=len(events),
        head_hash=events[-1].hash if events else "0" * 64,
        intact=not problem,
        problem=problem,
    )
    return out, head


def _evidence(case: Case, red: Redactor, profile: Profile) -> list[EvidenceEntry]:
    rows = list(case.evidence.all())
    number_of = {e.pk: n for n, e in enumerate(rows, start=1)}
    out = []
    for n, e in enumerate(rows, start=1):
        name = e.original_name
        if profile == Profile.BULLETIN:
            name = f"evidence-{n:03d}{os.path.splitext(name)[1].lower()}"
        else:
            name = red.text(name)
        out.append(
            EvidenceEntry(
                number=n,
                name=name,
                kind=e.kind,
                description=red.text(e.description),
                content_type=e.content_type,
                size=e.size,
                sha256=e.sha256,
                collected_by=red.user(e.collected_by),
                collected_at=e.collected_at,
                superseded_by=number_of.get(e.superseded_by_id),
                superseded_reason=red.text(e.superseded_reason),
                # No file once erased after its retention: the register keeps its hash.
                bundle_path=_evidence_path(n, name, profile) if e.file.name else "",
                storage_name=e.file.name,
            )
        )
    return out


def _evidence_path(number: int, name: str, profile: Profile) -> str:
    if profile == Profile.BULLETIN:
        return ""  # files may identify people; the register keeps their hashes
    return f"evidence/{number:03d}-{name}"


def _interviews(case: Case, red: Redactor) -> list[InterviewEntry]:
    return [
        InterviewEntry(
            interviewee=red.field(i.interviewee),
            held_at=i.held_at,
            interviewer=red.user(i.interviewer),
            summary=red.text(i.summary),
        )
        for i in case.interviews.all()
    ]


def _record_reviews(case: Case, red: Redactor) -> list[RecordReviewEntry]:
    return [
        RecordReviewEntry(
            record=red.text(r.record),
            reviewed_by=red.user(r.reviewed_by),
            reviewed_at=r.reviewed_at,
            findings=red.text(r.findings),
        )
        for r in case.record_reviews.all()
    ]


def _investigation_reports(case: Case, red: Redactor) -> list[ReportEntry]:
    return [
        ReportEntry(
            round=r.round,
            summary=red.text(r.summary),
            conclusion=red.text(r.conclusion),
            submitted_by=red.user(r.submitted_by),
            submitted_at=r.submitted_at,
        )
        for r in case.investigation_reports.all()
    ]


def _findings(case: Case, red: Redactor) -> list[FindingEntry]:
    return [
        FindingEntry(
            round=f.round,
            established=f.established,
            category=names(f.category)["en"],
            category_names=names(f.category),
            nature=red.text(f.nature),
            severity=f.severity,
            customer_loss=f.customer_loss,
            legal_matter=f.legal_matter,
            facts_clear=f.facts_clear,
            evidence_conclusive=f.evidence_conclusive,
            characterization_accurate=f.characterization_accurate,
            handling_appropriate=f.handling_appropriate,
            found_by=red.user(f.found_by),
            found_at=f.found_at,
            responsible=[
                ResponsibleEntry(
                    name=red.field(r.employee.name),
                    staff_number=red.field(r.employee.staff_number),
                    responsibility=r.responsibility,
                )
                for r in f.responsible.all()
            ],
        )
        for f in case.findings.all()
    ]


def _parameters(params, red: Redactor) -> dict:
    """A sanction's parameters as stored, free text passed through the profile's redaction."""

    def clean(value):
        if isinstance(value, str):
            return red.text(value)
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    return clean(params) if isinstance(params, dict) else {}


def _sanctions(case: Case, red: Redactor) -> list[ProposalEntry]:
    return [
        ProposalEntry(
            round=p.round,
            status=p.status,
            required_level=p.required_level,
            justification=red.text(p.justification),
            proposed_by=red.user(p.proposed_by),
            proposed_at=p.proposed_at,
            items=[
                SanctionEntry(
                    person=red.field(i.employee.name),
                    staff_number=red.field(i.employee.staff_number),
                    sanction_type=i.sanction_type,
                    detail=red.text(i.detail),
                    amount=i.amount,
                    currency=(i.parameters or {}).get("currency", "") if i.amount else "",
                    period_start=i.period_start,
                    period_end=i.period_end,
                    parameters=_parameters(i.parameters, red),
                    status=i.status,
                    effective_date=i.effective_date,
                    executed_by=red.user(i.executed_by) if i.executed_by_id else "",
                    executed_at=i.executed_at,
                    execution_note=red.text(i.execution_note),
                    ended_at=i.ended_at,
                    ended_by=red.user(i.ended_by) if i.ended_by_id else "",
                    end_reason=red.text(i.end_reason),
                )
                for i in p.items.all()
            ],
            decisions=[
                DecisionEntry(
                    approver=red.user(d.approver),
                    level=d.level,
                    decision=d.decision,
                    reason=red.text(d.reason),
                    decided_at=d.decided_at,
                )
                for d in p.decisions.all()
            ],
        )
        for p in case.sanction_proposals.all()
    ]


def _private(red: Redactor, profile: Profile, value: str) -> str:
    """A person's own words to the institution (a statement, grounds of appeal, a notice
    addressed to them): the bulletin says such words exist, never what they were."""
    if profile == Profile.BULLETIN and value:
        return WITHHELD
    return red.text(value)


def _defences(case: Case, red: Redactor, profile: Profile) -> list[DefenceEntry]:
    return [
        DefenceEntry(
            round=p.round,
            person=red.field(d.employee.name),
            staff_number=red.field(d.employee.staff_number),
            notified_at=d.notified_at,
            notice=_private(red, profile, d.notice),
            due_at=d.due_at,
            status=d.status,
            statement=_private(red, profile, d.statement),
            received_at=d.received_at,
            recorded_by=red.user(d.recorded_by) if d.recorded_by_id else "",
        )
        for p in case.sanction_proposals.all()
        for d in p.defences.all()
    ]


def _appeals(case: Case, red: Redactor, profile: Profile) -> list[AppealEntry]:
    return [
        AppealEntry(
            round=a.proposal.round,
            appellant=red.field(a.employee.name),
            staff_number=red.field(a.employee.staff_number),
            grounds=_private(red, profile, a.grounds),
            filed_at=a.filed_at,
            filed_by=red.user(a.filed_by),
            decide_by=a.decide_by,
            status=a.status,
            decided_by=red.user(a.decided_by) if a.decided_by_id else "",
            decided_at=a.decided_at,
            decision_reason=_private(red, profile, a.decision_reason),
        )
        for a in case.appeals.all()
    ]


def _training(case: Case, red: Redactor) -> list[TrainingEntry]:
    own_causes = {c.pk for c in case.root_causes.all()}
    return [
        TrainingEntry(
            topic=red.text(t.topic),
            held_on=t.held_on,
            trainer=red.field(t.trainer),
            notes=red.text(t.notes),
            attendees=[red.field(e.name) for e in t.attendees.all()],
            root_causes=sorted({c.category for c in t.root_causes.all() if c.pk in own_causes}),
            recorded_by=red.user(t.recorded_by),
            recorded_at=t.recorded_at,
        )
        for t in sorted(case.training_sessions.all(), key=lambda t: (t.held_on, t.pk))
    ]


def _extensions(case: Case, red: Redactor) -> list[ExtensionEntry]:
    return [
        ExtensionEntry(
            limit_days=x.limit_days,
            reason=red.text(x.reason),
            extended_by=red.user(x.extended_by),
            extended_at=x.extended_at,
        )
        for x in case.complaint_extensions.all()
    ]


def _root_causes(case: Case, red: Redactor) -> list[RootCauseEntry]:
    return [
        RootCauseEntry(
            round=c.round,
            category=c.category,
            description=red.text(c.description),
            identified_by=red.user(c.identified_by),
        )
        for c in case.root_causes.all()
    ]


def _actions(case: Case, red: Redactor) -> list[ActionEntry]:
    sha_of = {e.pk: e.sha256 for e in case.evidence.all()}
    return [
        ActionEntry(
            round=a.round,
            kind=a.kind,
            description=red.text(a.description),
            owner=red.user(a.owner),
            due_date=a.due_date,
            status=a.status,
            completed_at=a.completed_at,
            completion_note=red.text(a.completion_note),
            proof_link=a.proof_link,
            proof_sha256=sha_of.get(a.proof_id, ""),
            cancel_reason=red.text(a.cancel_reason),
            cancelled_by=red.user(a.cancelled_by) if a.cancelled_by_id else "",
            cancelled_at=a.cancelled_at,
        )
        for a in case.corrective_actions.all()
    ]


def _reviews(case: Case, red: Redactor) -> list[ReviewEntry]:
    return [
        ReviewEntry(
            round=r.round,
            verdict=r.verdict,
            timeliness=red.text(r.timeliness),
            pertinence=red.text(r.pertinence),
            effectiveness=red.text(r.effectiveness),
            reasons=red.text(r.reasons),
            reviewer=red.user(r.reviewer),
            reviewed_at=r.reviewed_at,
            evidence=red.data(r.evidence),
        )
        for r in case.effectiveness_reviews.all()
    ]


def _redress(case: Case, red: Redactor) -> list[RedressEntry]:
    return [
        RedressEntry(
            channel=f.channel,
            notified_at=f.notified_at,
            notice_summary=red.text(f.notice_summary),
            apology=f.apology,
            compensation=f.compensation,
            compensation_paid_on=f.compensation_paid_on,
            customer_response=red.text(f.customer_response),
            satisfaction=f.satisfaction,
            recorded_by=red.user(f.recorded_by),
        )
        for f in case.customer_feedback.all()
    ]


def _regulator_notices(case: Case, red: Redactor) -> list[RegulatorNoticeEntry]:
    return [
        RegulatorNoticeEntry(
            regulator=n.regulator,
            notified_at=n.notified_at,
            reference_number=n.reference_number,
            summary=red.text(n.summary),
            recorded_by=red.user(n.recorded_by),
        )
        for n in case.regulator_notifications.all()
    ]


def _outcome_notices(case: Case, facts: _Facts) -> list[OutcomeNoticeEntry]:
    return [
        OutcomeNoticeEntry(
            outcome=n.outcome,
            text=facts.red.text(n.text),
            recipient=facts.person(n.recipient),  # a login is shown as the person
            sent_at=n.sent_at,
        )
        for n in case.outcome_notices.all()
    ]


def _reporter_messages(
    case: Case, red: Redactor, profile: Profile, facts: _Facts
) -> list[ReporterMessageEntry]:
    """The mailbox: the reporter's identity withheld as everywhere in the file (the vault's
    name and contact are among the redactor's replacements); a bulletin keeps the words."""
    return [
        ReporterMessageEntry(
            direction=m.direction,
            kind=m.kind,
            text=_private(red, profile, m.text),
            author=red.user(m.author) if m.author_id else "",
            sent_at=m.sent_at,
            attachments=[facts.evidence_number.get(e.pk, e.pk) for e in m.attachments.all()],
        )
        for m in case.reporter_messages.all()
    ]


# --- the timeline's facts ---------------------------------------------------------------------


def _actor(red: Redactor, event: AuditEvent, shown: dict, known: dict) -> str:
    """Who acted, as this recipient sees them: by name and position where the file may."""
    user = known.get(event.actor_id)
    if user is None or shown["actor_name"] != event.actor_name:
        return shown["actor_name"]  # "system", a pseudonym or "[withheld]"
    return red.user(user)


class _Facts:
    """An audit payload as the timeline tells it: logins become people by name and
    position, staff numbers become names, evidence ids become register numbers, and
    everything else is redacted like the payload itself."""

    _STAFF_NUMBER_KEYS = frozenset({"subjects", "employee", "no_statement"})

    def __init__(self, case: Case, red: Redactor, known: dict) -> None:
        self.red = red
        self.by_id = known
        self.by_login = {u.get_username(): u for u in known.values()}
        employees = list(case.subjects.all())
        for f in case.findings.all():
            employees += [r.employee for r in f.responsible.all()]
        for p in case.sanction_proposals.all():
            employees += [i.employee for i in p.items.all()]
            employees += [d.employee for d in p.defences.all()]
        employees += [a.employee for a in case.appeals.all()]
        self.by_staff_number = {e.staff_number: e for e in employees}
        self.evidence_number = {e.pk: n for n, e in enumerate(case.evidence.all(), start=1)}

    def person(self, login):
        user = self.by_login.get(login) if isinstance(login, str) else None
        return self.red.user(user) if user is not None else self.red.data(login)

    def employee(self, staff_number):
        employee = self.by_staff_number.get(staff_number) if isinstance(staff_number, str) else None
        return self.red.field(employee.name) if employee else self.red.data(staff_number)

    def of(self, action: str, payload: dict) -> dict:
        logins = people.login_keys(action)
        private = self.red.private_payload.get(action, frozenset())
        out = {}
        for key, value in payload.items():
            if key in private and value:
                out[key] = WITHHELD
            elif key in logins:
                out[key] = (
                    [self.person(v) for v in value]
                    if isinstance(value, list)
                    else self.person(value)
                )
            elif key in self._STAFF_NUMBER_KEYS:
                out[key] = (
                    [self.employee(v) for v in value]
                    if isinstance(value, list)
                    else self.employee(value)
                )
            elif key == "answers" and action.startswith("defence."):
                out[key] = [[self.employee(who), status] for who, status in value]
            elif key == "actions" and action == "remediation.planned":
                out[key] = [[kind, self.person(owner), due] for kind, owner, due in value]
            elif key in ("evidence", "old", "new") and isinstance(value, int):
                out[key] = self.evidence_number.get(value, value)
            else:
                out[key] = self.red.data(value, key)
        return out

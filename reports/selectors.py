"""Reads for reports: the case file, built from the database and redacted for its recipient."""

from __future__ import annotations

import datetime as dt
import hashlib
import os

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from violations import audit, policy
from violations import selectors as case_selectors
from violations.models import AuditEvent, Case, Stage

from .casefile import (
    WITHHELD,
    ActionEntry,
    AppealEntry,
    CaseFile,
    ChainEvent,
    ChainHead,
    Customer,
    DecisionEntry,
    EvidenceEntry,
    ExportInfo,
    FindingEntry,
    InterviewEntry,
    OutcomeNoticeEntry,
    Parties,
    Profile,
    ProposalEntry,
    RecordReviewEntry,
    RedressEntry,
    RegulatorNoticeEntry,
    ReportEntry,
    ResponsibleEntry,
    ReviewEntry,
    RootCauseEntry,
    SanctionEntry,
    Subject,
    Summary,
    TeamEntry,
    VerificationEntry,
)
from .redaction import Redactor

APPEAL_PREFIXES = ("appeal.", "defence.")


def reporter_disclosed(case: Case) -> bool:
    """Whether the identity vault has released the reporter's identity for this case.

    No vault exists yet, so outside the institution the reporter is always withheld.
    """
    return False


def _letters(n: int) -> str:
    out = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _build_redactor(case: Case, events: list[AuditEvent], *, profile: Profile, viewer) -> tuple[Redactor, bool]:
    replacements: dict[str, str] = {}
    users: dict[int, str] = {}
    hidden: set[int] = set()

    if profile == Profile.INTERNAL:
        if viewer is not None and getattr(viewer, "is_authenticated", False):
            reporter_withheld = not policy.can_see_reporter(viewer, case)
        else:
            reporter_withheld = case.is_anonymous
    else:
        reporter_withheld = not reporter_disclosed(case)
    identity = _vault_identity(case)
    reporter = case.reported_by or (identity.user if identity is not None else None)
    if reporter_withheld:
        values = [identity.name, identity.contact] if identity is not None else []
        if reporter is not None:
            hidden.add(reporter.pk)
            users[reporter.pk] = WITHHELD
            values += [reporter.get_username(), reporter.get_full_name(), reporter.email]
            employee = policy.employee_of(reporter)
            if employee is not None:
                values += [employee.name, employee.staff_number]
        for value in values:
            if value:
                replacements[value] = WITHHELD

    usernames: dict[str, str] = {}
    if profile == Profile.REGULATOR and case.customer_contact:
        replacements[case.customer_contact] = WITHHELD
    if profile == Profile.BULLETIN:
        if case.customer_name:
            replacements[case.customer_name] = "Customer"
        for value in (case.customer_reference, case.customer_contact):
            if value:
                replacements[value] = WITHHELD
        people = list(case.subjects.all())
        for finding in case.findings.all():
            people += [r.employee for r in finding.responsible.all()]
        for interview in case.interviews.all():
            if interview.interviewee_employee_id:
                people.append(interview.interviewee_employee)
        seen: dict[int, str] = {}
        for person in people:
            if person.pk not in seen:
                seen[person.pk] = f"Person {_letters(len(seen))}"
                replacements[person.name] = seen[person.pk]
                replacements[person.staff_number] = seen[person.pk]
        # Every member of staff becomes "Staff n", numbered by first appearance in the trail.
        from django.contrib.auth import get_user_model

        actor_ids = [e.actor_id for e in events if e.actor_id]
        staff_ids = list(dict.fromkeys(actor_ids))
        known = {u.pk: u for u in get_user_model().objects.filter(pk__in=staff_ids + _case_user_ids(case))}
        for pk in staff_ids + sorted(set(known) - set(staff_ids)):
            if pk in users or pk not in known:
                continue
            users[pk] = f"Staff {len([v for v in users.values() if v != WITHHELD]) + 1}"
            usernames[known[pk].get_username()] = users[pk]
            full = known[pk].get_full_name()
            if full:
                replacements[full] = users[pk]
    return Redactor(replacements=replacements, users=users, hidden_user_ids=hidden,
                    usernames=usernames), reporter_withheld


def _vault_identity(case: Case):
    """The reporter's identity kept apart from a confidential case, if the vault holds one."""
    try:
        return case.reporter_identity
    except (AttributeError, ObjectDoesNotExist):
        return None


def _case_user_ids(case: Case) -> list[int]:
    ids = [m.user_id for m in case.team.all()]
    if hasattr(case, "verification"):
        ids.append(case.verification.verified_by_id)
    ids += [e.collected_by_id for e in case.evidence.all()]
    ids += [i.interviewer_id for i in case.interviews.all()]
    ids += [r.reviewed_by_id for r in case.record_reviews.all()]
    ids += [r.submitted_by_id for r in case.investigation_reports.all()]
    ids += [f.found_by_id for f in case.findings.all()]
    for p in case.sanction_proposals.all():
        ids.append(p.proposed_by_id)
        ids += [d.approver_id for d in p.decisions.all()]
        ids += [i.executed_by_id for i in p.items.all() if i.executed_by_id]
    ids += [a.owner_id for a in case.corrective_actions.all()]
    ids += [r.reviewer_id for r in case.effectiveness_reviews.all()]
    return [i for i in ids if i]


def _chain(case: Case, events: list[AuditEvent], redactor: Redactor) -> tuple[list[ChainEvent], ChainHead]:
    """Recompute every hash and link while reading, so a broken chain is never exported silently."""
    out: list[ChainEvent] = []
    problem = ""
    prev = "0" * 64
    for event in events:
        content = audit.event_content(event)
        if not problem:
            if event.prev_hash != prev:
                problem = f"event {event.seq}: previous-hash link broken"
            elif hashlib.sha256(audit.canonical_json(content)).hexdigest() != event.hash:
                problem = f"event {event.seq}: content does not match its hash"
        prev = event.hash
        shown, touched = redactor.event_content(content)
        out.append(ChainEvent(
            seq=event.seq, occurred_at=event.occurred_at, action=event.action,
            actor=shown["actor_name"], reason=shown["reason"], hash=event.hash,
            prev_hash=event.prev_hash, content=shown, redacted=touched,
        ))
    key = events[0].chain.key if events else f"case:{case.pk}"
    head = ChainHead(chain=key, length=len(events), head_hash=events[-1].hash if events else "0" * 64,
                     intact=not problem, problem=problem)
    return out, head


def _evidence_path(number: int, name: str, profile: Profile) -> str:
    if profile == Profile.BULLETIN:
        return ""  # files may identify people; the register keeps their hashes
    return f"evidence/{number:03d}-{name}"


def build_casefile(case: Case, *, profile: Profile | str, viewer, recipient: str = "",
                   now: dt.datetime | None = None) -> CaseFile:
    """Everything about one case, redacted for ``profile``. Reads only."""
    whole = case_selectors.case_page(case.reference)
    return _casefile(whole, profile=Profile(profile), viewer=viewer, recipient=recipient, now=now)


def _casefile(case: Case, *, profile: Profile, viewer, recipient: str,
              now: dt.datetime | None) -> CaseFile:
    events = list(AuditEvent.objects.filter(case=case).select_related("chain").order_by("seq"))
    red, reporter_withheld = _build_redactor(case, events, profile=profile, viewer=viewer)
    txt, user = red.text, red.user

    chain_events, head = _chain(case, events, red)

    evidence_all = list(case.evidence.all())
    number_of = {e.pk: n for n, e in enumerate(evidence_all, start=1)}
    evidence = []
    for n, e in enumerate(evidence_all, start=1):
        name = e.original_name
        if profile == Profile.BULLETIN:
            name = f"evidence-{n:03d}{os.path.splitext(name)[1].lower()}"
        else:
            name = red.text(name)
        evidence.append(EvidenceEntry(
            number=n, name=name, kind=e.kind, description=txt(e.description),
            content_type=e.content_type, size=e.size, sha256=e.sha256,
            collected_by=user(e.collected_by), collected_at=e.collected_at,
            superseded_by=number_of.get(e.superseded_by_id), superseded_reason=txt(e.superseded_reason),
            bundle_path=_evidence_path(n, name, profile), storage_name=e.file.name,
        ))
    sha_of = {e.pk: e.sha256 for e in evidence_all}

    customer = None
    if case.customer_involved:
        customer = Customer(
            name=red.field(case.customer_name), reference=red.field(case.customer_reference),
            contact=red.field(case.customer_contact),
        )

    verification = None
    if hasattr(case, "verification"):
        v = case.verification
        verification = VerificationEntry(
            outcome=v.outcome, reason=txt(v.reason), first_evidence=txt(v.first_evidence),
            duplicate_of=v.duplicate_of.reference if v.duplicate_of_id else "",
            verified_by=user(v.verified_by), verified_at=v.verified_at,
        )

    findings = [
        FindingEntry(
            round=f.round, established=f.established, category=f.category.name, nature=txt(f.nature),
            severity=f.severity, customer_loss=f.customer_loss, legal_matter=f.legal_matter,
            facts_clear=f.facts_clear, evidence_conclusive=f.evidence_conclusive,
            characterization_accurate=f.characterization_accurate,
            handling_appropriate=f.handling_appropriate, found_by=user(f.found_by), found_at=f.found_at,
            responsible=[
                ResponsibleEntry(name=red.field(r.employee.name), staff_number=red.field(r.employee.staff_number),
                                 responsibility=r.responsibility)
                for r in f.responsible.all()
            ],
        )
        for f in case.findings.all()
    ]

    sanctions = [
        ProposalEntry(
            round=p.round, status=p.status, required_level=p.required_level,
            justification=txt(p.justification), proposed_by=user(p.proposed_by), proposed_at=p.proposed_at,
            items=[
                SanctionEntry(
                    person=red.field(i.employee.name), staff_number=red.field(i.employee.staff_number),
                    sanction_type=i.sanction_type, detail=txt(i.detail), amount=i.amount,
                    period_start=i.period_start, period_end=i.period_end, status=i.status,
                    effective_date=i.effective_date,
                    executed_by=user(i.executed_by) if i.executed_by_id else "",
                    executed_at=i.executed_at, execution_note=txt(i.execution_note),
                )
                for i in p.items.all()
            ],
            decisions=[
                DecisionEntry(approver=user(d.approver), level=d.level, decision=d.decision,
                              reason=txt(d.reason), decided_at=d.decided_at)
                for d in p.decisions.all()
            ],
        )
        for p in case.sanction_proposals.all()
    ]

    subjects = [
        Subject(name=red.field(s.name), staff_number=red.field(s.staff_number),
                department=s.department.name, position=s.position)
        for s in case.subjects.all()
    ]

    export = ExportInfo(
        institution=settings.ACCOUNTABILITY["INSTITUTION_NAME"],
        profile=profile.value,
        generated_at=now or timezone.now(),
        prepared_by=("" if profile == Profile.BULLETIN
                     else (viewer.get_username() if getattr(viewer, "pk", None) else "system")),
        recipient=recipient,
    )

    return CaseFile(
        export=export,
        summary=Summary(
            reference=case.reference, title=txt(case.title), description=txt(case.description),
            source=case.source, category_code=case.category.code, category_name=case.category.name,
            department=case.department.name, occurred_at=case.occurred_at, reported_at=case.reported_at,
            acknowledge_due_at=case.acknowledge_due_at, acknowledged_at=case.acknowledged_at,
            stage=case.stage, outcome=case.outcome, severity=case.severity, closed_at=case.closed_at,
        ),
        parties=Parties(
            anonymous=case.is_anonymous,
            reporter=(WITHHELD if reporter_withheld
                      else (case.reported_by.get_username() if case.reported_by_id else "")),
            reporter_withheld=reporter_withheld,
            subjects=subjects,
            customer=customer,
            team=[
                TeamEntry(user=user(m.user), role=m.role, active=m.active, declared_at=m.declared_at,
                          has_conflict=m.has_conflict)
                for m in case.team.all()
            ],
        ),
        verification=verification,
        events=chain_events,
        evidence=evidence,
        interviews=[
            InterviewEntry(interviewee=red.field(i.interviewee), held_at=i.held_at,
                           interviewer=user(i.interviewer), summary=txt(i.summary))
            for i in case.interviews.all()
        ],
        record_reviews=[
            RecordReviewEntry(record=txt(r.record), reviewed_by=user(r.reviewed_by),
                              reviewed_at=r.reviewed_at, findings=txt(r.findings))
            for r in case.record_reviews.all()
        ],
        investigation_reports=[
            ReportEntry(round=r.round, summary=txt(r.summary), conclusion=txt(r.conclusion),
                        submitted_by=user(r.submitted_by), submitted_at=r.submitted_at)
            for r in case.investigation_reports.all()
        ],
        findings=findings,
        sanctions=sanctions,
        appeals=[
            AppealEntry(occurred_at=e.occurred_at, action=e.action, actor=e.actor, reason=e.reason,
                        details=e.content["payload"])
            for e in chain_events if e.action.startswith(APPEAL_PREFIXES)
        ],
        root_causes=[
            RootCauseEntry(round=c.round, category=c.category, description=txt(c.description),
                           identified_by=user(c.identified_by))
            for c in case.root_causes.all()
        ],
        actions=[
            ActionEntry(round=a.round, kind=a.kind, description=txt(a.description), owner=user(a.owner),
                        due_date=a.due_date, status=a.status, completed_at=a.completed_at,
                        completion_note=txt(a.completion_note), proof_link=a.proof_link,
                        proof_sha256=sha_of.get(a.proof_id, ""))
            for a in case.corrective_actions.all()
        ],
        reviews=[
            ReviewEntry(round=r.round, verdict=r.verdict, timeliness=txt(r.timeliness),
                        pertinence=txt(r.pertinence), effectiveness=txt(r.effectiveness),
                        reasons=txt(r.reasons), reviewer=user(r.reviewer), reviewed_at=r.reviewed_at,
                        evidence=red.data(r.evidence))
            for r in case.effectiveness_reviews.all()
        ],
        redress=[
            RedressEntry(channel=f.channel, notified_at=f.notified_at, notice_summary=txt(f.notice_summary),
                         apology=f.apology, compensation=f.compensation,
                         compensation_paid_on=f.compensation_paid_on,
                         customer_response=txt(f.customer_response), satisfaction=f.satisfaction,
                         recorded_by=user(f.recorded_by))
            for f in case.customer_feedback.all()
        ],
        regulator_notices=[
            RegulatorNoticeEntry(regulator=n.regulator, notified_at=n.notified_at,
                                 reference_number=n.reference_number, summary=txt(n.summary),
                                 recorded_by=user(n.recorded_by))
            for n in case.regulator_notifications.all()
        ],
        outcome_notices=[
            OutcomeNoticeEntry(outcome=n.outcome, text=txt(n.text), recipient=red.field(n.recipient),
                               sent_at=n.sent_at)
            for n in case.outcome_notices.all()
        ],
        chain=head,
    )


def closed_cases(since: dt.date, *, ids_only: bool = False):
    """Closed cases, oldest first, read in chunks so a long run keeps memory flat."""
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    qs = Case.objects.filter(stage=Stage.CLOSED, closed_at__gte=start).order_by("closed_at", "pk")
    if ids_only:
        return qs.values("pk")
    return qs.only("pk", "reference").iterator(chunk_size=100)

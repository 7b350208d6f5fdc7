"""Erasing a closed case's personal data once its retention has run out.

What is erased is the one table below, :data:`ERASABLE`: for each case record, the fields
that name or describe people or hold what someone said or wrote. Besides those: the links
from the case to its subject employees (:data:`ERASED_LINKS`), the reporter's row in the
identity vault (deleted), the stored bytes of every evidence file (the row keeps its size
and SHA-256), the labels of the case's deadline clocks (a corrective action's description)
and the case's notifications (they quote reasons and messages). History rows are erased
alike, so no past state still holds the text.

What stays is what the statistics and the accountability of the handling need: category,
department, source, severity, stages and their dates, outcome, the people who handled the
case (by login), who was found responsible and the kind of responsibility, every sanction's
kind, grade, amount, period and status, corrective actions' kind, owner, dates and status,
verdicts, and the whole audit trail (its events never held the erased text, save what
``docs/operations.md`` lists).

Every erasure is one ``case.personal_data_erased`` event on the case's chain: each row and
history row rewritten is vouched for anew, naming the digest it had, so ``verify_audit``
still passes and still catches a row changed behind the application's back, before or after.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from ledger.chain import withhold
from notifications.models import Notification
from remediation.models import (
    ComplaintExtension,
    CorrectiveAction,
    CustomerFeedback,
    CustomerInformationRequest,
    EffectivenessReview,
    RegulatorNotification,
    RootCause,
)
from sanctions.models import (
    Appeal,
    ApprovalDecision,
    DefenceRecord,
    ProposedSanction,
    SanctionProposal,
)
from violations import audit
from violations.models import (
    Case,
    Clock,
    Erasure,
    Evidence,
    Finding,
    Interview,
    InvestigationReport,
    LegalHold,
    OutcomeNotice,
    RecordReview,
    ReporterIdentity,
    ReporterMessage,
    ReporterReceipt,
    Stage,
    TeamMember,
    UnmaskRequest,
    Verification,
)
from violations.services.retention import add_years, retention_years, years_by_category

log = logging.getLogger(__name__)

# What a required text field holds once erased (an optional one is left empty, an optional
# link to a person is cleared).
ERASED = "[erased]"

# Every case record's personal data and free text, by model. A model of the case not named
# here keeps all its fields (the module docstring says why).
ERASABLE: dict[type[models.Model], tuple[str, ...]] = {
    Case: (
        "title",
        "description",
        "customer_name",
        "customer_reference",
        "customer_contact",
        "reported_by",
    ),
    Verification: ("reason", "first_evidence"),
    TeamMember: ("declaration",),
    OutcomeNotice: ("text", "recipient"),
    Evidence: ("description", "original_name", "superseded_reason", "file"),
    Interview: ("interviewee", "interviewee_employee", "summary"),
    RecordReview: ("record", "findings"),
    InvestigationReport: ("summary", "conclusion"),
    Finding: ("nature",),
    UnmaskRequest: ("reason", "decision_reason"),
    SanctionProposal: ("justification",),
    ProposedSanction: ("detail", "execution_note", "range_justification", "end_reason"),
    ApprovalDecision: ("reason",),
    DefenceRecord: ("notice", "statement"),
    Appeal: ("grounds", "decision_reason"),
    RootCause: ("description",),
    CorrectiveAction: ("description", "completion_note", "cancel_reason"),
    ComplaintExtension: ("reason",),
    CustomerFeedback: ("notice_summary", "customer_response"),
    CustomerInformationRequest: ("question", "answer"),
    RegulatorNotification: ("summary",),
    EffectivenessReview: ("timeliness", "pertinence", "effectiveness", "reasons"),
    LegalHold: ("reason", "lift_reason"),
    # What the reporter and the case team wrote to each other (their files are evidence).
    ReporterMessage: ("text",),
}
# Many-to-many links to people, cleared on the record and in its history's snapshots.
ERASED_LINKS: dict[type[models.Model], tuple[str, ...]] = {Case: ("subjects",)}
# Rows deleted outright (their history rows keep no value of these fields).
DELETED: dict[type[models.Model], tuple[str, ...]] = {
    ReporterIdentity: ("user", "name", "contact"),
    # The receipt code's hash: once the case is erased, the code opens nothing.
    ReporterReceipt: ("lookup",),
}
REASON = "personal data erased: retention ended"
# Audit events whose payload quotes what someone wrote or names someone outside the staff
# register (a file name, an interviewee, a notice, a statement, a message, a recipient).
# Their payload, and the reason of every event (what a person gave as the reason), are
# erased from the stored event and kept as the salted commitment its hash covers
# (ledger.chain.withhold), so the chain still verifies.
PERSONAL_PAYLOADS = frozenset(
    {
        "case.acknowledged",
        "evidence.added",
        "interview.recorded",
        "record_review.added",
        "sanctions.proposed",
        "defence.recorded",
        "outcome.notified",
    }
)


def erased_value(model: type[models.Model], name: str) -> Any:
    f = audit.own_field(model, name)
    if f.is_relation:
        return None
    if isinstance(f, models.FileField) or f.blank:
        return ""
    return ERASED[: f.max_length] if f.max_length else ERASED


def erased_values(model: type[models.Model]) -> dict[str, Any]:
    return {name: erased_value(model, name) for name in ERASABLE.get(model, ())}


@dataclass
class Erased:
    """What one pass erased (or, dry, would erase)."""

    cases: list[str] = field(default_factory=list)
    rows: int = 0
    history_rows: int = 0
    files: int = 0
    events: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.cases)} case(s) erased: {self.rows} row(s), "
            f"{self.history_rows} history row(s), {self.files} file(s), "
            f"{self.events} event(s) withheld"
        )


def _retention_groups() -> dict[int, list[int]]:
    """Category ids by the years their cases are kept."""
    groups: dict[int, list[int]] = {}
    for category, years in years_by_category().items():
        groups.setdefault(years, []).append(category)
    return groups


def expired_cases(now=None):
    """Closed cases whose retention has run out, not erased, with no active legal hold."""
    now = now or timezone.now()
    due = Q(pk__in=[])
    for years, categories in _retention_groups().items():
        cutoff = add_years(now, -years)
        due |= Q(category_id__in=categories, closed_at__lte=cutoff)
    return (
        Case.objects.filter(due, stage=Stage.CLOSED, closed_at__isnull=False)
        .filter(erasure__isnull=True)
        .exclude(Exists(LegalHold.objects.filter(case=OuterRef("pk"), lifted_at__isnull=True)))
        .order_by("closed_at", "pk")
    )


def _has_active_hold(case: Case) -> bool:
    return LegalHold.objects.filter(case=case, lifted_at__isnull=True).exists()


def case_erase(*, case: Case, now=None) -> Erased | None:
    """Erase the personal data of one case whose retention has run out, as the system.

    Preconditions (checked again under the case's row lock, so two machines never erase
    the same case and a hold set meanwhile wins): the case is closed, its retention has run
    out, it is not on legal hold and was not erased before. Returns None (nothing changed)
    when any of them fails, or when another machine holds the case.
    """
    now = now or timezone.now()
    done = Erased()
    with transaction.atomic():
        locked = (
            Case.objects.select_for_update(skip_locked=True)
            .select_related("category")
            .filter(pk=case.pk)
            .first()
        )
        if locked is None or locked.stage != Stage.CLOSED or locked.closed_at is None:
            return None
        years = retention_years(locked.category)
        ends = add_years(locked.closed_at, years)
        if ends > now or _has_active_hold(locked) or Erasure.objects.filter(case=locked).exists():
            return None
        case = locked
        scope = audit.case_scope(case)
        files: list[str] = []
        for model, names in ERASABLE.items():
            values = erased_values(model)
            for obj in model._base_manager.filter(scope[model]).order_by("pk"):
                if isinstance(obj, Evidence) and obj.file.name:
                    files.append(obj.file.name)
                changed = [n for n in names if _value(obj, n) != values[n]]
                for name in changed:
                    setattr(obj, name, values[name])
                links = ERASED_LINKS.get(model, ())
                if links:
                    for name in links:
                        audit.set_links(obj, name, [], actor=None, reason=REASON)
                    done.rows += 1
                elif changed:
                    # Not validated: the values are well-formed by construction, and a rule
                    # added since the row was written must not keep its text from erasure.
                    audit.save(obj, actor=None, reason=REASON, validate=False)
                    done.rows += 1
                done.history_rows += audit.redact_history(
                    model, obj.pk, values, m2m=links, change_reason=""
                )
        for model, names in DELETED.items():
            for obj in model._base_manager.filter(scope[model]).order_by("pk"):
                pk = obj.pk
                audit.delete(obj, actor=None, reason=REASON)
                done.rows += 1
                blank = {n: erased_value(model, n) for n in names}
                done.history_rows += audit.redact_history(model, pk, blank, change_reason="")
        done.events = _withhold_events(case)
        Clock.objects.filter(case=case).exclude(label="").update(label="")
        Notification.objects.filter(case_reference=case.reference).delete()
        done.files = len(files)
        done.cases.append(case.reference)
        erasure = Erasure(
            case=case,
            erased_at=now,
            retention_ended_at=ends,
            summary={
                "rows": done.rows,
                "history_rows": done.history_rows,
                "files": done.files,
                "events": done.events,
            },
        )
        audit.save(erasure, actor=None, reason=REASON)
        audit.record(
            action="case.personal_data_erased",
            actor=None,
            case=case,
            reason=REASON,
            payload={
                "retention_years": years,
                "retention_ended_at": ends.isoformat(),
                **erasure.summary,
            },
        )
        # The bytes go once the rows no longer name them: a rolled-back erasure keeps both.
        transaction.on_commit(lambda: _delete_files(files))
    return done


def _withhold_events(case: Case) -> int:
    changed = 0
    for event in audit.events_of(case).select_related("chain"):
        fields = (("payload",) if event.action in PERSONAL_PAYLOADS else ()) + (
            ("reason",) if event.reason else ()
        )
        if fields and withhold(event, fields):
            changed += 1
    return changed


def _value(obj: models.Model, name: str) -> Any:
    f = audit.own_field(type(obj), name)
    value = getattr(obj, f.attname)
    return getattr(value, "name", value) if isinstance(f, models.FileField) else value


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # told in the log; the row no longer names the file
            log.exception("erased evidence file %s could not be deleted", name)


def erase_expired(*, dry_run: bool = False, now=None, limit: int | None = None) -> Erased:
    """Erase every case whose retention ran out (``dry_run``: only list them). Each case
    in its own transaction, so one failure leaves the others erased and the next pass
    retries it."""
    now = now or timezone.now()
    total = Erased()
    candidates = list(expired_cases(now).values_list("pk", "reference")[:limit])
    for pk, reference in candidates:
        if dry_run:
            total.cases.append(reference)
            continue
        done = case_erase(case=Case(pk=pk), now=now)
        if done is None:
            continue
        total.cases += done.cases
        total.rows += done.rows
        total.history_rows += done.history_rows
        total.files += done.files
        total.events += done.events
    return total

"""Stage bookkeeping, outcome notices and closing. Called by the process (actor: system),
which holds the case locked."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import audit
from ..models import Case, Outcome, OutcomeNotice, ReporterIdentity, Stage

NOTICE_TEXT = {
    Outcome.DISMISSED: _("After preliminary verification the report was dismissed."),
    Outcome.DUPLICATE: _("The report concerns a matter already under review in another case."),
    Outcome.NOT_ESTABLISHED: _("After investigation the reported violation was not established."),
    Outcome.SANCTIONED: _("The violation was established and has been dealt with."),
}


def case_enter_stage(*, case: Case, stage: str) -> None:
    """Move the case to ``stage`` and start its deadline. Idempotent for the same stage."""
    if case.stage == stage and case.stage_due_at is not None:
        return
    now = timezone.now()
    limit = settings.ACCOUNTABILITY["STAGE_DEADLINES"].get(stage)
    previous = case.stage
    case.stage = stage
    case.stage_entered_at = now
    case.stage_due_at = now + limit if limit else None
    audit.save(
        case,
        actor=None,
        reason=f"stage: {stage}",
        update_fields=["stage", "stage_entered_at", "stage_due_at"],
    )
    audit.record(
        action="stage.entered",
        actor=None,
        case=case,
        payload={
            "from": previous,
            "to": stage,
            "due": case.stage_due_at.isoformat() if case.stage_due_at else None,
        },
    )


def outcome_notice_send(*, case: Case) -> OutcomeNotice:
    """Tell the reporter (or the customer) how the case ended. Dismissed cases get one too."""
    outcome = case.outcome if case.outcome != Outcome.OPEN else Outcome.SANCTIONED
    # A protected reporter is written to through the vault: the notice names no one.
    vaulted = ReporterIdentity.objects.filter(case=case).select_related("user").first()
    reporter = case.reported_by if case.reported_by_id else (vaulted.user if vaulted else None)
    if case.reported_by is not None and not case.is_anonymous:
        recipient = case.reported_by.get_username()
    elif vaulted is not None:
        recipient = "reporter (confidential channel)"
    else:
        recipient = "reporter"
    notice = OutcomeNotice(
        case=case, outcome=outcome, text=str(NOTICE_TEXT[Outcome(outcome)]), recipient=recipient
    )
    audit.save(notice, actor=None, reason="outcome notice")
    audit.record(
        action="outcome.notified",
        actor=None,
        case=case,
        payload={"outcome": outcome, "recipient": recipient},
    )
    email = (vaulted.contact if vaulted else "") or getattr(reporter, "email", "") or ""
    if email:
        transaction.on_commit(
            lambda: send_mail(
                str(_("Outcome of your report %(ref)s") % {"ref": case.reference}),
                notice.text,
                None,
                [email],
                fail_silently=True,
            )
        )
    return notice


def case_close(*, case: Case) -> Case:
    """Freeze the case: stage closed, closing time, final outcome."""
    case.stage = Stage.CLOSED
    case.closed_at = timezone.now()
    case.stage_entered_at = case.closed_at
    case.stage_due_at = None
    if case.outcome == Outcome.OPEN:
        case.outcome = Outcome.SANCTIONED
    audit.save(
        case,
        actor=None,
        reason="closed",
        update_fields=["stage", "closed_at", "stage_entered_at", "stage_due_at", "outcome"],
    )
    audit.record(action="case.closed", actor=None, case=case, payload={"outcome": case.outcome})
    return case

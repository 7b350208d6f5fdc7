"""Preliminary verification (初步核實)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import audit, policy
from ..models import Case, Employee, Outcome, Verification, VerificationOutcome
from .mailbox import acknowledgement_post
from .notices import acknowledgement_notify
from .reporter_clocks import acknowledgement_recorded

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def verification_complete(
    *,
    case: Case,
    task,
    actor: User,
    outcome: str,
    reason: str = "",
    first_evidence: str = "",
    duplicate_of: Case | None = None,
    subjects: list[Employee] | None = None,
) -> Verification:
    """Proceed, dismiss (with a reason) or mark as duplicate (linked to the earlier case).

    Preconditions: ``task`` is the open verify task; actor is a compliance officer and not a
    party to the case; the case named as the original is one the actor may see and did not
    report (``policy.duplicate_candidates``); a case that proceeds names at least one
    subject: ``subjects``, when given, become the case's subjects (a report from the portal
    names people in words only, and the officer sets who they are here). Acknowledges the
    report if nobody has yet.
    """
    policy.require(actor, "verify_case", _("Only compliance officers verify reports."))
    policy.require_not_party(actor, case)
    errors = {}
    if outcome not in VerificationOutcome.values:
        errors["outcome"] = [_("Choose an outcome.")]
    if (
        outcome in (VerificationOutcome.DISMISS, VerificationOutcome.DUPLICATE)
        and not reason.strip()
    ):
        errors["reason"] = [_("Give the reason for this outcome.")]
    if outcome == VerificationOutcome.DUPLICATE:
        if duplicate_of is None:
            errors["duplicate_of"] = [_("Name the case this one duplicates.")]
        elif duplicate_of.pk == case.pk:
            errors["duplicate_of"] = [_("A case cannot duplicate itself.")]
        elif not policy.duplicate_candidates(actor, case).filter(pk=duplicate_of.pk).exists():
            # The same words whether the case exists or not: no probing for references.
            errors["duplicate_of"] = [_("Name a case you may see and did not report.")]
    chosen = list(dict.fromkeys(subjects or []))
    current = set(case.subjects.all())
    if outcome == VerificationOutcome.PROCEED and not (chosen or current):
        errors["subjects"] = [
            _(
                "The report names no subject employee. Name who the case is about before "
                "it goes to investigation."
            )
        ]
    if errors:
        raise ValidationError(errors)
    if chosen and set(chosen) != current:
        if on_team := [e for e in chosen if case.team.filter(active=True, user__employee=e)]:
            raise ValidationError(
                {"subjects": [_("%(name)s is on the investigation team.") % {"name": on_team[0]}]}
            )
        audit.set_links(case, "subjects", chosen, actor=actor, reason="subjects set")
    verification = Verification(
        case=case,
        outcome=outcome,
        reason=reason,
        first_evidence=first_evidence,
        duplicate_of=duplicate_of if outcome == VerificationOutcome.DUPLICATE else None,
        verified_by=actor,
        verified_at=timezone.now(),
    )
    audit.save(verification, actor=actor, reason=f"verification: {outcome}")
    fields = []
    if not case.acknowledged_at:
        case.acknowledged_at = verification.verified_at
        case.acknowledged_by = actor
        fields += ["acknowledged_at", "acknowledged_by"]
        acknowledgement_post(case=case, actor=actor)
        acknowledgement_recorded(case=case)
        acknowledgement_notify(case=case)
    if outcome == VerificationOutcome.DISMISS:
        case.outcome = Outcome.DISMISSED
        fields.append("outcome")
    elif outcome == VerificationOutcome.DUPLICATE:
        case.outcome = Outcome.DUPLICATE
        fields.append("outcome")
    if fields:
        audit.save(case, actor=actor, reason=f"verification: {outcome}", update_fields=fields)
    audit.record(
        action="verification.completed",
        actor=actor,
        case=case,
        reason=reason,
        payload={
            "outcome": outcome,
            "task": task.pk,
            "duplicate_of": duplicate_of.reference if duplicate_of else None,
            **(
                {"subjects": sorted(e.staff_number for e in chosen)}
                if chosen and set(chosen) != current
                else {}
            ),
        },
    )
    return verification

"""Remediation plan, corrective actions, customer feedback, regulator notice, review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from violations import audit, policy
from violations.exceptions import NotAllowed
from violations.models import Severity
from violations.services.evidence import store_evidence
from violations.workflow import human_task

from .models import (
    ActionKind,
    ActionStatus,
    CorrectiveAction,
    CustomerFeedback,
    EffectivenessReview,
    RegulatorNotification,
    RootCause,
    RootCauseCategory,
    Verdict,
)
from .policy import action_of_task
from .selectors import current_round, review_evidence


@dataclass(frozen=True)
class CauseSpec:
    category: str
    description: str


@dataclass(frozen=True)
class ActionSpec:
    kind: str
    description: str
    owner: object
    due_date: dt.date
    causes: list[int] = field(default_factory=list)  # indexes into the plan's causes


def remediation_plan(*, task, actor, causes: list[CauseSpec], actions: list[ActionSpec]) -> list[CorrectiveAction]:
    """Record root causes and corrective actions (a new round after an unfavourable review).

    Preconditions: open plan_remediation task; actor may plan and is no party; at least one
    cause and one action; each action addresses at least one cause, has an owner who may
    complete actions and is no party, and a due date not in the past.
    """
    with human_task(task, actor=actor, expected="plan_remediation") as step:
        case = step.case
        policy.require(actor, "plan_remediation", _("Only compliance officers plan remediation."))
        policy.require_not_party(actor, case)
        errors: list = []
        if not causes:
            errors.append(_("Record at least one root cause."))
        if not actions:
            errors.append(_("Plan at least one corrective action."))
        for c in causes:
            if c.category not in RootCauseCategory.values or not c.description.strip():
                errors.append(_("Every root cause needs a category and a description."))
        today = timezone.localdate()
        for a in actions:
            if a.kind not in ActionKind.values or not a.description.strip():
                errors.append(_("Every action needs a kind and a description."))
            if not a.causes or any(i < 0 or i >= len(causes) for i in a.causes):
                errors.append(_("Every action must address at least one of the root causes."))
            if a.due_date < today:
                errors.append(_("A due date cannot be in the past."))
            if not policy.has(a.owner, "complete_action"):
                errors.append(_("%(user)s cannot own corrective actions.") % {"user": a.owner.get_username()})
            else:
                try:
                    policy.require_not_party(a.owner, case)
                except NotAllowed:
                    errors.append(_("%(user)s is a party to this case.") % {"user": a.owner.get_username()})
        if errors:
            raise ValidationError(errors)
        rnd = current_round(case) + 1
        cause_rows = []
        for c in causes:
            row = RootCause(case=case, round=rnd, category=c.category, description=c.description,
                            identified_by=actor)
            audit.save(row, actor=actor, reason="root cause")
            cause_rows.append(row)
        created = []
        for a in actions:
            row = CorrectiveAction(case=case, round=rnd, kind=a.kind, description=a.description,
                                   owner=a.owner, due_date=a.due_date)
            audit.save(row, actor=actor, reason="corrective action planned")
            row.root_causes.set([cause_rows[i] for i in a.causes])
            audit.touch(row)
            created.append(row)
        audit.record(
            action="remediation.planned", actor=actor, case=case,
            payload={"round": rnd, "causes": [c.category for c in causes],
                     "actions": [[a.kind, a.owner.get_username(), a.due_date.isoformat()] for a in actions],
                     "task": step.task.pk},
        )
    return created


def action_complete(*, task, actor, completion_note: str, proof_upload=None, proof_link: str = "") -> CorrectiveAction:
    """The owner completes their corrective action with proof (a file or a link).

    Preconditions: open complete_action task for this action; actor is its owner.
    """
    with human_task(task, actor=actor, expected="complete_action") as step:
        case = step.case
        policy.require(actor, "complete_action", _("You cannot complete corrective actions."))
        action = action_of_task(step.task)
        if action.owner_id != actor.pk:
            raise NotAllowed(_("Only the owner of this corrective action can complete it."))
        if not completion_note.strip():
            raise ValidationError({"completion_note": [_("Describe what was done.")]})
        if proof_upload is None and not proof_link.strip():
            raise ValidationError({"proof": [_("Attach proof: a file or a link.")]})
        if proof_upload is not None:
            action.proof = store_evidence(case=case, actor=actor, upload=proof_upload, kind="document",
                                          description=_("Proof of corrective action"))
        action.proof_link = proof_link
        action.completion_note = completion_note
        action.status = ActionStatus.DONE
        action.completed_at = timezone.now()
        audit.save(action, actor=actor, reason="action completed",
                   update_fields=["proof", "proof_link", "completion_note", "status", "completed_at"])
        audit.record(action="action.completed", actor=actor, case=case,
                     payload={"action": action.pk, "on_time": action.completed_at.date() <= action.due_date,
                              "task": step.task.pk})
    return action


def customer_feedback_record(
    *, task, actor, channel: str, notified_at: dt.datetime, notice_summary: str,
    apology: bool, compensation: Decimal = Decimal("0"), compensation_paid_on: dt.date | None = None,
    customer_response: str = "", satisfaction: int | None = None,
) -> CustomerFeedback:
    """Record the outcome notice to the customer, apology, compensation and their response.

    Preconditions: open customer_feedback task; actor may record feedback and is no party.
    """
    with human_task(task, actor=actor, expected="customer_feedback") as step:
        case = step.case
        policy.require(actor, "record_customer_feedback", _("Only compliance officers record customer feedback."))
        policy.require_not_party(actor, case)
        errors = {}
        if satisfaction is not None and not 1 <= satisfaction <= 5:
            errors["satisfaction"] = [_("Satisfaction is a score from 1 to 5.")]
        if compensation and compensation < 0:
            errors["compensation"] = [_("Compensation cannot be negative.")]
        if compensation and compensation > 0 and not compensation_paid_on:
            errors["compensation_paid_on"] = [_("Give the date the compensation was paid.")]
        if not channel.strip() or not notice_summary.strip():
            errors["channel"] = [_("Give the channel and the content of the notice.")]
        if errors:
            raise ValidationError(errors)
        row = CustomerFeedback(
            case=case, channel=channel, notified_at=notified_at, notice_summary=notice_summary,
            apology=apology, compensation=compensation or Decimal("0"),
            compensation_paid_on=compensation_paid_on, customer_response=customer_response,
            satisfaction=satisfaction, recorded_by=actor,
        )
        audit.save(row, actor=actor, reason="customer feedback")
        audit.record(action="customer.feedback", actor=actor, case=case,
                     payload={"apology": apology, "compensation": str(row.compensation),
                              "satisfaction": satisfaction, "task": step.task.pk})
    return row


def regulator_notify(*, task, actor, regulator: str, notified_at: dt.datetime, reference_number: str,
                     summary: str) -> RegulatorNotification:
    """Record the report of a major violation to the regulator.

    Preconditions: open notify_regulator task; actor may notify and is no party; the case
    is of major severity.
    """
    with human_task(task, actor=actor, expected="notify_regulator") as step:
        case = step.case
        policy.require(actor, "notify_regulator", _("Only compliance officers record regulator notifications."))
        policy.require_not_party(actor, case)
        if case.severity != Severity.MAJOR:
            raise ValidationError(_("Only major violations are reported to the regulator."))
        if not (regulator.strip() and reference_number.strip() and summary.strip()):
            raise ValidationError(_("Regulator, reference number and summary are all required."))
        row = RegulatorNotification(case=case, regulator=regulator, notified_at=notified_at,
                                    reference_number=reference_number, summary=summary, recorded_by=actor)
        audit.save(row, actor=actor, reason="regulator notified")
        audit.record(action="regulator.notified", actor=actor, case=case,
                     payload={"regulator": regulator, "reference": reference_number, "task": step.task.pk})
    return row


def effectiveness_review(*, task, actor, verdict: str, timeliness: str, pertinence: str,
                         effectiveness: str, reasons: str) -> EffectivenessReview:
    """Judge whether the remediation worked; anything but effective sends it back.

    Preconditions: open review task; actor is an effectiveness reviewer, no party, and owns
    no corrective action of the case.
    """
    with human_task(task, actor=actor, expected="review") as step:
        case = step.case
        policy.require(actor, "review_effectiveness", _("Only effectiveness reviewers judge remediation."))
        policy.require_not_party(actor, case)
        if CorrectiveAction.objects.filter(case=case, owner=actor).exists():
            raise NotAllowed(_("You own a corrective action of this case and cannot review it."))
        if verdict not in Verdict.values:
            raise ValidationError({"verdict": [_("Choose a verdict.")]})
        if not all(s.strip() for s in (timeliness, pertinence, effectiveness, reasons)):
            raise ValidationError(_("Assess timeliness, pertinence and effectiveness, and give reasons."))
        row = EffectivenessReview(
            case=case, round=case.effectiveness_reviews.count() + 1, timeliness=timeliness,
            pertinence=pertinence, effectiveness=effectiveness,
            evidence=review_evidence(case).as_dict(), verdict=verdict, reasons=reasons, reviewer=actor,
        )
        audit.save(row, actor=actor, reason=f"review: {verdict}")
        audit.record(action="remediation.reviewed", actor=actor, case=case, reason=reasons,
                     payload={"round": row.round, "verdict": verdict, "task": step.task.pk})
    return row


def latest_verdict(case) -> str | None:
    row = case.effectiveness_reviews.order_by("-round").first()
    return row.verdict if row else None

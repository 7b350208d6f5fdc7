"""Detailed investigation (詳細調查) and fact determination (事實認定)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from .. import audit, policy
from ..models import (
    Case,
    Evidence,
    Finding,
    Interview,
    InvestigationReport,
    Outcome,
    RecordReview,
    ResponsibilityType,
    ResponsiblePerson,
    Severity,
    ViolationCategory,
)
from ..prepared import Prepared, count_of
from ..workflow import human_task, remember


def _exists(model):
    return Exists(model.objects.filter(case=OuterRef("pk")))


_SUBMIT_FACTS = Prepared(
    lambda case, user: Case.objects.filter(pk=case).annotate(
        **policy.standing_annotations(user),
        on_file=_exists(Interview) | _exists(RecordReview) | _exists(Evidence),
        earlier=count_of(InvestigationReport.objects.filter(case=OuterRef("pk")), "case"),
    ).values(*policy.STANDING_FIELDS, "on_file", "earlier"),
    "case", "user",
)


def _submit_facts(case, actor) -> tuple[bool, int]:
    """What submitting a report asks of the database, in one query: the actor's standing
    (kept for the policy checks), whether any interview, record review or evidence item is
    on file, and how many reports were submitted before."""
    row = policy.standing_and_facts(_SUBMIT_FACTS, actor, case)
    return bool(row["on_file"]), int(row["earlier"])


_FIND_FACTS = Prepared(
    lambda case, user: Case.objects.filter(pk=case).annotate(
        **policy.standing_annotations(user),
        earlier=count_of(Finding.objects.filter(case=OuterRef("pk")), "case"),
    ).values(*policy.STANDING_FIELDS, "earlier"),
    "case", "user",
)


def investigation_submit(*, task, actor, summary: str, conclusion: str) -> InvestigationReport:
    """Submit the investigation report.

    Preconditions: open investigate task; actor is the cleared lead investigator; at least one
    interview, record review or evidence item is on file.
    """
    with human_task(task, actor=actor, expected="investigate") as step:
        case = step.case
        policy.require(actor, "investigate_case", _("Only investigators submit investigation reports."))
        on_file, earlier = _submit_facts(case, actor)
        policy.require_cleared_team_member(actor, case, lead=True)
        if not on_file:
            raise ValidationError(
                _("Record at least one interview, record review or evidence item first.")
            )
        if not summary.strip() or not conclusion.strip():
            raise ValidationError(_("Both the summary and the conclusion are required."))
        report = InvestigationReport(
            case=case, round=earlier + 1, summary=summary,
            conclusion=conclusion, submitted_by=actor,
        )
        audit.save(report, actor=actor, reason="investigation report submitted")
        audit.record(action="investigation.submitted", actor=actor, case=case,
                     payload={"round": report.round, "task": step.task.pk})
    return report


def facts_determine(
    *,
    task,
    actor,
    established: bool,
    category: ViolationCategory,
    nature: str,
    severity: str = "",
    customer_loss: Decimal = Decimal("0"),
    legal_matter: bool = False,
    responsible: list[tuple] | None = None,
    facts_clear: bool = False,
    evidence_conclusive: bool = False,
    characterization_accurate: bool = False,
    handling_appropriate: bool = False,
) -> Finding:
    """Determine the facts.

    Preconditions: open find_facts task; actor is the cleared lead investigator (the fact
    finder). An established violation needs a severity, at least one responsible person and
    the fact finder's attestation of all four principles.
    """
    with human_task(task, actor=actor, expected="find_facts") as step:
        case = step.case
        policy.require(actor, "find_facts", _("Only fact finders determine facts."))
        # The actor's standing and the findings so far, in one query.
        row = policy.standing_and_facts(_FIND_FACTS, actor, case)
        policy.require_cleared_team_member(actor, case, lead=True)
        responsible = responsible or []
        errors: dict[str, list] = {}
        if not nature.strip():
            errors["nature"] = [_("Describe the nature of the violation (or why it is not established).")]
        if customer_loss is None or customer_loss < 0:
            errors["customer_loss"] = [_("Customer loss cannot be negative.")]
        if established:
            if severity not in Severity.values:
                errors["severity"] = [_("Grade the severity.")]
            if not responsible:
                errors["responsible"] = [_("Name at least one responsible person.")]
            seen = set()
            for employee, kind in responsible:
                if kind not in ResponsibilityType.values:
                    errors.setdefault("responsible", []).append(_("Unknown responsibility type."))
                if employee.pk in seen:
                    errors.setdefault("responsible", []).append(
                        _("%(name)s is listed twice.") % {"name": employee.name})
                seen.add(employee.pk)
            if not all([facts_clear, evidence_conclusive, characterization_accurate, handling_appropriate]):
                errors["attestation"] = [_(
                    "An established violation needs all four principles attested: facts clear, "
                    "evidence conclusive, characterization accurate, handling appropriate."
                )]
        if errors:
            raise ValidationError(errors)
        finding = Finding(
            case=case, round=int(row["earlier"]) + 1, established=established,
            category=category, nature=nature, severity=severity if established else "",
            customer_loss=customer_loss, legal_matter=legal_matter, facts_clear=facts_clear,
            evidence_conclusive=evidence_conclusive,
            characterization_accurate=characterization_accurate,
            handling_appropriate=handling_appropriate, found_by=actor,
        )
        audit.save(finding, actor=actor, reason="facts determined")
        remember(case, "finding", finding)
        for employee, kind in responsible if established else []:
            audit.save(ResponsiblePerson(finding=finding, employee=employee, responsibility=kind),
                       actor=actor, reason="responsibility determined")
        if established:
            case.severity = severity
            case.category = category
            audit.save(case, actor=actor, reason="facts determined", update_fields=["severity", "category"])
        else:
            case.outcome = Outcome.NOT_ESTABLISHED
            audit.save(case, actor=actor, reason="not established", update_fields=["outcome"])
        audit.record(
            action="facts.determined", actor=actor, case=case,
            payload={"established": established, "severity": finding.severity,
                     "category": category.code, "round": finding.round,
                     "responsible": sorted([e.staff_number, k] for e, k in responsible),
                     "customer_loss": str(customer_loss), "legal_matter": legal_matter,
                     "task": step.task.pk},
        )
    return finding

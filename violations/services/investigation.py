"""Detailed investigation (詳細調查) and fact determination (事實認定)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from deadlines.models import Kind as DeadlineKind

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
from .clocks import clock_start

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _on_file(case: Case) -> bool:
    """Whether any interview, record review or evidence item is on file."""
    return any(
        model.objects.filter(case=case).exists() for model in (Interview, RecordReview, Evidence)
    )


def investigation_submit(
    *, case: Case, task, actor: User, summary: str, conclusion: str
) -> InvestigationReport:
    """Submit the investigation report.

    Preconditions: open investigate task; actor is the cleared lead investigator; at least one
    interview, record review or evidence item is on file.
    """
    policy.require(actor, "investigate_case", _("Only investigators submit investigation reports."))
    policy.require_cleared_team_member(actor, case, lead=True)
    if not _on_file(case):
        raise ValidationError(
            _("Record at least one interview, record review or evidence item first.")
        )
    if not summary.strip() or not conclusion.strip():
        raise ValidationError(_("Both the summary and the conclusion are required."))
    report = InvestigationReport(
        case=case,
        round=case.investigation_reports.count() + 1,
        summary=summary,
        conclusion=conclusion,
        submitted_by=actor,
    )
    audit.save(report, actor=actor, reason="investigation report submitted")
    audit.record(
        action="investigation.submitted",
        actor=actor,
        case=case,
        payload={"round": report.round, "task": task.pk},
    )
    return report


def facts_determine(
    *,
    case: Case,
    task,
    actor: User,
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
    policy.require(actor, "find_facts", _("Only fact finders determine facts."))
    policy.require_cleared_team_member(actor, case, lead=True)
    responsible = responsible or []
    errors: dict[str, list] = {}
    if not nature.strip():
        errors["nature"] = [
            _("Describe the nature of the violation (or why it is not established).")
        ]
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
                    _("%(name)s is listed twice.") % {"name": employee.name}
                )
            seen.add(employee.pk)
        if not all(
            [facts_clear, evidence_conclusive, characterization_accurate, handling_appropriate]
        ):
            errors["attestation"] = [
                _(
                    "An established violation needs all four principles attested: facts clear, "
                    "evidence conclusive, characterization accurate, handling appropriate."
                )
            ]
    if errors:
        raise ValidationError(errors)
    finding = Finding(
        case=case,
        round=case.findings.count() + 1,
        established=established,
        category=category,
        nature=nature,
        severity=severity if established else "",
        customer_loss=customer_loss,
        legal_matter=legal_matter,
        facts_clear=facts_clear,
        evidence_conclusive=evidence_conclusive,
        characterization_accurate=characterization_accurate,
        handling_appropriate=handling_appropriate,
        found_by=actor,
    )
    audit.save(finding, actor=actor, reason="facts determined")
    for employee, kind in responsible if established else []:
        audit.save(
            ResponsiblePerson(finding=finding, employee=employee, responsibility=kind),
            actor=actor,
            reason="responsibility determined",
        )
    if established:
        case.severity = severity
        case.category = category
        audit.save(
            case, actor=actor, reason="facts determined", update_fields=["severity", "category"]
        )
        if severity == Severity.MAJOR:
            # A major violation is reported to the regulator within the rule's time.
            clock_start(case=case, kind=DeadlineKind.REGULATOR_NOTICE, start=finding.found_at)
    else:
        case.outcome = Outcome.NOT_ESTABLISHED
        audit.save(case, actor=actor, reason="not established", update_fields=["outcome"])
    audit.record(
        action="facts.determined",
        actor=actor,
        case=case,
        payload={
            "established": established,
            "severity": finding.severity,
            "category": category.code,
            "round": finding.round,
            "responsible": sorted([e.staff_number, k] for e, k in responsible),
            "customer_loss": str(customer_loss),
            "legal_matter": legal_matter,
            "task": task.pk,
        },
    )
    return finding

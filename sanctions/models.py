"""Sanction catalogue, proposals, approvals and execution."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class SanctionType(models.TextChoices):
    WARNING = "warning", _("Oral or written warning")
    CRITICISM = "criticism", _("Notice of criticism")
    SUSPENSION = "suspension", _("Suspension of business authority")
    DEDUCTION = "deduction", _("Deduction of bonus or performance pay")
    DEMOTION = "demotion", _("Demotion or transfer")
    TERMINATION = "termination", _("Termination of the labour contract")
    JUDICIAL = "judicial", _("Referral to judicial authorities")


# Gravity, lightest first: the order of the brief's catalogue.
GRADE = {t: i for i, t in enumerate(SanctionType.values, start=1)}


class ApprovalLevel(models.TextChoices):
    DEPARTMENT = "department", _("Head of the subject's department")
    COMPLIANCE = "compliance", _("Compliance head (case manager)")
    SENIOR = "senior", _("Senior management")


LEVEL_RANK = {ApprovalLevel.DEPARTMENT: 1, ApprovalLevel.COMPLIANCE: 2, ApprovalLevel.SENIOR: 3}

# Approval level keyed on the gravest sanction in a proposal.
LEVEL_FOR_TYPE = {
    SanctionType.WARNING: ApprovalLevel.DEPARTMENT,
    SanctionType.CRITICISM: ApprovalLevel.DEPARTMENT,
    SanctionType.SUSPENSION: ApprovalLevel.COMPLIANCE,
    SanctionType.DEDUCTION: ApprovalLevel.COMPLIANCE,
    SanctionType.DEMOTION: ApprovalLevel.SENIOR,
    SanctionType.TERMINATION: ApprovalLevel.SENIOR,
    SanctionType.JUDICIAL: ApprovalLevel.SENIOR,
}

LEVEL_PERMISSION = {
    ApprovalLevel.DEPARTMENT: "approve_department_level",
    ApprovalLevel.COMPLIANCE: "approve_compliance_level",
    ApprovalLevel.SENIOR: "approve_senior_level",
}


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RETURNED = "returned", _("Returned for more investigation")


class SanctionProposal(models.Model):
    case = models.ForeignKey(
        "violations.Case", verbose_name=_("case"), on_delete=models.PROTECT,
        related_name="sanction_proposals",
    )
    round = models.PositiveSmallIntegerField(_("round"))
    justification = models.TextField(_("justification"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    required_level = models.CharField(
        _("approval level"), max_length=20, choices=ApprovalLevel.choices
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "round"]
        verbose_name = _("sanction proposal")
        verbose_name_plural = _("sanction proposals")
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="one_proposal_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} proposal {self.round}"


class SanctionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")
    EXECUTED = "executed", _("Executed")


class ProposedSanction(models.Model):
    proposal = models.ForeignKey(
        SanctionProposal, verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="items"
    )
    responsible = models.ForeignKey(
        "violations.ResponsiblePerson", verbose_name=_("responsible person"),
        on_delete=models.PROTECT, related_name="sanctions",
    )
    employee = models.ForeignKey(
        "violations.Employee", verbose_name=_("employee"), on_delete=models.PROTECT,
        related_name="sanctions",
    )
    sanction_type = models.CharField(_("sanction"), max_length=20, choices=SanctionType.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SanctionStatus.choices, default=SanctionStatus.PROPOSED
    )
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("executed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    executed_at = models.DateTimeField(_("executed at"), null=True, blank=True)
    execution_note = models.TextField(_("execution note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "employee", "sanction_type"]
        verbose_name = _("proposed sanction")
        verbose_name_plural = _("proposed sanctions")

    def __str__(self) -> str:
        return f"{self.employee.name}: {self.get_sanction_type_display()}"


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject (back to proposal)")
    RETURN = "return", _("Return for more investigation")


class ApprovalDecision(models.Model):
    proposal = models.ForeignKey(
        SanctionProposal, verbose_name=_("proposal"), on_delete=models.PROTECT,
        related_name="decisions",
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approver"), on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.CharField(_("level"), max_length=20, choices=ApprovalLevel.choices)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_at", "pk"]
        verbose_name = _("approval decision")
        verbose_name_plural = _("approval decisions")

    def __str__(self) -> str:
        return f"{self.proposal}: {self.get_decision_display()}"

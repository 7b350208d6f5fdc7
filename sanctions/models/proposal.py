"""Sanction proposals, the sanctions they propose (through to execution) and the approval
chain's decisions on them, with the matrix assessment each proposal was made against."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .catalogue import ApprovalLevel, SanctionType


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RETURNED = "returned", _("Returned for more investigation")


class SanctionProposal(models.Model):
    case = models.ForeignKey(
        "violations.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="sanction_proposals",
    )
    round = models.PositiveSmallIntegerField(_("round"))
    justification = models.TextField(_("justification"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    required_level = models.CharField(
        _("approval level"), max_length=20, choices=ApprovalLevel.choices
    )
    approvals_required = models.PositiveSmallIntegerField(
        _("distinct approvers required"), default=1
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
    EXPIRED = "expired", _("Expired (record period over)")
    LIFTED = "lifted", _("Lifted")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Replaced on appeal")


# Sanctions that count on a person's record (executed, whether still active or since ended
# in the ordinary course). Revoked and replaced ones never happened, as far as the record goes.
ON_RECORD = [SanctionStatus.EXECUTED, SanctionStatus.EXPIRED, SanctionStatus.LIFTED]


class ProposedSanction(models.Model):
    proposal = models.ForeignKey(
        SanctionProposal, verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="items"
    )
    responsible = models.ForeignKey(
        "violations.ResponsiblePerson",
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        related_name="sanctions",
    )
    employee = models.ForeignKey(
        "violations.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="sanctions",
    )
    sanction_type = models.CharField(_("sanction"), max_length=20, choices=SanctionType.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SanctionStatus.choices, default=SanctionStatus.PROPOSED
    )
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("executed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    executed_at = models.DateTimeField(_("executed at"), null=True, blank=True)
    execution_note = models.TextField(_("execution note"), blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    outside_range = models.BooleanField(_("outside the matrix range"), default=False)
    range_justification = models.TextField(_("justification for leaving the range"), blank=True)
    expires_on = models.DateField(_("active on the record until"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    end_reason = models.TextField(_("reason it ended"), blank=True)
    appeal = models.ForeignKey(
        "sanctions.Appeal",
        verbose_name=_("set by appeal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revised_sanctions",
    )

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
        SanctionProposal,
        verbose_name=_("proposal"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        on_delete=models.PROTECT,
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


class Assessment(models.Model):
    """The matrix range computed for one responsible person at proposal time, with the
    factors that moved it and why: what the proposer saw and what the approver checks."""

    proposal = models.ForeignKey(
        SanctionProposal,
        verbose_name=_("proposal"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    responsible = models.ForeignKey(
        "violations.ResponsiblePerson",
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    employee = models.ForeignKey(
        "violations.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    self_reported = models.BooleanField(_("self-reported"), default=False)
    cooperated = models.BooleanField(_("cooperated with the investigation"), default=False)
    loss_repaid = models.BooleanField(_("customer loss repaid"), default=False)
    prior_cases = models.PositiveSmallIntegerField(_("sanctioned cases in the look-back window"))
    lightest = models.CharField(_("lightest allowed"), max_length=20, choices=SanctionType.choices)
    gravest = models.CharField(_("gravest allowed"), max_length=20, choices=SanctionType.choices)
    recommended = models.CharField(_("recommended"), max_length=20, choices=SanctionType.choices)
    also_allowed = models.JSONField(_("also allowed"), default=list, blank=True)
    reasons = models.JSONField(_("reasons"), default=list)
    comparison = models.CharField(_("against precedents"), max_length=10, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "employee"]
        verbose_name = _("matrix assessment")
        verbose_name_plural = _("matrix assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "employee"], name="one_assessment_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.employee.name}"

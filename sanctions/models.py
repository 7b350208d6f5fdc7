"""Sanction catalogue, proposals, approvals and execution."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from violations.models import Severity


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


class SanctionKind(models.Model):
    """One entry of the sanction catalogue: reference data, edited in the admin.

    ``code`` is the stable key (a :class:`SanctionType` value); grade, record period, the
    department that carries it out and the approval rule are the institution's to set.
    """

    code = models.CharField(_("code"), max_length=20, choices=SanctionType.choices, unique=True)
    name = models.CharField(_("name"), max_length=200)
    grade = models.PositiveSmallIntegerField(
        _("grade (gravity)"), unique=True, help_text=_("1 is the lightest sanction.")
    )
    record_months = models.PositiveSmallIntegerField(
        _("record period in months"),
        help_text=_("How long an executed sanction stays active on the person's record."),
    )
    executing_department = models.CharField(_("executing department"), max_length=200)
    parameters = models.JSONField(
        _("parameters"), default=list, blank=True,
        help_text=_("The parameters a proposal of this kind records (documentation)."),
    )
    approval_level = models.CharField(
        _("approval level"), max_length=20, choices=ApprovalLevel.choices
    )
    approvers_required = models.PositiveSmallIntegerField(
        _("distinct approvers required"), default=1,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["grade"]
        verbose_name = _("sanction kind")
        verbose_name_plural = _("sanction catalogue")
        permissions = [
            ("file_appeal", _("Can record an appeal on behalf of a sanctioned person")),
            ("decide_appeal", _("Can decide appeals against sanctions")),
            ("end_sanction", _("Can lift or revoke an executed sanction")),
        ]

    def __str__(self) -> str:
        return self.name


class SeverityGrade(models.Model):
    """A severity grade with its rank and the sanction range used when no matrix rule fits."""

    code = models.CharField(_("code"), max_length=10, choices=Severity.choices, unique=True)
    name = models.CharField(_("name"), max_length=100)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True)
    default_lightest = models.ForeignKey(
        SanctionKind, verbose_name=_("default lightest sanction"), on_delete=models.PROTECT,
        related_name="+",
    )
    default_gravest = models.ForeignKey(
        SanctionKind, verbose_name=_("default gravest sanction"), on_delete=models.PROTECT,
        related_name="+",
    )
    default_recommended = models.ForeignKey(
        SanctionKind, verbose_name=_("default recommended sanction"), on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["rank"]
        verbose_name = _("severity grade")
        verbose_name_plural = _("severity grades")

    def __str__(self) -> str:
        return self.name


class MatrixRule(models.Model):
    """Sanction matrix cell: for a category and a severity, the allowed range and the
    recommended sanction. A rule on a top-level category covers its sub-categories."""

    category = models.ForeignKey(
        "violations.ViolationCategory", verbose_name=_("violation category"),
        on_delete=models.PROTECT, related_name="+",
    )
    severity = models.ForeignKey(
        SeverityGrade, verbose_name=_("severity"), on_delete=models.PROTECT, related_name="rules"
    )
    lightest = models.ForeignKey(
        SanctionKind, verbose_name=_("lightest allowed"), on_delete=models.PROTECT, related_name="+"
    )
    gravest = models.ForeignKey(
        SanctionKind, verbose_name=_("gravest allowed"), on_delete=models.PROTECT, related_name="+"
    )
    recommended = models.ForeignKey(
        SanctionKind, verbose_name=_("recommended"), on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["category", "severity"]
        verbose_name = _("sanction matrix rule")
        verbose_name_plural = _("sanction matrix")
        constraints = [
            models.UniqueConstraint(fields=["category", "severity"], name="one_rule_per_cell")
        ]

    def __str__(self) -> str:
        return f"{self.category} × {self.severity}"

    def clean(self) -> None:
        if self.lightest_id and self.gravest_id and self.recommended_id:
            if not self.lightest.grade <= self.recommended.grade <= self.gravest.grade:
                raise ValidationError(
                    _("The recommended sanction must lie between the lightest and the gravest.")
                )


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
    approvals_required = models.PositiveSmallIntegerField(_("distinct approvers required"), default=1)
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
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    outside_range = models.BooleanField(_("outside the matrix range"), default=False)
    range_justification = models.TextField(_("justification for leaving the range"), blank=True)
    expires_on = models.DateField(_("active on the record until"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ended by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    end_reason = models.TextField(_("reason it ended"), blank=True)
    appeal = models.ForeignKey(
        "sanctions.Appeal", verbose_name=_("set by appeal"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="revised_sanctions",
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


class Assessment(models.Model):
    """The matrix range computed for one responsible person at proposal time, with the
    factors that moved it and why: what the proposer saw and what the approver checks."""

    proposal = models.ForeignKey(
        SanctionProposal, verbose_name=_("proposal"), on_delete=models.PROTECT,
        related_name="assessments",
    )
    responsible = models.ForeignKey(
        "violations.ResponsiblePerson", verbose_name=_("responsible person"),
        on_delete=models.PROTECT, related_name="+",
    )
    employee = models.ForeignKey(
        "violations.Employee", verbose_name=_("employee"), on_delete=models.PROTECT,
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
            models.UniqueConstraint(fields=["proposal", "employee"], name="one_assessment_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.employee.name}"


class DefenceStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the statement")
    STATEMENT = "statement", _("Statement of defence received")
    WAIVED = "waived", _("Declined to make a statement")
    NONE = "none", _("No statement by the deadline")


class Defence(models.TextChoices):
    STATEMENT = "statement", _("Statement of defence received")
    WAIVED = "waived", _("Declined to make a statement")
    NONE = "none", _("No statement by the deadline")


class DefenceRecord(models.Model):
    """The right to be heard: the person was told of the proposed findings and sanction
    and had until ``due_at`` to answer."""

    proposal = models.ForeignKey(
        SanctionProposal, verbose_name=_("proposal"), on_delete=models.PROTECT,
        related_name="defences",
    )
    employee = models.ForeignKey(
        "violations.Employee", verbose_name=_("employee"), on_delete=models.PROTECT,
        related_name="+",
    )
    notified_at = models.DateTimeField(_("notified at"))
    notice = models.TextField(_("notice sent"))
    due_at = models.DateTimeField(_("statement due"))
    status = models.CharField(
        _("status"), max_length=20, choices=DefenceStatus.choices, default=DefenceStatus.PENDING
    )
    statement = models.TextField(_("statement of defence"), blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "employee"]
        verbose_name = _("statement of defence")
        verbose_name_plural = _("statements of defence")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "employee"], name="one_defence_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.employee.name} ({self.get_status_display()})"


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld (sanction stands)")
    MODIFIED = "modified", _("Modified")
    REVOKED = "revoked", _("Revoked")


class AppealOutcome(models.TextChoices):
    UPHOLD = "upheld", _("Uphold the sanction")
    MODIFY = "modified", _("Modify the sanction")
    REVOKE = "revoked", _("Revoke the sanction")


class Appeal(models.Model):
    """A sanctioned person's appeal, recorded on their behalf, decided outside the chain."""

    case = models.ForeignKey(
        "violations.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="appeals"
    )
    proposal = models.ForeignKey(
        SanctionProposal, verbose_name=_("proposal"), on_delete=models.PROTECT,
        related_name="appeals",
    )
    employee = models.ForeignKey(
        "violations.Employee", verbose_name=_("appellant"), on_delete=models.PROTECT,
        related_name="appeals",
    )
    grounds = models.TextField(_("grounds of appeal"))
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
        related_name="+",
    )
    decide_by = models.DateTimeField(_("decision due"))
    status = models.CharField(
        _("status"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reasons for the decision"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["filed_at", "pk"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "employee"], name="one_appeal_per_person_and_decision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.employee.name} ({self.get_status_display()})"

    @property
    def overdue(self) -> bool:
        return self.status == AppealStatus.OPEN and timezone.now() > self.decide_by

"""The sanction catalogue and the grading matrix: reference data the institution edits in the
admin, and the fixed scales (sanction types, approval levels) that the data is keyed on.

Sanction kinds and severity grades have a name in each language, and their history is
registered after the translated fields exist (``sanctions/translation.py``).
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
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
        _("parameters"),
        default=list,
        blank=True,
        help_text=_("The parameters a proposal of this kind records (documentation)."),
    )
    approval_level = models.CharField(
        _("approval level"), max_length=20, choices=ApprovalLevel.choices
    )
    approvers_required = models.PositiveSmallIntegerField(
        _("distinct approvers required"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    active = models.BooleanField(_("active"), default=True)

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
        SanctionKind,
        verbose_name=_("default lightest sanction"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    default_gravest = models.ForeignKey(
        SanctionKind,
        verbose_name=_("default gravest sanction"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    default_recommended = models.ForeignKey(
        SanctionKind,
        verbose_name=_("default recommended sanction"),
        on_delete=models.PROTECT,
        related_name="+",
    )

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
        "violations.ViolationCategory",
        verbose_name=_("violation category"),
        on_delete=models.PROTECT,
        related_name="+",
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
        # Only once all three are chosen: a missing one is the field's own error to report.
        all_chosen = self.lightest_id and self.gravest_id and self.recommended_id
        if all_chosen and not self.lightest.grade <= self.recommended.grade <= self.gravest.grade:
            raise ValidationError(
                _("The recommended sanction must lie between the lightest and the gravest.")
            )

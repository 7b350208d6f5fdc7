"""Appeals against sanctions, recorded on the sanctioned person's behalf and decided outside
the approval chain."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .proposal import SanctionProposal


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
        SanctionProposal,
        verbose_name=_("proposal"),
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    employee = models.ForeignKey(
        "violations.Employee",
        verbose_name=_("appellant"),
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    grounds = models.TextField(_("grounds of appeal"))
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decide_by = models.DateTimeField(_("decision due"))
    status = models.CharField(
        _("status"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
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

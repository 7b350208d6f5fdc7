"""The right to be heard: the statement of defence a person may make on a proposal."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .proposal import SanctionProposal


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
        SanctionProposal,
        verbose_name=_("proposal"),
        on_delete=models.PROTECT,
        related_name="defences",
    )
    employee = models.ForeignKey(
        "violations.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
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
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
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

"""The reporter identity vault: who reported an anonymous or confidential case.

The identity lives apart from the case (``Case.reported_by`` stays empty), is shown to nobody
by default, and is unmasked only through a reasoned request by a case manager that a second,
different person approves. Every view of an identity is an audit event.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ReporterIdentity(models.Model):
    case = models.OneToOneField(
        "violations.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="reporter_identity",
    )
    # The login lets policy keep the reporter off the case and show them "my reports"
    # without the case itself naming anyone.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reporter identity")
        verbose_name_plural = _("reporter identities")

    def __str__(self) -> str:
        # Never the identity itself: this string ends up in logs and admin breadcrumbs.
        # (Outside the f-string: xgettext does not look inside one.)
        label = _("Reporter identity")
        return f"{label} #{self.pk}"


class UnmaskStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class UnmaskRequest(models.Model):
    case = models.ForeignKey(
        "violations.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="unmask_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=UnmaskStatus.choices, default=UnmaskStatus.PENDING
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
    decision_reason = models.TextField(_("decision reason"), blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("identity unmasking request")
        verbose_name_plural = _("identity unmasking requests")

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.get_status_display()}"

    def is_open_for(self, user) -> bool:
        """Approved, still valid, and ``user`` is the one who asked."""
        return (
            self.status == UnmaskStatus.APPROVED
            and self.requested_by_id == getattr(user, "pk", None)
            and self.valid_until is not None
            and timezone.now() <= self.valid_until
        )

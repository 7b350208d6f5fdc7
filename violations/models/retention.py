"""Records after close: how long a closed case keeps its personal data (per category), the
legal holds that keep it longer, and the record that a case's personal data was erased."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class RetentionRule(models.Model):
    """Years after close a case of ``category`` (and of its sub-categories without a rule of
    their own) keeps its personal data. Reference data: edited in the admin, every change a
    configuration event. Without a rule, ``ACCOUNTABILITY["RETENTION_YEARS"]`` applies."""

    category = models.OneToOneField(
        "violations.ViolationCategory",
        verbose_name=_("violation category"),
        on_delete=models.PROTECT,
        related_name="retention_rule",
    )
    years = models.PositiveSmallIntegerField(
        _("years after close"),
        help_text=_("Personal data of a closed case is erased this many years after closing."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["category__code"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")

    def __str__(self) -> str:
        return f"{self.category.code}: {self.years}"


class LegalHold(models.Model):
    """A case kept whole, whatever its retention, until a case manager lifts the hold."""

    case = models.ForeignKey(
        "violations.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="legal_holds",
    )
    reason = models.TextField(_("reason for the hold"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lift_reason = models.TextField(_("reason for lifting"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-set_at"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(lifted_at__isnull=True),
                name="one_active_legal_hold_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.set_at:%Y-%m-%d}"

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class Erasure(models.Model):
    """That a closed case's personal data was erased, when, and how much of it."""

    case = models.OneToOneField(
        "violations.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="erasure",
    )
    erased_at = models.DateTimeField(_("erased at"), default=timezone.now)
    retention_ended_at = models.DateTimeField(_("retention ended at"))
    # Rows, history rows and files erased, by model label: what the audit event also says.
    summary = models.JSONField(_("what was erased"), default=dict)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("personal-data erasure")
        verbose_name_plural = _("personal-data erasures")

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.erased_at:%Y-%m-%d}"

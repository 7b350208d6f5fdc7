"""A bulletin and its entries. Written only by :mod:`reports.bulletins.services`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from violations.models import Severity

TITLE_MAX = 200
SUMMARY_MAX = 5000


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved, not yet published")
    PUBLISHED = "published", _("Published")


class Bulletin(models.Model):
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    status = models.CharField(
        _("status"), max_length=10, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    drafted_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    # The approval holds for the text whose digest it names, and for no other.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_sha256 = models.CharField(_("approved text (SHA-256)"), max_length=64, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_end", "-pk"]
        verbose_name = _("case bulletin")
        verbose_name_plural = _("case bulletins")
        permissions = [
            ("draft_bulletin", "Can draft and edit case bulletins"),
            ("approve_bulletin", "Can approve and publish case bulletins"),
            ("read_bulletin", "Can read published case bulletins"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("bulletins:detail", args=[self.pk])


class BulletinEntry(models.Model):
    """One closed case, as the bulletin tells it: the facts as codes (shown in the reader's
    language) and a summary in words the drafter wrote from the redacted draft."""

    bulletin = models.ForeignKey(
        Bulletin, verbose_name=_("bulletin"), on_delete=models.PROTECT, related_name="entries"
    )
    # Not named "case": an entry is part of the bulletin, not a record of the case.
    source_case = models.ForeignKey(
        "violations.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    category = models.ForeignKey(
        "violations.ViolationCategory",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    sanction_types = models.JSONField(_("sanctions"), default=list, blank=True)
    root_causes = models.JSONField(_("root causes"), default=list, blank=True)
    actions = models.JSONField(_("corrective actions"), default=list, blank=True)
    closed_month = models.DateField(_("closed in"))
    summary = models.TextField(_("summary"), max_length=SUMMARY_MAX)
    # The drafter may leave a case out (its story would point at someone however worded).
    included = models.BooleanField(_("included"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["bulletin", "position"]
        verbose_name = _("bulletin entry")
        verbose_name_plural = _("bulletin entries")
        constraints = [
            models.UniqueConstraint(
                fields=["bulletin", "position"], name="bulletin_entry_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bulletin} #{self.position}"

"""Investigation records and the fact determination."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .case import Case, Severity


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    # Stored under the digest, never the uploader's name: the name is kept as data only.
    return f"evidence/{instance.case_id}/{instance.sha256}"


class EvidenceKind(models.TextChoices):
    REPORT_ATTACHMENT = "report_attachment", _("Report attachment")
    REPORTER_ATTACHMENT = "reporter_attachment", _("Sent by the reporter")
    DOCUMENT = "document", _("Document")
    RECORDING = "recording", _("Recording")
    SYSTEM_RECORD = "system_record", _("System record")
    PHOTO = "photo", _("Photo")
    OTHER = "other", _("Other")


class Evidence(models.Model):
    """An evidence file with its chain of custody. Never deleted, only superseded."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="evidence"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=EvidenceKind.choices)
    description = models.CharField(_("description"), max_length=500)
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # Empty only for attachments of an identity-protected report: naming the uploader would
    # unmask the reporter.
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("collected by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    collected_at = models.DateTimeField(_("collected at"), default=timezone.now)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("superseded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supersedes",
    )
    superseded_reason = models.TextField(_("reason for superseding"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["collected_at", "pk"]
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]})"


class Interview(models.Model):
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="interviews"
    )
    interviewee = models.CharField(_("interviewee"), max_length=200)
    interviewee_employee = models.ForeignKey(
        "violations.Employee",
        verbose_name=_("interviewee (employee)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    held_at = models.DateTimeField(_("held at"))
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("interviewer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary = models.TextField(_("summary"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["held_at", "pk"]
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")

    def __str__(self) -> str:
        return f"{self.interviewee} @ {self.held_at:%Y-%m-%d}"


class RecordReview(models.Model):
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="record_reviews"
    )
    record = models.CharField(_("record reviewed"), max_length=300)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now)
    findings = models.TextField(_("findings"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["reviewed_at", "pk"]
        verbose_name = _("record review")
        verbose_name_plural = _("record reviews")

    def __str__(self) -> str:
        return self.record


class InvestigationReport(models.Model):
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="investigation_reports"
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    summary = models.TextField(_("summary of the investigation"))
    conclusion = models.TextField(_("conclusion"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["round"]
        verbose_name = _("investigation report")
        verbose_name_plural = _("investigation reports")

    def __str__(self) -> str:
        return f"{self.case.reference} report {self.round}"


class ResponsibilityType(models.TextChoices):
    DIRECT = "direct", _("Direct responsibility")
    MANAGERIAL = "managerial", _("Managerial responsibility")
    LEADERSHIP = "leadership", _("Leadership responsibility")


class Finding(models.Model):
    """Fact determination. A case may be found more than once if it is returned."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="findings"
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    established = models.BooleanField(_("violation established"))
    category = models.ForeignKey(
        "violations.ViolationCategory",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    nature = models.TextField(_("nature (characterization)"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    customer_loss = models.DecimalField(
        _("customer loss"), max_digits=14, decimal_places=2, default=0
    )
    legal_matter = models.BooleanField(_("legal matter involved"), default=False)
    facts_clear = models.BooleanField(_("facts are clear"), default=False)
    evidence_conclusive = models.BooleanField(_("evidence is conclusive"), default=False)
    characterization_accurate = models.BooleanField(
        _("characterization is accurate"), default=False
    )
    handling_appropriate = models.BooleanField(_("handling is appropriate"), default=False)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("fact finder"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    found_at = models.DateTimeField(_("found at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["round"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return f"{self.case.reference} finding {self.round}"


class ResponsiblePerson(models.Model):
    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), on_delete=models.PROTECT, related_name="responsible"
    )
    employee = models.ForeignKey(
        "violations.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="responsibilities",
    )
    responsibility = models.CharField(
        _("responsibility"), max_length=20, choices=ResponsibilityType.choices
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("responsible person")
        verbose_name_plural = _("responsible persons")
        constraints = [
            models.UniqueConstraint(fields=["finding", "employee"], name="one_entry_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.employee} ({self.get_responsibility_display()})"

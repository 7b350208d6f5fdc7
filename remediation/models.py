"""Root causes, corrective actions, customer redress, regulator notice, effectiveness review."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class RootCauseCategory(models.TextChoices):
    RULES = "rules", _("Rules and process")
    TRAINING = "training", _("Training and awareness")
    SYSTEM = "system", _("System loophole")
    SUPERVISION = "supervision", _("Supervision and control")
    CONDUCT = "conduct", _("Individual conduct")
    OTHER = "other", _("Other")


class RootCause(models.Model):
    case = models.ForeignKey(
        "violations.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="root_causes",
    )
    round = models.PositiveSmallIntegerField(_("plan round"), default=1)
    category = models.CharField(_("category"), max_length=20, choices=RootCauseCategory.choices)
    description = models.TextField(_("description"))
    identified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("identified by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "round", "pk"]
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.description[:60]}"


class ActionKind(models.TextChoices):
    RULE_REVISION = "rule_revision", _("Rule revision")
    TRAINING = "training", _("Special training")
    SYSTEM_FIX = "system_fix", _("System fix")
    PROCESS_CHANGE = "process_change", _("Process change")
    NEW_CONTROL = "new_control", _("New control")
    OTHER = "other", _("Other")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class CorrectiveAction(models.Model):
    case = models.ForeignKey(
        "violations.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="corrective_actions",
    )
    round = models.PositiveSmallIntegerField(_("plan round"), default=1)
    kind = models.CharField(_("kind"), max_length=20, choices=ActionKind.choices)
    description = models.TextField(_("description"))
    root_causes = models.ManyToManyField(
        RootCause, verbose_name=_("root causes addressed"), related_name="actions"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="corrective_actions",
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    proof = models.ForeignKey(
        "violations.Evidence",
        verbose_name=_("proof file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proof_link = models.URLField(_("proof link"), blank=True)
    completion_note = models.TextField(_("completion note"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancellation"), blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "round", "due_date", "pk"]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:60]}"

    @property
    def overdue(self) -> bool:
        return self.status == ActionStatus.OPEN and timezone.localdate() > self.due_date

    @property
    def done_on_time(self) -> bool | None:
        """None while not done; otherwise whether it was done by its due date (local time)."""
        if self.status != ActionStatus.DONE or self.completed_at is None:
            return None
        return timezone.localdate(self.completed_at) <= self.due_date


class TrainingSession(models.Model):
    """A training held because of one or more cases, answering some of their root causes."""

    topic = models.CharField(_("topic"), max_length=200)
    held_on = models.DateField(_("held on"))
    trainer = models.CharField(_("trainer"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    attendees = models.ManyToManyField(
        "violations.Employee",
        verbose_name=_("attendees"),
        related_name="training_sessions",
        through="TrainingAttendance",
    )
    # Training a case or corrective action requires by a date: an attendee who has not
    # completed it by then is overdue.
    due_date = models.DateField(_("to be completed by"), null=True, blank=True)
    cases = models.ManyToManyField(
        "violations.Case", verbose_name=_("cases answered"), related_name="training_sessions"
    )
    root_causes = models.ManyToManyField(
        RootCause,
        verbose_name=_("root causes answered"),
        related_name="training_sessions",
        blank=True,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def __str__(self) -> str:
        return f"{self.held_on}: {self.topic}"


class TrainingAttendance(models.Model):
    """One attendee of a session, and whether they completed the training.

    The table is the one the plain many-to-many relation had, so existing attendees stay.
    """

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("training session"),
        on_delete=models.CASCADE,
        related_name="attendance",
        db_column="trainingsession_id",
    )
    employee = models.ForeignKey(
        "violations.Employee",
        verbose_name=_("attendee"),
        on_delete=models.CASCADE,
        related_name="training_attendance",
    )
    completed = models.BooleanField(_("completed"), default=False)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completion_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completion recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        db_table = "remediation_trainingsession_attendees"
        ordering = ["session_id", "employee_id"]
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendance")
        # As the plain relation's table had it (the same index, under the same name).
        unique_together = [("session", "employee")]

    def __str__(self) -> str:
        return f"{self.session}: {self.employee}"

    def is_overdue(self, today) -> bool:
        due = self.session.due_date
        return not self.completed and due is not None and due < today


class ComplaintExtension(models.Model):
    """The complaint clock of a complex case, extended with a reason (latest row wins)."""

    case = models.ForeignKey(
        "violations.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="complaint_extensions",
    )
    limit_days = models.PositiveSmallIntegerField(_("new limit (days from the report)"))
    reason = models.TextField(_("reason"))
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("extended by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    extended_at = models.DateTimeField(_("extended at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "extended_at", "pk"]
        verbose_name = _("complaint clock extension")
        verbose_name_plural = _("complaint clock extensions")

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.limit_days}"


class CustomerInformationRequest(models.Model):
    """The team asked the customer for information and waits for the answer: the complaint
    clock does not count while a request is open (the wait is the customer's, not the
    institution's)."""

    case = models.ForeignKey(
        "violations.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="customer_information_requests",
    )
    question = models.TextField(_("information asked for"))
    channel = models.CharField(_("channel"), max_length=100)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    answer = models.TextField(_("the customer's answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answer recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "requested_at", "pk"]
        verbose_name = _("information request to the customer")
        verbose_name_plural = _("information requests to the customer")

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.requested_at:%Y-%m-%d}"


class CustomerFeedback(models.Model):
    case = models.ForeignKey(
        "violations.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="customer_feedback",
    )
    channel = models.CharField(_("channel"), max_length=100)
    notified_at = models.DateTimeField(_("outcome notified at"))
    notice_summary = models.TextField(_("content of the outcome notice"))
    apology = models.BooleanField(_("apology made"), default=False)
    compensation = models.DecimalField(
        _("compensation"), max_digits=14, decimal_places=2, default=0
    )
    compensation_paid_on = models.DateField(_("compensation paid on"), null=True, blank=True)
    customer_response = models.TextField(_("customer's response"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1-5)"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("customer feedback")
        verbose_name_plural = _("customer feedback")

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.channel}"


class RegulatorNotification(models.Model):
    case = models.ForeignKey(
        "violations.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="regulator_notifications",
    )
    regulator = models.CharField(_("regulator"), max_length=200)
    notified_at = models.DateTimeField(_("notified at"))
    reference_number = models.CharField(_("reference number"), max_length=100)
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("regulator notification")
        verbose_name_plural = _("regulator notifications")

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.regulator} {self.reference_number}"


class Verdict(models.TextChoices):
    EFFECTIVE = "effective", _("Effective")
    PARTLY = "partly", _("Partly effective")
    INEFFECTIVE = "ineffective", _("Ineffective")


class EffectivenessReview(models.Model):
    case = models.ForeignKey(
        "violations.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="effectiveness_reviews",
    )
    round = models.PositiveSmallIntegerField(_("round"))
    timeliness = models.TextField(_("timeliness"))
    pertinence = models.TextField(_("pertinence"))
    effectiveness = models.TextField(_("effectiveness"))
    evidence = models.JSONField(_("computed evidence"), default=dict)
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices)
    reasons = models.TextField(_("reasons"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "round"]
        verbose_name = _("effectiveness review")
        verbose_name_plural = _("effectiveness reviews")

    def __str__(self) -> str:
        return f"{self.case.reference} review {self.round}: {self.get_verdict_display()}"

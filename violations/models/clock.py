"""SLA clocks, in the manner of ServiceNow's task SLAs: one per case and thing timed (the
acknowledgement, a stage, a defence window, an appeal, a corrective action, the complaint
answer, the regulator notice). A clock starts, may pause (waiting for the subject's defence
or for the customer) and resume with the time it had left, and stops; it is breached when it
runs past its due moment while running, and the deadline scan reminds and escalates from it.

The clock is bookkeeping derived from audited events (the step that starts, pauses or stops
it records its own event; breaches and escalations are audit events of their own), so it
keeps no history of its own.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deadlines.models import Kind


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = (ClockState.RUNNING, ClockState.PAUSED)


class Clock(models.Model):
    case = models.ForeignKey(
        "violations.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="clocks"
    )
    # deadlines.models.Kind: which rule times it.
    kind = models.CharField(_("deadline"), max_length=40)
    # What is timed within the case and kind: a stage entry, a corrective action, an appeal.
    target = models.CharField(_("timed item"), max_length=60, blank=True)
    label = models.CharField(_("label"), max_length=200, blank=True)
    basis = models.CharField(_("counted in"), max_length=20)
    state = models.CharField(
        _("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"))
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    # What was left when it paused: working seconds for a working-day clock, else seconds.
    remaining_seconds = models.FloatField(_("time left when paused"), null=True, blank=True)
    paused_seconds = models.FloatField(_("time spent paused"), default=0)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    # Who must act; empty: the holder of the case's open task, found when needed.
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The scan's progress: reminded once, then escalation levels 1 (holder), 2 (manager),
    # 3 (compliance head), each once per due moment.
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    next_check_at = models.DateTimeField(_("next check"), null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("deadline clock")
        verbose_name_plural = _("deadline clocks")
        indexes = [
            # The deadline scan reads only clocks whose next check has come.
            models.Index(
                fields=["next_check_at"],
                name="clock_next_check",
                condition=Q(next_check_at__isnull=False),
            ),
            models.Index(fields=["case", "state"], name="clock_case_state"),
            models.Index(fields=["state", "due_at"], name="clock_state_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "target"],
                condition=Q(state__in=["running", "paused"]),
                name="clock_one_open_per_item",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.target}".strip()

    @property
    def title(self) -> str:
        """What is timed, in the reader's language (a corrective action by its text)."""
        try:
            name = str(Kind(self.kind).label)
        except ValueError:
            name = self.kind
        return f"{name}: {self.label}" if self.label else name

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def breached(self) -> bool:
        if self.breached_at is not None:
            return True
        return self.state == ClockState.RUNNING and timezone.now() > self.due_at

    def time_left(self, now=None):
        """Time to the due moment (negative when late); None once stopped."""
        if not self.is_open:
            return None
        if self.state == ClockState.PAUSED:
            import datetime as dt

            return dt.timedelta(seconds=self.remaining_seconds or 0)
        return self.due_at - (now or timezone.now())

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    """One row per scheduled job: when it is next due, who holds it now, how it last went.
    The row is the job's lock on every database (a conditional UPDATE takes it)."""

    name = models.CharField(_("job"), max_length=60, primary_key=True)
    next_run_at = models.DateTimeField(_("next run"), null=True, blank=True)
    locked_until = models.DateTimeField(_("held until"), null=True, blank=True)
    locked_by = models.CharField(_("held by"), max_length=100, blank=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_ok = models.BooleanField(_("last run succeeded"), null=True)
    last_result = models.TextField(_("last result"), blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name

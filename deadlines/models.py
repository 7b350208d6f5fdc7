"""Working-day calendars and deadline rules: reference data edited in the admin, each change
an audited configuration change (``violations.services.reference``)."""

from __future__ import annotations

import holidays
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Basis(models.TextChoices):
    CALENDAR_HOURS = "calendar_hours", _("Calendar hours")
    CALENDAR_DAYS = "calendar_days", _("Calendar days")
    WORKING_DAYS = "working_days", _("Working days")


class Kind(models.TextChoices):
    """What a deadline rule times. The labels are gettext strings, so the rule names read in
    the user's language without translated columns."""

    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement of a report")
    FEEDBACK = "feedback", _("Feedback to the reporter")
    STAGE_VERIFICATION = "stage.verification", _("Stage: preliminary verification")
    STAGE_TEAM = "stage.team", _("Stage: investigation team")
    STAGE_INVESTIGATION = "stage.investigation", _("Stage: detailed investigation")
    STAGE_FACT_FINDING = "stage.fact_finding", _("Stage: fact determination")
    STAGE_SANCTION_PROPOSAL = "stage.sanction_proposal", _("Stage: sanction proposal")
    STAGE_APPROVAL = "stage.approval", _("Stage: approval")
    STAGE_POST_APPROVAL = "stage.post_approval", _("Stage: execution and remediation")
    STAGE_EFFECTIVENESS_REVIEW = "stage.effectiveness_review", _("Stage: effectiveness review")
    DEFENCE = "defence", _("Answer to a proposed sanction")
    APPEAL_FILING = "appeal_filing", _("Appeal window")
    APPEAL_DECISION = "appeal_decision", _("Appeal decision")
    COMPLAINT = "complaint", _("Answer to a customer complaint")
    COMPLAINT_EXTENSION = "complaint_extension", _("Longest extension of a complaint answer")
    REGULATOR_NOTICE = "regulator_notice", _("Notice to the regulator")
    CORRECTIVE_ACTION = "corrective_action", _("Corrective action")
    REVIEW_DELAY = "review_delay", _("Wait before the effectiveness review")

    @classmethod
    def of_stage(cls, stage: str) -> Kind | None:
        try:
            return cls(f"stage.{stage}")
        except ValueError:
            return None


# Windows and waits run out without anyone being late: they are never reminded or escalated.
WINDOWS = frozenset({Kind.DEFENCE, Kind.APPEAL_FILING, Kind.COMPLAINT_EXTENSION, Kind.REVIEW_DELAY})


class Severity(models.TextChoices):
    # The values of violations.models.Severity (this app knows nothing of cases; a test keeps
    # the two lists equal).
    MINOR = "minor", _("Minor")
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")
    MAJOR = "major", _("Major")


class Source(models.TextChoices):
    # The values of violations.models.Source (kept equal by the same test).
    STAFF_REPORT = "staff_report", _("Staff report")
    CUSTOMER_COMPLAINT = "customer_complaint", _("Customer complaint")
    AUDIT_FINDING = "audit_finding", _("Audit finding")
    REGULATOR_REFERRAL = "regulator_referral", _("Regulator referral")
    WHISTLEBLOWER = "whistleblower", _("Whistleblower")


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


def _check_weekend(value: str) -> None:
    try:
        days = {int(d) for d in value.split(",") if d.strip()}
    except ValueError:
        days = {-1}
    if not days <= set(range(7)) or len(days) > 6:
        raise ValidationError(
            _("List the days off as numbers from 0 (Monday) to 6 (Sunday), e.g. 5,6.")
        )


class WorkingCalendar(models.Model):
    """Where working days are counted: a jurisdiction's public holidays (from the
    ``holidays`` package), the institution's weekend and its own days (typhoon closures,
    extra holidays, extra working days). One calendar is the institution's default."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    country = models.CharField(
        _("country or territory"),
        max_length=3,
        help_text=_("ISO 3166 code whose public holidays count, e.g. HK, TW, CN."),
    )
    subdivision = models.CharField(
        _("subdivision"),
        max_length=10,
        blank=True,
        help_text=_("A region of the country with its own holidays; empty for none."),
    )
    weekend = models.CharField(
        _("days off each week"),
        max_length=20,
        default="5,6",
        validators=[_check_weekend],
        help_text=_("Numbers from 0 (Monday) to 6 (Sunday), separated by commas."),
    )
    is_default = models.BooleanField(
        _("the institution's calendar"),
        default=False,
        help_text=_("Deadline rules that name no calendar count working days here."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("working-day calendar")
        verbose_name_plural = _("working-day calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="deadlines_one_default_calendar",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        supported = holidays.list_supported_countries()
        if self.country not in supported:
            raise ValidationError(
                {
                    "country": _("No public-holiday calendar is known for %(code)s.")
                    % {"code": self.country}
                }
            )
        if self.subdivision and self.subdivision not in supported[self.country]:
            raise ValidationError(
                {
                    "subdivision": _("%(country)s has no subdivision %(code)s.")
                    % {"country": self.country, "code": self.subdivision}
                }
            )

    @property
    def weekend_days(self) -> frozenset[int]:
        return frozenset(int(d) for d in self.weekend.split(",") if d.strip())


class DayKind(models.TextChoices):
    CLOSURE = "closure", _("Closed (typhoon, rainstorm, other emergency)")
    HOLIDAY = "holiday", _("Extra holiday")
    WORKING = "working", _("Extra working day")


class InstitutionDay(models.Model):
    """A day the institution counts differently from the public calendar."""

    calendar = models.ForeignKey(
        WorkingCalendar,
        verbose_name=_("calendar"),
        on_delete=models.CASCADE,
        related_name="institution_days",
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date"]
        verbose_name = _("institution day")
        verbose_name_plural = _("institution days")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="deadlines_one_day_entry")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class DeadlineRule(models.Model):
    """How long something may take, and when people are reminded and escalated to.

    A rule with a severity or a source applies only to cases of that severity or source and
    wins over a rule without one."""

    kind = models.CharField(_("deadline"), max_length=40, choices=Kind.choices)
    severity = models.CharField(
        _("severity"),
        max_length=10,
        choices=Severity.choices,
        blank=True,
        help_text=_("Empty: cases of every severity."),
    )
    source = models.CharField(
        _("source"),
        max_length=30,
        choices=Source.choices,
        blank=True,
        help_text=_("Empty: reports from every source."),
    )
    basis = models.CharField(_("counted in"), max_length=20, choices=Basis.choices)
    amount = models.PositiveIntegerField(_("amount"))
    calendar = models.ForeignKey(
        WorkingCalendar,
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rules",
        help_text=_("For working days; empty: the institution's calendar."),
    )
    remind_before_hours = models.PositiveIntegerField(
        _("remind this many hours before"), default=24
    )
    manager_after_hours = models.PositiveIntegerField(
        _("tell the manager this many hours after a breach"), default=24
    )
    head_after_hours = models.PositiveIntegerField(
        _("tell the compliance head this many hours after a breach"), default=72
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "severity", "source"]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "severity", "source"], name="deadlines_one_rule_per_scope"
            )
        ]

    def __str__(self) -> str:
        scope = " · ".join(
            str(x) for x in (self.get_severity_display(), self.get_source_display()) if x
        )
        name = str(self.get_kind_display())
        return f"{name} ({scope})" if scope else name

    def clean(self) -> None:
        errors = {}
        if self.amount is not None and self.amount < 1:
            errors["amount"] = _("A deadline is at least one unit long.")
        manager, head = self.manager_after_hours, self.head_after_hours
        if manager is not None and head is not None and head < manager:
            errors["head_after_hours"] = _(
                "The compliance head is told after the manager, not before."
            )
        if errors:
            raise ValidationError(errors)

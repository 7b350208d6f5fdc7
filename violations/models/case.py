"""The case: one reported violation and the records of its early stages."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from viewflow.workflow.models import Process


class Source(models.TextChoices):
    STAFF_REPORT = "staff_report", _("Staff report")
    CUSTOMER_COMPLAINT = "customer_complaint", _("Customer complaint")
    AUDIT_FINDING = "audit_finding", _("Audit finding")
    REGULATOR_REFERRAL = "regulator_referral", _("Regulator referral")
    WHISTLEBLOWER = "whistleblower", _("Whistleblower")


class Stage(models.TextChoices):
    VERIFICATION = "verification", _("Preliminary verification")
    TEAM = "team", _("Investigation team")
    INVESTIGATION = "investigation", _("Detailed investigation")
    FACT_FINDING = "fact_finding", _("Fact determination")
    SANCTION_PROPOSAL = "sanction_proposal", _("Sanction proposal")
    APPROVAL = "approval", _("Approval")
    POST_APPROVAL = "post_approval", _("Execution and remediation")
    EFFECTIVENESS_REVIEW = "effectiveness_review", _("Effectiveness review")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    OPEN = "open", _("Open")
    DISMISSED = "dismissed", _("Dismissed")
    DUPLICATE = "duplicate", _("Duplicate")
    NOT_ESTABLISHED = "not_established", _("Not established")
    SANCTIONED = "sanctioned", _("Established and handled")
    CANCELLED = "cancelled", _("Cancelled")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")
    MAJOR = "major", _("Major")


class Case(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    process = models.OneToOneField(
        Process,
        verbose_name=_("process"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case",
    )
    source = models.CharField(_("source"), max_length=30, choices=Source.choices)
    category = models.ForeignKey(
        "violations.ViolationCategory",
        verbose_name=_("violation category"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    occurred_at = models.DateTimeField(_("occurred at"))
    department = models.ForeignKey(
        "violations.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    subjects = models.ManyToManyField(
        "violations.Employee", verbose_name=_("subject employees"), related_name="cases_as_subject"
    )
    customer_involved = models.BooleanField(_("customer involved"), default=False)
    customer_name = models.CharField(_("affected customer"), max_length=200, blank=True)
    customer_reference = models.CharField(_("customer reference"), max_length=100, blank=True)
    customer_contact = models.CharField(_("customer contact"), max_length=200, blank=True)
    is_anonymous = models.BooleanField(
        _("anonymous to the case team"),
        default=False,
        help_text=_("The reporter's identity is withheld from everyone working on the case."),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_cases",
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    acknowledge_due_at = models.DateTimeField(_("acknowledgement due"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    stage = models.CharField(
        _("stage"), max_length=30, choices=Stage.choices, default=Stage.VERIFICATION
    )
    stage_entered_at = models.DateTimeField(_("stage entered at"), default=timezone.now)
    stage_due_at = models.DateTimeField(_("stage due"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=30, choices=Outcome.choices, default=Outcome.OPEN
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # The subjects are part of every history row, so a past state names who it was about.
    history = HistoricalRecords(m2m_fields=["subjects"])

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # The case list's order: without it every page sorts all the cases it may show.
            models.Index(fields=["reported_at"]),
            models.Index(fields=["stage", "reported_at"]),
            models.Index(fields=["category", "reported_at"]),
            models.Index(fields=["department", "reported_at"]),
            # The dashboard's closed-per-month trend and its backlog (cases still open at a
            # month's end) read a range of closing times; without it both scan every case
            # (see docs/performance.md, the supervision dashboard at 1,000,000 cases).
            models.Index(fields=["closed_at"]),
        ]
        permissions = [
            ("report_case", _("Can report a violation")),
            ("verify_case", _("Can carry out preliminary verification")),
            ("form_team", _("Can set up the investigation team")),
            ("investigate_case", _("Can investigate")),
            ("find_facts", _("Can determine facts")),
            ("propose_sanction", _("Can propose sanctions")),
            ("approve_department_level", _("Can approve sanctions at department level")),
            ("approve_compliance_level", _("Can approve sanctions at compliance-head level")),
            ("approve_senior_level", _("Can approve sanctions at senior-management level")),
            ("execute_sanction", _("Can record sanction execution")),
            ("record_customer_feedback", _("Can record customer feedback")),
            ("notify_regulator", _("Can record regulator notification")),
            ("plan_remediation", _("Can plan remediation")),
            ("complete_action", _("Can complete corrective actions")),
            ("review_effectiveness", _("Can review remediation effectiveness")),
            ("view_all_cases", _("Can see every case")),
            ("manage_cases", _("Can manage cases and reassign work")),
            ("audit_cases", _("Can read and export the audit trail")),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("casework:case_detail", args=[self.reference])

    @property
    def is_closed(self) -> bool:
        return self.stage == Stage.CLOSED

    @property
    def acknowledgement_overdue(self) -> bool:
        if self.acknowledged_at:
            return self.acknowledged_at > self.acknowledge_due_at
        return timezone.now() > self.acknowledge_due_at

    @property
    def stage_overdue(self) -> bool:
        return bool(
            self.stage_due_at and self.stage != Stage.CLOSED and timezone.now() > self.stage_due_at
        )


class ReferenceCounter(models.Model):
    """Last issued case number per year; locked while a new reference is taken."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class VerificationOutcome(models.TextChoices):
    PROCEED = "proceed", _("Proceed to investigation")
    DISMISS = "dismiss", _("Dismiss")
    DUPLICATE = "duplicate", _("Duplicate of another case")


class Verification(models.Model):
    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="verification"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=VerificationOutcome.choices)
    reason = models.TextField(_("reason"), blank=True)
    first_evidence = models.TextField(_("first evidence gathered"), blank=True)
    duplicate_of = models.ForeignKey(
        Case,
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.get_outcome_display()}"


class TeamRole(models.TextChoices):
    LEAD = "lead", _("Lead investigator")
    MEMBER = "member", _("Member")


class TeamMember(models.Model):
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="team"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="case_memberships",
    )
    role = models.CharField(_("role"), max_length=10, choices=TeamRole.choices)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appointed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    appointed_at = models.DateTimeField(_("appointed at"), default=timezone.now)
    declared_at = models.DateTimeField(_("conflict declaration at"), null=True, blank=True)
    has_conflict = models.BooleanField(_("declared a conflict of interest"), default=False)
    declaration = models.TextField(_("declaration"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"],
                condition=models.Q(active=True),
                name="one_active_membership_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.user} ({self.get_role_display()})"

    @property
    def cleared(self) -> bool:
        """Declared no conflict of interest and still on the team."""
        return self.active and self.declared_at is not None and not self.has_conflict


class OutcomeNotice(models.Model):
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="outcome_notices"
    )
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices)
    text = models.TextField(_("notice"))
    recipient = models.CharField(_("recipient"), max_length=200)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("outcome notice")
        verbose_name_plural = _("outcome notices")

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.get_outcome_display()}"


class CaseProcess(Process):
    """The viewflow process of a case; business data lives in :class:`Case`."""

    class Meta:
        proxy = True
        verbose_name = _("case process")
        verbose_name_plural = _("case processes")

    def __str__(self) -> str:
        case = getattr(self, "case", None)
        return case.reference if case else f"#{self.pk}"

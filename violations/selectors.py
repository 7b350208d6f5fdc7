"""Reads that need care: need-to-know filtering and query-bounded pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deadlines.models import WINDOWS
from ledger.models import AuditEvent

from . import audit, case_filters, policy
from .models import OPEN_STATES, Case, Clock, ClockState, Stage, TeamMember
from .services.vault import PROTECTED_REPORTER

# The timeline's words for this app's audit actions (sanctions and remediation keep their
# own; the case page and the case file put them together).
ACTION_LABELS = {
    "case.reported": _("Reported"),
    "case.acknowledged": _("Acknowledged to the reporter"),
    "reporter.receipt_issued": _("Receipt code issued to the reporter"),
    "reporter.message_sent": _("Message to the reporter"),
    "reporter.message_received": _("Message from the reporter"),
    "stage.entered": _("Entered a new stage"),
    "verification.completed": _("Preliminary verification completed"),
    "team.formed": _("Investigation team set up"),
    "team.declared": _("Conflict-of-interest declaration"),
    "team.changed": _("Team changed"),
    "task.claimed": _("Task claimed"),
    "task.released": _("Task released"),
    "task.reassigned": _("Task reassigned"),
    "evidence.added": _("Evidence added"),
    "evidence.superseded": _("Evidence superseded"),
    "evidence.downloaded": _("Evidence downloaded"),
    "interview.recorded": _("Interview recorded"),
    "record_review.added": _("Record review added"),
    "investigation.submitted": _("Investigation report submitted"),
    "facts.determined": _("Facts determined"),
    "outcome.notified": _("Outcome notice sent"),
    "case.closed": _("Closed"),
    "case.cancelled": _("Case cancelled"),
    "case.subjects_changed": _("Subjects of the case changed"),
    "case.exported": _("Case file exported"),
    "identity.unmask_requested": _("Asked to unmask the reporter"),
    "identity.unmask_approved": _("Unmasking the reporter approved"),
    "identity.unmask_refused": _("Unmasking the reporter refused"),
    "identity.viewed": _("Reporter's identity viewed"),
    "deadline.escalated": _("Overdue work escalated"),
    "legal_hold.set": _("Legal hold set"),
    "legal_hold.lifted": _("Legal hold lifted"),
    "case.personal_data_erased": _("Personal data erased"),
}


OVERDUE = "overdue"


def parse_due(value: str | None) -> str | int | None:
    """The case list's deadline filter: ``overdue``, or a number of days (1 to 366) for
    "due within"; empty for none. Raises ValueError for anything else."""
    value = (value or "").strip()
    if not value:
        return None
    if value == OVERDUE:
        return OVERDUE
    days = int(value)
    if not 1 <= days <= 366:
        raise ValueError(value)
    return days


def _timed_clocks(now) -> QuerySet[Clock]:
    """Running clocks of work someone owes (windows and waits are nobody's lateness)."""
    return Clock.objects.filter(case=OuterRef("pk"), state=ClockState.RUNNING).exclude(
        kind__in=WINDOWS
    )


def _listed(
    stage: str | None,
    q: str | None,
    due: str | int | None = None,
    filters: case_filters.CaseFilter | None = None,
) -> QuerySet[Case]:
    qs = Case.objects.all()
    if filters is not None:
        qs = case_filters.apply(qs, filters)
    if stage:
        qs = qs.filter(stage=stage)
    if q:
        qs = qs.filter(case_search(q))
    if due is not None:
        now = timezone.now()
        if due == OVERDUE:
            qs = qs.filter(Exists(_timed_clocks(now).filter(due_at__lt=now)))
        else:
            until = now + dt.timedelta(days=int(due))
            qs = qs.filter(Exists(_timed_clocks(now).filter(due_at__gte=now, due_at__lte=until)))
    return qs


def case_list(
    user,
    *,
    stage: str | None = None,
    q: str | None = None,
    due: str | int | None = None,
    filters: case_filters.CaseFilter | None = None,
) -> QuerySet[Case]:
    """The cases ``user`` may see, newest first, each with ``next_due_at``: the soonest due
    moment of the work still owed on it. ``filters``: the dashboard's drill-down
    (:mod:`violations.case_filters`)."""
    now = timezone.now()
    return (
        policy.visible_cases(user, _listed(stage, q, due, filters))
        .select_related("category", "department")
        .annotate(next_due_at=Subquery(_timed_clocks(now).order_by("due_at").values("due_at")[:1]))
        .order_by("-reported_at")
    )


def case_list_count(
    user,
    *,
    stage: str | None = None,
    q: str | None = None,
    due: str | int | None = None,
    filters: case_filters.CaseFilter | None = None,
) -> int:
    """How many cases :func:`case_list` holds (see :func:`policy.count_visible`)."""
    return policy.count_visible(user, _listed(stage, q, due, filters))


def case_clocks(case: Case) -> list[Clock]:
    """The case's open clocks, soonest first (the case page's "Deadlines")."""
    return list(case.clocks.filter(state__in=OPEN_STATES).order_by("due_at"))


class CountedPaginator(Paginator):
    """A paginator told its count, for a list whose count is cheaper asked separately (the
    case list page and the API's case list, with :func:`case_list_count`)."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count = count  # in place of Paginator's own count of object_list


def case_search(q: str) -> Q:
    """The search box: the case's reference or title contains ``q``, ignoring case.

    PostgreSQL answers the ``LIKE`` from trigram indexes on both columns. SQLite has none, so
    from three characters on the candidates come from the trigram FTS5 table kept beside the
    case table (migration 0006) and the ``LIKE`` still decides; shorter terms read the table.
    """
    found = Q(reference__icontains=q) | Q(title__icontains=q)
    if connection.vendor == "sqlite" and len(q) >= 3:
        phrase = '"' + q.replace('"', '""') + '"'  # one FTS5 string: no query syntax
        found &= Q(
            pk__in=RawSQL(
                "SELECT rowid FROM violations_case_search WHERE violations_case_search MATCH %s",
                [phrase],
            )
        )
    return found


@dataclass
class TimelineEntry:
    event: AuditEvent
    label: str
    actor: str


def timeline(case: Case, user, labels: dict[str, str]) -> list[TimelineEntry]:
    """The case's audit events in order, each with its label (from ``labels``, keyed by
    action) and its actor as the viewer may see them."""
    hide_reporter = case.is_anonymous and case.reported_by_id
    entries = []
    for event in audit.events_of(case).select_related("chain"):
        actor = event.actor_name
        if (hide_reporter and event.actor_id == case.reported_by_id) or (
            event.actor_id is None and actor == PROTECTED_REPORTER.username
        ):
            actor = str(_("Reporter (identity protected)"))
        label = labels.get(event.action, event.action)
        if event.action == "stage.entered" and event.payload.get("to") in Stage.values:
            label = _("Entered stage: %(stage)s") % {"stage": Stage(event.payload["to"]).label}
        entries.append(TimelineEntry(event=event, label=label, actor=actor))
    return entries


def case_page(reference: str) -> Case:
    return (
        Case.objects.select_related(
            "category",
            "department",
            "reported_by",
            "reported_by__employee",
            "process",
            "verification",
            "verification__duplicate_of",
            "verification__verified_by",
            "verification__verified_by__employee",
        )
        .prefetch_related(
            "subjects__department",
            Prefetch(
                "team",
                queryset=TeamMember.objects.select_related("user__employee").order_by("role", "pk"),
            ),
            "evidence__collected_by",
            "interviews__interviewer",
            "record_reviews__reviewed_by",
            "investigation_reports__submitted_by",
            "findings__responsible__employee",
            "findings__category",
            "findings__found_by",
            "outcome_notices",
            # Records of later stages, named by relation so this app imports none of them.
            "sanction_proposals__items__employee",
            "sanction_proposals__decisions__approver",
            "sanction_proposals__proposed_by",
            "root_causes",
            "corrective_actions__owner",
            "corrective_actions__root_causes",
            "customer_feedback",
            "regulator_notifications",
            "effectiveness_reviews__reviewer",
        )
        # Whether the reporter has a mailbox (a receipt code), without another query.
        .select_related("reporter_receipt")
        .get(reference=reference)
    )


def my_reports(user) -> QuerySet[Case]:
    """What a reporter may know of their own reports: reference, title, status and outcome.
    Identity-protected reports are found through the vault, never through the case."""
    if not user or not user.is_authenticated:
        return Case.objects.none()
    return (
        Case.objects.filter(Q(reported_by=user) | Q(reporter_identity__user=user))
        .only("reference", "title", "stage", "outcome", "reported_at", "closed_at")
        .order_by("-reported_at")
    )


@dataclass
class VaultPanel:
    """What the case page shows of the identity vault to one user; never the identity."""

    requests: list
    can_request: bool
    can_decide: bool
    can_reveal: bool


def vault_panel(case: Case, user) -> VaultPanel | None:
    """Only for identity-protected cases, and only to those who may ask or decide."""
    from .models import ReporterIdentity

    if not (policy.has(user, "manage_cases") or policy.has(user, "approve_senior_level")):
        return None
    if not ReporterIdentity.objects.filter(case=case).exists():
        return None
    requests = list(case.unmask_requests.select_related("requested_by", "decided_by"))
    pending = any(r.status == "pending" for r in requests)
    party = policy.is_subject(user, case) or policy.is_reporter(user, case)
    return VaultPanel(
        requests=requests,
        can_request=policy.has(user, "manage_cases") and not pending and not party,
        can_decide=not party,
        can_reveal=any(r.is_open_for(user) for r in requests) and not party,
    )

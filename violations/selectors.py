"""Reads that need care: need-to-know filtering and query-bounded pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task

from . import policy
from .models import AuditEvent, Case, TeamMember
from .workflow import OPEN_STATUSES

ACTION_LABELS = {
    "case.reported": _("Reported"),
    "case.acknowledged": _("Acknowledged to the reporter"),
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
    "sanctions.proposed": _("Sanctions proposed"),
    "sanctions.approve": _("Sanctions approved"),
    "sanctions.reject": _("Sanctions rejected"),
    "sanctions.return": _("Returned for more investigation"),
    "sanctions.executed": _("Sanctions executed"),
    "customer.feedback": _("Customer feedback recorded"),
    "regulator.notified": _("Regulator notified"),
    "remediation.planned": _("Remediation planned"),
    "action.completed": _("Corrective action completed"),
    "remediation.reviewed": _("Effectiveness reviewed"),
    "outcome.notified": _("Outcome notice sent"),
    "case.closed": _("Closed"),
}


def case_list(user, *, stage: str | None = None, q: str | None = None) -> QuerySet[Case]:
    qs = policy.visible_cases(user).select_related("category", "department")
    if stage:
        qs = qs.filter(stage=stage)
    if q:
        qs = qs.filter(reference__icontains=q) | qs.filter(title__icontains=q)
    return qs.order_by("-reported_at")


@dataclass
class TimelineEntry:
    event: AuditEvent
    label: str
    actor: str


def timeline(case: Case, user) -> list[TimelineEntry]:
    hide_reporter = case.is_anonymous and case.reported_by_id
    entries = []
    for event in case.audit_events.select_related("chain").order_by("seq"):
        actor = event.actor_name
        if hide_reporter and event.actor_id == case.reported_by_id:
            actor = str(_("Reporter (identity protected)"))
        entries.append(TimelineEntry(event=event, label=ACTION_LABELS.get(event.action, event.action), actor=actor))
    return entries


def case_page(reference: str) -> Case:
    return (
        Case.objects.select_related("category", "department", "reported_by", "process",
                                    "verification", "verification__duplicate_of",
                                    "verification__verified_by")
        .prefetch_related(
            "subjects__department",
            Prefetch("team", queryset=TeamMember.objects.select_related("user").order_by("role", "pk")),
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
        .get(reference=reference)
    )


def open_case_tasks(case: Case) -> list[Task]:
    if not case.process_id:
        return []
    return list(
        Task.objects.filter(process_id=case.process_id, status__in=OPEN_STATUSES,
                            flow_task_type="HUMAN")
        .select_related("owner")
        .order_by("pk")
    )

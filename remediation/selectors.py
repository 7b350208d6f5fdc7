"""Reads that need care: the computed evidence beside an effectiveness review."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from violations.models import Case

from .models import ActionStatus, CorrectiveAction, CustomerFeedback, RootCause


@dataclass
class ReviewEvidence:
    actions_total: int
    actions_on_time: int
    days_from_finding_to_completion: int | None
    causes_total: int
    causes_uncovered: list[str] = field(default_factory=list)
    recurrence_same_department: int = 0
    recurrence_same_person: int = 0
    customer_satisfaction: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def current_round(case: Case) -> int:
    return (case.corrective_actions.order_by("-round").values_list("round", flat=True).first()) or 0


def review_evidence(case: Case) -> ReviewEvidence:
    """Timeliness, pertinence and recurrence, computed from the records."""
    rnd = current_round(case)
    actions = list(CorrectiveAction.objects.filter(case=case, round=rnd).exclude(status=ActionStatus.CANCELLED))
    done = [a for a in actions if a.status == ActionStatus.DONE]
    on_time = sum(1 for a in done if a.completed_at and a.completed_at.date() <= a.due_date)
    finding = case.findings.order_by("-round").first()
    last_done = max((a.completed_at for a in done if a.completed_at), default=None)
    days = (last_done - finding.found_at).days if (finding and last_done) else None
    causes = list(RootCause.objects.filter(case=case, round=rnd))
    covered = set(
        CorrectiveAction.root_causes.through.objects.filter(
            correctiveaction__in=done
        ).values_list("rootcause_id", flat=True)
    )
    uncovered = [str(c) for c in causes if c.pk not in covered]
    since = last_done or case.reported_at
    later = Case.objects.filter(category=case.category, reported_at__gt=since).exclude(pk=case.pk)
    same_dept = later.filter(department=case.department).count()
    subject_ids = list(case.subjects.values_list("pk", flat=True))
    same_person = later.filter(subjects__in=subject_ids).distinct().count()
    scores = [f.satisfaction for f in CustomerFeedback.objects.filter(case=case) if f.satisfaction]
    return ReviewEvidence(
        actions_total=len(actions),
        actions_on_time=on_time,
        days_from_finding_to_completion=days,
        causes_total=len(causes),
        causes_uncovered=uncovered,
        recurrence_same_department=same_dept,
        recurrence_same_person=same_person,
        customer_satisfaction=(sum(scores) / len(scores)) if scores else None,
    )

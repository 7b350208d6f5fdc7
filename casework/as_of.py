"""The case as it was at a past moment, rebuilt from its history rows (simple-history):
the case's fields and subjects, the team, the sanction proposals and their sanctions, and
the corrective actions. Read only; nothing here writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from remediation.models import CorrectiveAction
from sanctions.models import ProposedSanction, SanctionProposal
from violations.models import Case, Employee, TeamMember


@dataclass(frozen=True)
class PastProposal:
    proposal: SanctionProposal
    items: list[ProposedSanction]


@dataclass(frozen=True)
class CaseAsOf:
    at: dt.datetime
    case: Case  # the case's fields as they were (an unsaved instance)
    changed_at: dt.datetime  # when the case row last changed before ``at``
    subjects: list[Employee]
    team: list[TeamMember] = field(default_factory=list)
    proposals: list[PastProposal] = field(default_factory=list)
    actions: list[CorrectiveAction] = field(default_factory=list)


def _as_they_were(history_qs, at: dt.datetime) -> list:
    """The records of ``history_qs`` as they were at ``at``: each one's newest row up to
    then, unless that row is its deletion."""
    rows = history_qs.filter(history_date__lte=at).latest_of_each()
    return [h.instance for h in rows if h.history_type != "-"]


def case_as_of(case: Case, at: dt.datetime) -> CaseAsOf | None:
    """The case at ``at``, or None if it did not exist yet."""
    row = (
        Case.history.filter(id=case.pk, history_date__lte=at)
        .order_by("-history_date", "-history_id")
        .first()
    )
    if row is None:
        return None
    subject_ids = list(row.subjects.values_list("employee_id", flat=True))
    proposals = sorted(
        _as_they_were(SanctionProposal.history.filter(case_id=case.pk), at),
        key=lambda p: p.round,
    )
    items = _as_they_were(
        ProposedSanction.history.filter(proposal_id__in=[p.pk for p in proposals]), at
    )
    employees = {e.pk: e for e in Employee.objects.filter(pk__in=subject_ids)}
    employees.update(
        (e.pk, e)
        for e in Employee.objects.filter(pk__in={i.employee_id for i in items} - set(employees))
    )
    for i in items:
        i.employee = employees[i.employee_id]
    return CaseAsOf(
        at=at,
        case=row.instance,
        changed_at=row.history_date,
        subjects=sorted((employees[i] for i in subject_ids), key=lambda e: e.name),
        team=sorted(
            _as_they_were(TeamMember.history.filter(case_id=case.pk), at),
            key=lambda m: (m.role != "lead", m.appointed_at),
        ),
        proposals=[
            PastProposal(
                p,
                sorted(
                    (i for i in items if i.proposal_id == p.pk),
                    key=lambda i: (employees[i.employee_id].name, i.sanction_type),
                ),
            )
            for p in proposals
        ],
        actions=sorted(
            _as_they_were(CorrectiveAction.history.filter(case_id=case.pk), at),
            key=lambda a: (a.due_date, a.pk),
        ),
    )

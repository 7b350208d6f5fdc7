"""Reads for the sanction stage: the matrix range, precedents and a person's record."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from violations import policy
from violations.models import Case, Employee, Finding, ResponsibilityType, ResponsiblePerson, Stage

from . import conf
from .matrix import Band, Factors, Range, add_months, compute_range
from .models import (
    ON_RECORD,
    Appeal,
    MatrixRule,
    ProposedSanction,
    SanctionKind,
    SanctionStatus,
    SeverityGrade,
)

# The timeline's words for this app's audit actions.
ACTION_LABELS = {
    "sanctions.proposed": _("Sanctions proposed"),
    "sanctions.approve": _("Sanctions approved"),
    "sanctions.reject": _("Sanctions rejected"),
    "sanctions.return": _("Returned for more investigation"),
    "sanctions.executed": _("Sanctions executed"),
    "defence.recorded": _("Defence answers recorded"),
    "defence.window_closed": _("Defence period closed without a statement"),
    "sanctions.lifted": _("Sanction lifted"),
    "sanctions.revoked": _("Sanction revoked"),
    "sanctions.expired": _("Sanction expired from the record"),
    "sanctions.parameters_structured": _("Sanction parameters read from their older free text"),
    "appeal.filed": _("Appeal filed"),
    "appeal.upheld": _("Appeal decided: sanction upheld"),
    "appeal.modified": _("Appeal decided: sanction modified"),
    "appeal.revoked": _("Appeal decided: sanction revoked"),
}


def catalogue() -> list[SanctionKind]:
    return list(SanctionKind.objects.filter(active=True).order_by("grade"))


def catalogue_order() -> list[str]:
    return [k.code for k in catalogue()]


def kind(code: str) -> SanctionKind:
    return SanctionKind.objects.get(code=code)


def base_band(category, severity: str) -> tuple[Band, str]:
    """The matrix cell for a category and severity: the category's own rule, else its
    parent's, else the severity grade's default band."""
    grade = SeverityGrade.objects.select_related(
        "default_lightest", "default_gravest", "default_recommended"
    ).get(code=severity)
    cat = category
    while cat is not None:
        rule = (
            MatrixRule.objects.select_related("lightest", "gravest", "recommended")
            .filter(category=cat, severity=grade)
            .first()
        )
        if rule is not None:
            return Band(rule.lightest.code, rule.gravest.code, rule.recommended.code), str(
                _("Matrix: %(cat)s, %(sev)s.") % {"cat": cat.name, "sev": grade.name}
            )
        cat = cat.parent
    return (
        Band(
            grade.default_lightest.code, grade.default_gravest.code, grade.default_recommended.code
        ),
        str(
            _("Default band for severity %(sev)s (no matrix rule for this category).")
            % {"sev": grade.name}
        ),
    )


def prior_sanctioned_cases(
    employee: Employee, *, exclude_case: Case | None = None, today: dt.date | None = None
) -> int:
    """Earlier cases with a sanction on the person's record that took effect within the
    look-back window."""
    today = today or timezone.localdate()
    since = add_months(today, -conf.get("REPEAT_LOOKBACK_MONTHS"))
    qs = ProposedSanction.objects.filter(
        employee=employee,
        status__in=ON_RECORD,
        effective_date__gte=since,
        effective_date__lte=today,
    )
    if exclude_case is not None:
        qs = qs.exclude(proposal__case=exclude_case)
    return qs.values("proposal__case").distinct().count()


@dataclass
class PersonRange:
    responsible: ResponsiblePerson
    prior_cases: int
    range: Range
    base_note: str

    @property
    def employee(self) -> Employee:
        return self.responsible.employee


def assess(
    finding: Finding,
    responsible: ResponsiblePerson,
    *,
    self_reported: bool = False,
    cooperated: bool = False,
    loss_repaid: bool = False,
) -> PersonRange:
    band, note = base_band(finding.category, finding.severity)
    prior = prior_sanctioned_cases(responsible.employee, exclude_case=finding.case)
    factors = Factors(
        prior_cases=prior,
        customer_loss=finding.customer_loss,
        leadership=responsible.responsibility == ResponsibilityType.LEADERSHIP,
        self_reported=self_reported,
        cooperated=cooperated,
        loss_repaid=loss_repaid,
        legal_matter=finding.legal_matter,
    )
    result = compute_range(
        base=band,
        factors=factors,
        order=catalogue_order(),
        steps=conf.get("STEPS"),
        loss_thresholds=conf.get("LOSS_THRESHOLDS"),
        lookback_months=conf.get("REPEAT_LOOKBACK_MONTHS"),
    )
    return PersonRange(responsible=responsible, prior_cases=prior, range=result, base_note=note)


# --- precedents --------------------------------------------------------------------------------


@dataclass
class Precedent:
    label: str
    year: int
    sanctions: list[str]  # per person: the gravest sanction's label
    gravest_grades: list[int] = field(repr=False)


@dataclass
class Precedents:
    items: list[Precedent]
    usual_grade: int | None
    usual_label: str

    def compare(self, grade: int) -> str:
        """'same', 'lighter' or 'heavier' than the usual outcome; '' with no precedent."""
        if self.usual_grade is None:
            return ""
        if grade == self.usual_grade:
            return "same"
        return "lighter" if grade < self.usual_grade else "heavier"


def precedents(case: Case, *, category, severity: str) -> Precedents:
    """Closed cases of the same category and severity in the look-back years, anonymised:
    no reference, no names, only the year and the sanctions each person received."""
    since = timezone.now() - dt.timedelta(days=365 * conf.get("PRECEDENT_YEARS"))
    cases = (
        Case.objects.filter(
            stage=Stage.CLOSED, closed_at__gte=since, category=category, severity=severity
        )
        .exclude(pk=case.pk)
        .order_by("-closed_at")[: conf.get("PRECEDENT_LIMIT")]
    )
    kinds = {k.code: k for k in SanctionKind.objects.all()}
    sanctions = (
        ProposedSanction.objects.filter(proposal__case__in=list(cases))
        .filter(Q(status__in=ON_RECORD) | Q(status=SanctionStatus.APPROVED))
        .values_list("proposal__case_id", "employee_id", "sanction_type")
    )
    gravest: dict[tuple[int, int], int] = {}
    for case_id, emp_id, code in sanctions:
        g = kinds[code].grade
        gravest[(case_id, emp_id)] = max(g, gravest.get((case_id, emp_id), 0))
    by_grade = {k.grade: k for k in kinds.values()}
    items = []
    for n, c in enumerate(cases, start=1):
        grades = sorted(g for (cid, _emp), g in gravest.items() if cid == c.pk)
        items.append(
            Precedent(
                label=str(_("Precedent %(n)d") % {"n": n}),
                year=c.closed_at.year,
                sanctions=[by_grade[g].name for g in grades],
                gravest_grades=grades,
            )
        )
    counts = Counter(g for p in items for g in p.gravest_grades)
    if not counts:
        return Precedents(items=items, usual_grade=None, usual_label="")
    # The most frequent outcome; ties go to the lighter sanction.
    usual = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return Precedents(items=items, usual_grade=usual, usual_label=by_grade[usual].name)


# --- a person's disciplinary record ---------------------------------------------------------------


@dataclass
class DisciplinaryRecord:
    employee: Employee
    active: list[ProposedSanction]
    past: list[ProposedSanction]
    pending: list[ProposedSanction]
    cases: list[Case]
    appeals: list[Appeal]
    # Cases whose entries are left out: the reader is kept from them (``policy.kept_from``).
    withheld: int = 0


def disciplinary_record(employee: Employee, reader=None) -> DisciplinaryRecord:
    """The person's sanctions, cases and appeals. With a ``reader``, the entries of cases
    kept from them (a case they are a subject of, or declared a conflict on) are left out
    and their cases counted in ``withheld``: a record names the case of each entry."""
    kept = (
        set(Case.objects.filter(policy.cases_kept_from(reader)).values_list("pk", flat=True))
        if reader is not None
        else set()
    )
    every = list(
        ProposedSanction.objects.filter(employee=employee)
        .select_related("proposal__case")
        .order_by("-effective_date", "-pk")
    )
    all_cases = list(
        Case.objects.filter(Q(subjects=employee) | Q(findings__responsible__employee=employee))
        .distinct()
        .order_by("-reported_at")
    )
    all_appeals = list(
        Appeal.objects.filter(employee=employee).select_related("case").order_by("-filed_at")
    )
    items = [i for i in every if i.proposal.case_id not in kept]
    cases = [c for c in all_cases if c.pk not in kept]
    appeals = [a for a in all_appeals if a.case_id not in kept]
    return DisciplinaryRecord(
        employee=employee,
        active=[i for i in items if i.status == SanctionStatus.EXECUTED],
        past=[
            i
            for i in items
            if i.status
            in (
                SanctionStatus.EXPIRED,
                SanctionStatus.LIFTED,
                SanctionStatus.REVOKED,
                SanctionStatus.SUPERSEDED,
            )
        ],
        pending=[
            i for i in items if i.status in (SanctionStatus.PROPOSED, SanctionStatus.APPROVED)
        ],
        cases=cases,
        appeals=appeals,
        withheld=len(
            kept.intersection(
                [i.proposal.case_id for i in every]
                + [c.pk for c in all_cases]
                + [a.case_id for a in all_appeals]
            )
        ),
    )


def open_appeals(case: Case):
    from .models import AppealStatus

    return case.appeals.filter(status=AppealStatus.OPEN).order_by("filed_at", "pk")


def revised_to_execute(case: Case):
    return ProposedSanction.objects.filter(
        proposal__case=case, appeal__isnull=False, status=SanctionStatus.APPROVED
    )

"""Reads that need care: review evidence, the complaint clock, deadlines and overdue work."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deadlines.models import Basis
from deadlines.models import Kind as DeadlineKind
from violations import policy
from violations.case_filters import subtree
from violations.models import Case, Department, Outcome, ResponsiblePerson, Severity
from violations.models.clock import Clock, ClockState

from .conf import setting
from .models import (
    ActionStatus,
    CorrectiveAction,
    CustomerFeedback,
    CustomerInformationRequest,
    RootCause,
    TrainingSession,
)

DAY = 86400.0

# The timeline's words for this app's audit actions.
ACTION_LABELS = {
    "customer.feedback": _("Customer feedback recorded"),
    "regulator.notified": _("Regulator notified"),
    "remediation.planned": _("Remediation planned"),
    "action.completed": _("Corrective action completed"),
    "action.cancelled": _("Corrective action cancelled"),
    "complaint.extended": _("Complaint clock extended"),
    "customer.information_requested": _("Customer asked for information"),
    "customer.information_received": _("Customer's answer recorded"),
    "training.recorded": _("Training recorded"),
    "training.completed": _("Training completion recorded"),
    "training.completion_withdrawn": _("Training completion withdrawn"),
    "remediation.reviewed": _("Effectiveness reviewed"),
}

_LATEST = object()  # people_of(): the case's latest finding

# Reports that turned out to be no violation, or were cancelled without a finding, are no
# recurrence.
NOT_A_RECURRENCE = (
    Outcome.DISMISSED,
    Outcome.DUPLICATE,
    Outcome.NOT_ESTABLISHED,
    Outcome.CANCELLED,
)


def current_round(case: Case) -> int:
    return (case.corrective_actions.order_by("-round").values_list("round", flat=True).first()) or 0


# --- effectiveness review ---------------------------------------------------------------------


@dataclass
class ReviewEvidence:
    """What the records say about the current plan round, beside the reviewer's judgement."""

    round: int
    # timeliness
    actions_total: int
    actions_on_time: int
    actions_late: list[str] = field(default_factory=list)
    actions_cancelled: int = 0
    days_from_finding_to_completion: int | None = None
    completed_on: dt.date | None = None
    # pertinence
    causes_total: int = 0
    causes_covered: int = 0
    causes_uncovered: list[str] = field(default_factory=list)
    # effectiveness
    recurrence_since: dt.date | None = None
    recurrence_same_department: int = 0
    recurrence_same_person: int = 0
    recurrence_references: list[str] = field(default_factory=list)
    customer_satisfaction: float | None = None

    @property
    def all_on_time(self) -> bool:
        return self.actions_total > 0 and self.actions_on_time == self.actions_total

    @property
    def fully_covered(self) -> bool:
        return self.causes_total > 0 and not self.causes_uncovered

    def as_dict(self) -> dict:
        data = asdict(self)
        for key in ("completed_on", "recurrence_since"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def people_of(case: Case, finding=_LATEST) -> set[int]:
    """Employees a recurrence is counted against: the subjects and those found responsible
    in ``finding`` (by default the case's latest), read in one query."""
    if finding is _LATEST:
        finding = case.findings.order_by("-round").first()
    ids = Case.subjects.through.objects.filter(case_id=case.pk).values_list(
        "employee_id", flat=True
    )
    if finding is not None:
        ids = ids.union(
            ResponsiblePerson.objects.filter(finding_id=finding.pk).values_list(
                "employee_id", flat=True
            )
        )
    return set(ids)


def _later_cases(case: Case, since: dt.datetime) -> QuerySet[Case]:
    return (
        Case.objects.filter(category_id=case.category_id, reported_at__gt=since)
        .exclude(pk=case.pk)
        .exclude(outcome__in=NOT_A_RECURRENCE)
    )


def recurrences(
    case: Case, since: dt.datetime, people: set[int] | None = None
) -> tuple[list[str], list[str]]:
    """References of new cases of the same category reported after ``since``: in the same
    department, and against any of the same people (wherever they now work). One query:
    each candidate case says which of the two it is."""
    people = people_of(case) if people is None else people
    by_person = Case.subjects.through.objects.filter(employee_id__in=people)
    same_department = Q(department_id=case.department_id)
    rows = (
        _later_cases(case, since)
        .filter(
            same_department | Q(pk__in=by_person.values("case_id")) if people else same_department
        )
        .annotate(
            in_department=ExpressionWrapper(same_department, output_field=BooleanField()),
            against_person=Exists(by_person.filter(case_id=OuterRef("pk")))
            if people
            else Value(False),
        )
        .values_list("reference", "in_department", "against_person")
    )
    rows = list(rows)
    return ([ref for ref, dept, _ in rows if dept], [ref for ref, _, person in rows if person])


def review_evidence(case: Case) -> ReviewEvidence:
    """Timeliness, pertinence and recurrence of the current plan round, from the records.

    - timeliness: actions done by their due date (local date of completion); days from the
      latest fact determination to the last completion;
    - pertinence: each root cause of the round is covered by at least one *done* action
      (a cancelled or still open action covers nothing);
    - effectiveness: new cases since the round's last completion (see :func:`recurrences`)
      and the average customer satisfaction recorded.
    """
    latest_round = (
        CorrectiveAction.objects.filter(case_id=OuterRef("case_id"))
        .order_by("-round")
        .values("round")[:1]
    )
    actions = list(
        CorrectiveAction.objects.filter(case=case, round=Subquery(latest_round)).prefetch_related(
            "root_causes"
        )
    )
    rnd = actions[0].round if actions else 0  # as current_round(): the latest plan round
    cancelled = [a for a in actions if a.status == ActionStatus.CANCELLED]
    actions = [a for a in actions if a.status != ActionStatus.CANCELLED]
    done = [a for a in actions if a.status == ActionStatus.DONE]
    late = [str(a) for a in actions if a.done_on_time is False or a.overdue]
    finding = case.findings.order_by("-round").first()
    last_done = max((a.completed_at for a in done if a.completed_at), default=None)
    days = (last_done - finding.found_at).days if (finding and last_done) else None
    causes = list(RootCause.objects.filter(case=case, round=rnd))
    covered = {rc.pk for a in done for rc in a.root_causes.all()}
    uncovered = [str(c) for c in causes if c.pk not in covered]
    since = last_done or case.reported_at
    department_refs, person_refs = recurrences(case, since, people_of(case, finding))
    references = sorted(set(department_refs) | set(person_refs))
    scores = [f.satisfaction for f in CustomerFeedback.objects.filter(case=case) if f.satisfaction]
    return ReviewEvidence(
        round=rnd,
        actions_total=len(actions),
        actions_on_time=sum(1 for a in done if a.done_on_time),
        actions_late=late,
        actions_cancelled=len(cancelled),
        days_from_finding_to_completion=days,
        completed_on=timezone.localdate(last_done) if last_done else None,
        causes_total=len(causes),
        causes_covered=len(causes) - len(uncovered),
        causes_uncovered=uncovered,
        recurrence_since=timezone.localdate(since),
        recurrence_same_department=len(department_refs),
        recurrence_same_person=len(person_refs),
        recurrence_references=references,
        customer_satisfaction=(sum(scores) / len(scores)) if scores else None,
    )


# --- customer redress and regulator --------------------------------------------------------------


@dataclass
class ComplaintClock:
    """The time to answer a complaint, counted in calendar days from the report, less the
    days spent waiting for the customer to answer a question."""

    started_on: dt.date
    limit_days: int
    due_on: dt.date
    days_elapsed: int
    days_left: int
    overdue: bool
    answered_on: dt.date | None = None
    extended: bool = False
    extension_reason: str = ""
    can_extend_to: int | None = None
    # Waiting for the customer now: the clock does not count.
    waiting: bool = False
    days_waited: int = 0


def _waited_seconds(clock: Clock) -> float:
    waited = clock.paused_seconds
    if clock.state == ClockState.PAUSED and clock.paused_at:
        waited += (timezone.now() - clock.paused_at).total_seconds()
    return waited


def complaint_clock(case: Case, *, today: dt.date | None = None) -> ComplaintClock | None:
    """None when no customer is involved. Stops when the customer's outcome notice is recorded.

    The due day is the SLA clock's (the one reminders and escalations follow), so a wait for
    the customer and an extension made during it count here exactly as they count there."""
    if not case.customer_involved:
        return None
    today = today or timezone.localdate()
    started = timezone.localdate(case.reported_at)
    extension = case.complaint_extensions.order_by("-extended_at", "-pk").first()
    limit = extension.limit_days if extension else setting("COMPLAINT_DAYS")
    answer = case.customer_feedback.order_by("notified_at").first()
    answered = timezone.localdate(answer.notified_at) if answer else None
    until = answered or today
    sla = (
        Clock.objects.filter(case=case, kind=DeadlineKind.COMPLAINT)
        .order_by("-started_at", "-pk")
        .first()
    )
    waiting, waited_days = False, 0
    if sla is None:  # a case reported before the SLA clocks
        due = started + dt.timedelta(days=limit)
    elif sla.state == ClockState.PAUSED:
        waiting = True
        due = until + dt.timedelta(days=math.floor((sla.remaining_seconds or 0.0) / DAY))
    else:
        due = timezone.localdate(sla.due_at)
    if sla is not None:
        waited_days = int(_waited_seconds(sla) // DAY)
        if extension is None and sla.basis == Basis.CALENDAR_DAYS:
            # The length the clock started with: a rule changed since applies to new cases.
            counted = sla.due_at - sla.started_at - dt.timedelta(seconds=sla.paused_seconds)
            limit = round(counted.total_seconds() / DAY)
    return ComplaintClock(
        started_on=started,
        limit_days=limit,
        due_on=due,
        days_elapsed=(until - started).days - waited_days,
        days_left=(due - until).days,
        overdue=until > due,
        answered_on=answered,
        extended=extension is not None,
        extension_reason=extension.reason if extension else "",
        can_extend_to=setting("COMPLAINT_MAX_DAYS")
        if answered is None and limit < setting("COMPLAINT_MAX_DAYS")
        else None,
        waiting=waiting,
        days_waited=waited_days,
    )


def open_information_request(case: Case) -> CustomerInformationRequest | None:
    """The question the customer has not answered yet: the complaint clock waits for it."""
    return (
        case.customer_information_requests.filter(answered_at__isnull=True)
        .select_related("requested_by__employee")
        .order_by("-requested_at")
        .first()
    )


@dataclass
class RegulatorDeadline:
    due_at: dt.datetime
    notified_at: dt.datetime | None
    overdue: bool


def regulator_deadline(case: Case) -> RegulatorDeadline | None:
    """None unless the case is major; due a set time after the fact finding that graded it."""
    if case.severity != Severity.MAJOR:
        return None
    finding = case.findings.filter(severity=Severity.MAJOR).order_by("round").first()
    start = finding.found_at if finding else case.reported_at
    due = start + setting("REGULATOR_NOTIFY_WITHIN")
    notice = case.regulator_notifications.order_by("notified_at").first()
    notified = notice.notified_at if notice else None
    return RegulatorDeadline(
        due_at=due, notified_at=notified, overdue=(notified or timezone.now()) > due
    )


# --- overdue work and training -------------------------------------------------------------------


def overdue_actions(user) -> QuerySet[CorrectiveAction]:
    """Open actions past their due date in the cases the user may see, oldest due first."""
    return (
        CorrectiveAction.objects.filter(
            status=ActionStatus.OPEN,
            due_date__lt=timezone.localdate(),
            case__in=policy.visible_cases(user),
        )
        .select_related("case", "owner")
        .order_by("due_date", "pk")
    )


def open_actions_of_round(case: Case) -> list[CorrectiveAction]:
    return list(
        CorrectiveAction.objects.filter(
            case=case, round=current_round(case), status=ActionStatus.OPEN
        )
        .select_related("owner")
        .order_by("due_date", "pk")
    )


def cancelled_actions(case: Case) -> list[CorrectiveAction]:
    return list(
        CorrectiveAction.objects.filter(case=case, status=ActionStatus.CANCELLED)
        .select_related("cancelled_by")
        .order_by("round", "pk")
    )


def trainings_for_case(case: Case) -> QuerySet[TrainingSession]:
    return (
        TrainingSession.objects.filter(cases=case)
        .prefetch_related("attendees", "root_causes")
        .order_by("-held_on", "-pk")
    )


# --- the training register ---------------------------------------------------------------------


def departments_under(department_id: int) -> set[int]:
    """A department with every department below it."""
    return subtree(Department, department_id)


def _attendance_filter(departments: set[int] | None, overdue_only: bool, prefix: str = "") -> Q:
    q = Q()
    if departments is not None:
        q &= Q(**{f"{prefix}employee__department_id__in": departments})
    if overdue_only:
        q &= Q(
            **{f"{prefix}completed": False, f"{prefix}session__due_date__lt": timezone.localdate()}
        )
    return q


def training_register(
    *, department: int | None = None, topic: str = "", overdue_only: bool = False
) -> QuerySet[TrainingSession]:
    """Training sessions, newest first, each with its attendees (only those of
    ``department`` and the departments below it, and only the overdue, when asked), its
    cases and its root causes; with the counts of attendees, completions and overdue
    attendees among those shown. Which of the cases a reader may see is theirs to ask
    (:func:`cases_in_sight`): the register is a record of people's training, the cases
    are need-to-know."""
    from django.db.models import Count, Prefetch

    from .models import TrainingAttendance

    departments = departments_under(department) if department is not None else None
    wanted = _attendance_filter(departments, overdue_only)
    shown = _attendance_filter(departments, overdue_only, prefix="attendance__")
    qs = TrainingSession.objects.all()
    if topic.strip():
        qs = qs.filter(topic__icontains=topic.strip())
    if wanted:
        qs = qs.filter(Exists(TrainingAttendance.objects.filter(wanted, session_id=OuterRef("pk"))))
    today = timezone.localdate()
    return (
        qs.annotate(
            attendee_count=Count("attendance", filter=shown, distinct=True),
            completed_count=Count(
                "attendance", filter=shown & Q(attendance__completed=True), distinct=True
            ),
            overdue_count=Count(
                "attendance",
                filter=shown & Q(attendance__completed=False, due_date__lt=today),
                distinct=True,
            ),
        )
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=TrainingAttendance.objects.filter(wanted)
                .select_related(
                    "employee__department", "session", "completion_recorded_by__employee"
                )
                .order_by("employee__name", "pk"),
                to_attr="shown_attendance",
            ),
            Prefetch("cases", queryset=Case.objects.only("pk", "reference", "title")),
            "root_causes",
        )
        .order_by("-held_on", "-pk")
    )


def cases_in_sight(user, sessions) -> set[int]:
    """The cases of ``sessions`` that ``user`` may see (one query)."""
    ids = {c.pk for s in sessions for c in s.cases.all()}
    if not ids:
        return set()
    return set(policy.visible_cases(user).filter(pk__in=ids).values_list("pk", flat=True))

"""Supervision and evaluation (監督與評估): the figures of the dashboard, its exports and the
regulator statistics.

Reads only; every figure is computed from the records by the database (aggregates grouped
in SQL), never stored, and every count of cases carries the :class:`CaseFilter` that lists
exactly those cases, so the page can link each number to the case list.

What the period means for each figure:

* counts of cases (total, open, closed, by stage, category, department, severity, source,
  overdue now): the cases *reported* in the period;
* the monthly trend: cases reported in the month, closed in the month, open at its end;
* time per stage: the stage clocks *stopped* in the period; deadline adherence: the
  deadlines *decided* in the period (met when stopped in time, missed when breached or
  still running past due) (of the cases the other filters keep, whenever reported);
* recurrence: the established cases reported in the period whose responsible person was
  responsible in another established case reported within the look-back window before;
* remediation effectiveness: effectiveness reviews *made* in the period;
* repeat offenders: established cases reported in the look-back window ending with the
  period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Avg, Count, DateTimeField, Exists, F, OuterRef, Q, QuerySet, When
from django.db.models import Case as DbCase
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from deadlines.models import WINDOWS
from deadlines.models import Kind as DeadlineKind
from remediation.models import EffectivenessReview
from violations.case_filters import CaseFilter, apply, overdue_clocks, start_of
from violations.models import (
    Case,
    Clock,
    ClockState,
    Department,
    Employee,
    ResponsiblePerson,
    Severity,
    Source,
    Stage,
    ViolationCategory,
)

from . import conf
from .sql import Median, SecondsBetween


@dataclass
class Bar:
    label: str
    value: float
    share: float = 0.0  # of the largest bar, for drawing
    filter: CaseFilter | None = None  # the cases the value counts

    @property
    def url(self) -> str:
        return case_list_url(self.filter) if self.filter is not None else ""


@dataclass
class Adherence:
    label: str
    met: int
    missed: int

    @property
    def total(self) -> int:
        return self.met + self.missed

    @property
    def rate(self) -> float | None:
        return _rate(self.met, self.total)


@dataclass
class StageTime:
    label: str
    mean_days: float | None
    median_days: float | None
    count: int


@dataclass
class Month:
    """One month of the trend, clipped to the period."""

    start: dt.date  # first day of the month
    first: dt.date  # first day counted (the period may start mid-month)
    last: dt.date  # last day counted
    opened: int = 0
    closed: int = 0
    backlog: int = 0  # open at the end of ``last``
    mean_days: float | None = None  # time per stage, all stages, clocks stopped this month
    median_days: float | None = None
    adherence: Adherence = field(default_factory=lambda: Adherence("", 0, 0))
    established: int = 0
    repeats: int = 0
    reviews: int = 0
    effective: int = 0
    opened_filter: CaseFilter | None = None
    closed_filter: CaseFilter | None = None
    backlog_filter: CaseFilter | None = None

    @property
    def label(self) -> str:
        return self.start.strftime("%Y-%m")

    @property
    def recurrence_rate(self) -> float | None:
        return _rate(self.repeats, self.established)

    @property
    def effectiveness_rate(self) -> float | None:
        return _rate(self.effective, self.reviews)

    @property
    def opened_url(self) -> str:
        return case_list_url(self.opened_filter)

    @property
    def closed_url(self) -> str:
        return case_list_url(self.closed_filter)

    @property
    def backlog_url(self) -> str:
        return case_list_url(self.backlog_filter)


@dataclass
class Offender:
    staff_number: str
    name: str
    position: str
    department: str
    cases: int
    filter: CaseFilter

    @property
    def url(self) -> str:
        return case_list_url(self.filter)


@dataclass
class Dashboard:
    filters: CaseFilter
    total: int
    open: int
    closed: int
    overdue_now: int
    by_stage: list[Bar]
    by_category: list[Bar]
    by_department: list[Bar]
    by_severity: list[Bar]
    by_source: list[Bar]
    days_per_stage: list[StageTime]
    stage_on_time_rate: float | None
    acknowledged_on_time_rate: float | None
    recurrence_rate: float | None
    effectiveness_rate: float | None
    months: list[Month]
    # Deadline adherence from the SLA clocks: per deadline (each stage, the acknowledgement,
    # corrective actions…) and per department, as the share met of those decided.
    adherence_by_deadline: list[Adherence] = field(default_factory=list)
    adherence_by_department: list[Adherence] = field(default_factory=list)
    repeat_offenders: list[Offender] = field(default_factory=list)
    lookback_days: int = 365
    lookback_from: dt.date | None = None

    @property
    def since(self) -> dt.date | None:
        return self.filters.reported_from

    @property
    def until(self) -> dt.date | None:
        return self.filters.reported_to

    def link(self, **changes) -> str:
        return case_list_url(self.filters.with_(**changes))

    @property
    def total_url(self) -> str:
        return self.link()

    @property
    def open_url(self) -> str:
        return self.link(status="open")

    @property
    def closed_url(self) -> str:
        return self.link(status="closed")

    @property
    def overdue_url(self) -> str:
        return self.link(overdue=True)


def case_list_url(f: CaseFilter | None) -> str:
    base = reverse("violations:case_list")
    query = f.query() if f is not None else ""
    return f"{base}?{query}" if query else base


def default_filter(today: dt.date | None = None) -> CaseFilter:
    """The last twelve months: from the first day of the month eleven months ago to today."""
    today = today or timezone.localdate()
    return CaseFilter(reported_from=_add_months(today.replace(day=1), -11), reported_to=today)


def _add_months(day: dt.date, n: int) -> dt.date:
    month = day.month - 1 + n
    return day.replace(year=day.year + month // 12, month=month % 12 + 1, day=1)


def _month_of(value) -> dt.date:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date().replace(day=1)
    return value.replace(day=1)


def _bars(items: list[tuple[str, float, CaseFilter | None]]) -> list[Bar]:
    top = max((v for _l, v, _f in items), default=0) or 1
    return [Bar(label=str(lbl), value=v, share=v / top, filter=f) for lbl, v, f in items]


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _days(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 86400, 1)


def period_of(f: CaseFilter, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day the period covers (an open end: the earliest case, today)."""
    last = f.reported_to or today
    first = f.reported_from
    if first is None:
        earliest = Case.objects.order_by("reported_at").values_list("reported_at", flat=True)
        first_at = earliest.first()
        first = timezone.localtime(first_at).date() if first_at else last.replace(day=1)
    # Keep the trend within its ceiling, counting back from the end.
    floor = _add_months(last.replace(day=1), -(conf.get("MAX_MONTHS") - 1))
    return max(first, floor) if f.reported_from is None else first, last


def _named(
    cases: QuerySet[Case], relation: str, model, f: CaseFilter, key: str
) -> list[tuple[str, int, CaseFilter]]:
    """Cases per category (or department) with those below it, largest first, each named
    in the reader's language: the name is read from the row (modeltranslation), not grouped
    on in SQL, whose plain column holds no particular language. A row's count takes in the
    rows below it, as its link to the case list does (the tree filter); the tree itself is
    a small table, rolled up here, while the cases are counted in SQL."""
    own = dict(cases.values_list(relation).annotate(n=Count("pk")).order_by())
    tree = {obj.pk: obj for obj in model.objects.all()}
    totals: dict[int, int] = {}
    for pk, n in own.items():
        seen = set()
        while pk is not None and pk not in seen:
            seen.add(pk)
            totals[pk] = totals.get(pk, 0) + n
            pk = tree[pk].parent_id if pk in tree else None
    rows = sorted(
        ((tree[pk].name, n, pk) for pk, n in totals.items() if pk in tree),
        key=lambda r: (-r[1], r[0]),
    )
    return [(name, n, f.with_(**{key: pk})) for name, n, pk in rows]


def decided_clocks(cases: QuerySet[Case], now: dt.datetime) -> QuerySet[Clock]:
    """The clocks of ``cases`` with the moment each deadline was decided: met when it
    stopped in time, missed when it was breached, or at its due moment when it still runs
    past it (nobody marked it yet). Clocks still in time have no such moment."""
    met = Q(state=ClockState.COMPLETED, breached_at__isnull=True)
    return Clock.objects.filter(case__in=cases).annotate(
        decided_at=DbCase(
            When(met, then=F("stopped_at")),
            When(breached_at__isnull=False, then=F("breached_at")),
            When(state=ClockState.RUNNING, due_at__lt=now, then=F("due_at")),
            default=None,
            output_field=DateTimeField(),
        )
    )


def adherence(
    clocks: QuerySet[Clock], *, now: dt.datetime
) -> tuple[dict[str, Adherence], dict[int, Adherence]]:
    """Deadlines met and missed among ``clocks``: met when stopped before its due moment;
    missed when breached (stopped late, or still running past it). Windows and waits
    (nobody's lateness) and cancelled clocks do not count, nor clocks still in time."""
    met = Q(state=ClockState.COMPLETED, breached_at__isnull=True)
    missed = Q(breached_at__isnull=False) | Q(state=ClockState.RUNNING, due_at__lt=now)
    rows = list(
        clocks.exclude(kind__in=WINDOWS)
        .exclude(state=ClockState.CANCELLED)
        .values_list("kind", "case__department_id")
        .annotate(met=Count("pk", filter=met), missed=Count("pk", filter=missed & ~met))
        .order_by()
    )
    labels = dict(DeadlineKind.choices)
    by_kind: dict[str, Adherence] = {}
    by_department: dict[int, Adherence] = {}
    # Named from the rows in the reader's language (modeltranslation), as _named does.
    names = {d.pk: d.name for d in Department.objects.filter(pk__in={row[1] for row in rows})}
    for kind, dept_id, n_met, n_missed in rows:
        if not (n_met or n_missed):
            continue
        k = by_kind.setdefault(kind, Adherence(label=str(labels.get(kind, kind)), met=0, missed=0))
        d = by_department.setdefault(
            dept_id, Adherence(label=names.get(dept_id, "—"), met=0, missed=0)
        )
        for a in (k, d):
            a.met += n_met
            a.missed += n_missed
    return by_kind, by_department


def _months(first: dt.date, last: dt.date, base: CaseFilter) -> list[Month]:
    months = []
    start = first.replace(day=1)
    while start <= last:
        nxt = _add_months(start, 1)
        lo, hi = max(start, first), min(nxt - dt.timedelta(days=1), last)
        months.append(
            Month(
                start=start,
                first=lo,
                last=hi,
                opened_filter=base.with_(reported_from=lo, reported_to=hi),
                closed_filter=base.with_(closed_from=lo, closed_to=hi),
                backlog_filter=base.with_(open_at=hi),
            )
        )
        start = nxt
    return months


def dashboard(
    filters: CaseFilter | None = None,
    *,
    since: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Dashboard:
    """Every figure for ``filters`` (default: the last twelve months); ``since`` is a
    shorthand for a period from that day to today."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if filters is None:
        filters = default_filter(today) if since is None else CaseFilter(reported_from=since)
    first, last = period_of(filters, today)
    period_start, period_end = start_of(first), start_of(last + dt.timedelta(days=1))
    # The other filters, without the period: the trend and the event figures set their own.
    base = filters.with_(reported_from=None, reported_to=None)
    base_cases = apply(Case.objects.all(), base, now=now)
    cases = apply(Case.objects.all(), filters, now=now)

    # One pass over the period's cases for the headline counts and the stage bars.
    counts = dict(cases.values_list("stage").annotate(n=Count("pk")).order_by())
    total = sum(counts.values())
    closed = counts.get(Stage.CLOSED, 0)
    by_stage = [
        (label, counts[s], filters.with_(stage=s)) for s, label in Stage.choices if counts.get(s)
    ]
    sev_counts = dict(cases.values_list("severity").annotate(n=Count("pk")).order_by())
    by_severity = [
        (label, sev_counts[s], filters.with_(severity=s))
        for s, label in Severity.choices
        if sev_counts.get(s)
    ]
    src_counts = dict(cases.values_list("source").annotate(n=Count("pk")).order_by())
    by_source = [
        (label, src_counts[s], filters.with_(source=s))
        for s, label in Source.choices
        if src_counts.get(s)
    ]
    overdue_now = cases.filter(Exists(overdue_clocks(now).filter(case=OuterRef("pk")))).count()

    # Time per stage: the stage clocks stopped in the period.
    stage_clocks = Clock.objects.filter(
        case__in=base_cases,
        kind__startswith="stage.",
        state=ClockState.COMPLETED,
        stopped_at__gte=period_start,
        stopped_at__lt=period_end,
    ).annotate(seconds=SecondsBetween(F("stopped_at"), F("started_at")))
    stage_labels = dict(Stage.choices)
    per_stage = {
        kind: (mean, median, n)
        for kind, mean, median, n in stage_clocks.values_list("kind")
        .annotate(mean=Avg("seconds"), median=Median("seconds"), n=Count("pk"))
        .order_by()
    }
    days_per_stage = [
        StageTime(
            label=str(label),
            mean_days=_days(per_stage[f"stage.{s}"][0]),
            median_days=_days(per_stage[f"stage.{s}"][1]),
            count=per_stage[f"stage.{s}"][2],
        )
        for s, label in stage_labels.items()
        if f"stage.{s}" in per_stage
    ]

    # Deadline adherence: the deadlines due in the period.
    due_in_period = decided_clocks(base_cases, now).filter(
        decided_at__gte=period_start, decided_at__lt=period_end
    )
    by_kind, by_dept_adherence = adherence(due_in_period, now=now)
    stages = [a for kind, a in by_kind.items() if kind.startswith("stage.")]
    ack = by_kind.get(DeadlineKind.ACKNOWLEDGEMENT)

    months = _months(first, last, base)
    by_month = {m.start: m for m in months}
    _trend(months, by_month, base_cases, stage_clocks, due_in_period, period_start, period_end, now)
    window = dt.timedelta(days=conf.get("RECURRENCE_DAYS"))
    established, repeats = _recurrence(cases, by_month, window)
    reviews = EffectivenessReview.objects.filter(
        case__in=base_cases, reviewed_at__gte=period_start, reviewed_at__lt=period_end
    )
    for month, n, effective in (
        reviews.annotate(m=TruncMonth("reviewed_at"))
        .values_list("m")
        .annotate(n=Count("pk"), effective=Count("pk", filter=Q(verdict="effective")))
        .order_by()
    ):
        if (m := by_month.get(_month_of(month))) is not None:
            m.reviews, m.effective = n, effective

    lookback_from = last - window + dt.timedelta(days=1)
    return Dashboard(
        filters=filters.with_(reported_from=filters.reported_from or None),
        total=total,
        open=total - closed,
        closed=closed,
        overdue_now=overdue_now,
        by_stage=_bars(by_stage),
        by_category=_bars(_named(cases, "category", ViolationCategory, filters, "category")),
        by_department=_bars(_named(cases, "department", Department, filters, "department")),
        by_severity=_bars(by_severity),
        by_source=_bars(by_source),
        days_per_stage=days_per_stage,
        stage_on_time_rate=_rate(sum(a.met for a in stages), sum(a.total for a in stages)),
        acknowledged_on_time_rate=ack.rate if ack else None,
        recurrence_rate=_rate(repeats, established),
        effectiveness_rate=_rate(sum(m.effective for m in months), sum(m.reviews for m in months)),
        months=months,
        adherence_by_deadline=[
            by_kind[k] for k in DeadlineKind.values if k in by_kind and k not in WINDOWS
        ],
        adherence_by_department=sorted(by_dept_adherence.values(), key=lambda a: a.label),
        repeat_offenders=repeat_offenders(base, lookback_from, last),
        lookback_days=window.days,
        lookback_from=lookback_from,
    )


def _trend(months, by_month, base_cases, stage_clocks, due_in_period, start, end, now) -> None:
    """Fill the months: opened, closed, backlog, time per stage and adherence, one grouped
    query each (the backlog from the opened and closed counts)."""
    for field_name, attr in (("reported_at", "opened"), ("closed_at", "closed")):
        rows = (
            base_cases.filter(**{f"{field_name}__gte": start, f"{field_name}__lt": end})
            .annotate(m=TruncMonth(field_name))
            .values_list("m")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for month, n in rows:
            if (m := by_month.get(_month_of(month))) is not None:
                setattr(m, attr, n)
    # Open at a month's end = open at the period's start + opened since - closed since (a
    # case closes after it is reported): one count, where one conditional count per month
    # read the whole table for an all-time view (2.4 of the ten-year view's 5.6 s at a
    # million cases, docs/performance.md). The closed_at index narrows the count to the cases
    # open at the start or closed since.
    running = base_cases.filter(
        Q(reported_at__lt=start), Q(closed_at__isnull=True) | Q(closed_at__gte=start)
    ).count()
    for m in months:
        running += m.opened - m.closed
        m.backlog = running
    for month, mean, median in (
        stage_clocks.annotate(m=TruncMonth("stopped_at"))
        .values_list("m")
        .annotate(mean=Avg("seconds"), median=Median("seconds"))
        .order_by()
    ):
        if (m := by_month.get(_month_of(month))) is not None:
            m.mean_days, m.median_days = _days(mean), _days(median)
    met = Q(state=ClockState.COMPLETED, breached_at__isnull=True)
    missed = Q(breached_at__isnull=False) | Q(state=ClockState.RUNNING, due_at__lt=now)
    for month, n_met, n_missed in (
        due_in_period.exclude(kind__in=WINDOWS)
        .exclude(state=ClockState.CANCELLED)
        .annotate(m=TruncMonth("decided_at"))
        .values_list("m")
        .annotate(met=Count("pk", filter=met), missed=Count("pk", filter=missed & ~met))
        .order_by()
    ):
        if (m := by_month.get(_month_of(month))) is not None:
            m.adherence = Adherence(label=m.label, met=n_met, missed=n_missed)


def _recurrence(cases, by_month, window: dt.timedelta) -> tuple[int, int]:
    """Established cases among ``cases`` and those that repeat (the same person responsible
    in another established case reported within ``window`` before), per month reported."""
    reported = F("finding__case__reported_at")
    earlier = ResponsiblePerson.objects.filter(
        finding__established=True,
        employee=OuterRef("employee"),
        finding__case__reported_at__lt=OuterRef("finding__case__reported_at"),
        finding__case__reported_at__gte=OuterRef("finding__case__reported_at") - window,
    ).exclude(finding__case=OuterRef("finding__case"))
    rows = (
        ResponsiblePerson.objects.filter(finding__established=True, finding__case__in=cases)
        .annotate(m=TruncMonth(reported))
        .values_list("m")
        .annotate(
            n=Count("finding__case", distinct=True),
            repeats=Count("finding__case", distinct=True, filter=Q(Exists(earlier))),
        )
        .order_by()
    )
    total = repeated = 0
    for month, n, r in rows:
        total, repeated = total + n, repeated + r
        if (m := by_month.get(_month_of(month))) is not None:
            m.established, m.repeats = n, r
    return total, repeated


def repeat_offenders(base: CaseFilter, first: dt.date, last: dt.date) -> list[Offender]:
    """People responsible in more than one established case reported from ``first`` to
    ``last`` (the look-back window), distinct cases counted, most first."""
    window = base.with_(reported_from=first, reported_to=last)
    rows = list(
        ResponsiblePerson.objects.filter(
            finding__established=True, finding__case__in=apply(Case.objects.all(), window)
        )
        .values_list("employee_id")
        .annotate(n=Count("finding__case", distinct=True))
        .filter(n__gt=1)
        .order_by()
    )
    people = {
        e.pk: e
        for e in Employee.objects.select_related("department").filter(pk__in=[r[0] for r in rows])
    }
    out = [
        Offender(
            staff_number=people[pk].staff_number,
            name=people[pk].name,
            position=people[pk].position,
            department=people[pk].department.name,
            cases=n,
            filter=window.with_(person=people[pk].staff_number),
        )
        for pk, n in rows
    ]
    return sorted(out, key=lambda o: (-o.cases, o.staff_number))

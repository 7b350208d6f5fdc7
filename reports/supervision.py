"""Supervision and evaluation (監督與評估): figures for the dashboard.

The case bulletin is a publication of its own: :mod:`reports.bulletins`.

Reads only. Every figure is computed from the records, never stored.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from deadlines.models import WINDOWS
from deadlines.models import Kind as DeadlineKind
from violations import audit
from violations.models import (
    Case,
    Clock,
    ClockState,
    Department,
    ResponsiblePerson,
    Severity,
    Stage,
    ViolationCategory,
)


@dataclass
class Bar:
    label: str
    value: float
    share: float = 0.0  # of the largest bar, for drawing


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
class Dashboard:
    since: dt.date
    total: int
    open: int
    closed: int
    by_stage: list[Bar]
    by_category: list[Bar]
    by_department: list[Bar]
    by_severity: list[Bar]
    days_per_stage: list[Bar]
    stage_on_time_rate: float | None
    acknowledged_on_time_rate: float | None
    recurrence_rate: float | None
    effectiveness_rate: float | None
    overdue_now: int
    # Deadline adherence from the SLA clocks: per deadline (each stage, the acknowledgement,
    # corrective actions…) and per department, as the share met of those decided.
    adherence_by_deadline: list[Adherence] = field(default_factory=list)
    adherence_by_department: list[Adherence] = field(default_factory=list)
    repeat_offenders: list[tuple[str, str, int]] = field(default_factory=list)


def _bars(pairs) -> list[Bar]:
    pairs = [(str(label), value) for label, value in pairs]
    top = max((v for _, v in pairs), default=0) or 1
    return [Bar(label=label, value=value, share=value / top) for label, value in pairs]


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _named_counts(cases, relation: str, model) -> list[tuple[str, int]]:
    """Cases per category (or department), largest first, each named in the reader's
    language: the name is read from the row (modeltranslation), not grouped on in SQL,
    whose plain column holds no particular language."""
    counts = dict(cases.values_list(relation).annotate(n=Count("pk")).order_by())
    names = {obj.pk: obj.name for obj in model.objects.filter(pk__in=list(counts))}
    return sorted(((names[pk], n) for pk, n in counts.items()), key=lambda kv: (-kv[1], kv[0]))


def adherence(cases, *, now: dt.datetime) -> tuple[dict[str, Adherence], dict[int, Adherence]]:
    """Deadlines met and missed among the clocks of ``cases``: met when stopped before its
    due moment; missed when breached (stopped late, or still running past it). Windows and
    waits (nobody's lateness) and cancelled clocks do not count, nor clocks still in time."""
    met = Q(state=ClockState.COMPLETED, breached_at__isnull=True)
    missed = Q(breached_at__isnull=False) | Q(state=ClockState.RUNNING, due_at__lt=now)
    rows = (
        Clock.objects.filter(case__in=cases)
        .exclude(kind__in=WINDOWS)
        .exclude(state=ClockState.CANCELLED)
        .values_list("kind", "case__department_id")
        .annotate(met=Count("pk", filter=met), missed=Count("pk", filter=missed & ~met))
        .order_by()
    )
    labels = dict(DeadlineKind.choices)
    by_kind: dict[str, Adherence] = {}
    by_department: dict[int, Adherence] = {}
    rows = list(rows)
    # Named from the rows in the reader's language (modeltranslation), as _named_counts does.
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


def dashboard(*, since: dt.date | None = None) -> Dashboard:
    since = since or (timezone.localdate() - dt.timedelta(days=365))
    # From local midnight of ``since``: a range on the indexed column (``reported_at__date``
    # casts every row's time to a date, so each figure below read the whole table).
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    cases = Case.objects.filter(reported_at__gte=start)
    total = cases.count()
    closed = cases.filter(stage=Stage.CLOSED).count()
    stage_labels = dict(Stage.choices)
    counts = dict(cases.values_list("stage").annotate(n=Count("pk")).order_by())
    by_stage = [(label, counts[s]) for s, label in Stage.choices if counts.get(s)]
    by_category = _named_counts(cases, "category", ViolationCategory)
    by_department = _named_counts(cases, "department", Department)
    sev_labels = dict(Severity.choices)
    by_severity = [
        (sev_labels.get(s, s), n)
        for s, n in cases.exclude(severity="")
        .values_list("severity")
        .annotate(n=Count("pk"))
        .order_by("severity")
    ]

    # Time per stage, from the stage.entered events.
    spent: dict[str, list[float]] = defaultdict(list)
    events = (
        audit.events_of_cases(cases)
        .filter(action__in=["stage.entered", "case.closed"])
        .order_by("chain_id", "seq")
        .values_list("chain_id", "action", "occurred_at", "payload")
    )
    last: dict[int, tuple[str, dt.datetime]] = {}
    for case_id, action, at, payload in events:
        if case_id in last:
            stage, entered = last[case_id]
            spent[stage].append((at - entered).total_seconds() / 86400)
        if action == "stage.entered":
            last[case_id] = (payload.get("to"), at)
        else:
            last.pop(case_id, None)
    days_per_stage = [
        (stage_labels.get(s, s), round(sum(v) / len(v), 1))
        for s, v in sorted(
            spent.items(),
            key=lambda kv: list(stage_labels).index(kv[0]) if kv[0] in stage_labels else 99,
        )
    ]

    now = timezone.now()
    by_kind, by_dept_adherence = adherence(cases, now=now)
    stages = [a for kind, a in by_kind.items() if kind.startswith("stage.")]
    ack = by_kind.get(DeadlineKind.ACKNOWLEDGEMENT)

    # Recurrence: established cases whose responsible person had an earlier established case
    # within the 12 months before.
    established = list(
        ResponsiblePerson.objects.filter(finding__established=True).values_list(
            "employee_id", "finding__case_id", "finding__case__reported_at"
        )
    )
    history = defaultdict(list)
    for emp, case_id, at in established:
        history[emp].append((at, case_id))
    recent_cases = set(cases.values_list("pk", flat=True))
    repeat, counted = set(), set()
    for items in history.values():
        items.sort()
        for i, (at, case_id) in enumerate(items):
            if case_id not in recent_cases:
                continue
            counted.add(case_id)
            if any(
                at - prev <= dt.timedelta(days=365) and prev_case != case_id
                for prev, prev_case in items[:i]
            ):
                repeat.add(case_id)
    offenders = Counter(emp for emp, _c, _a in established)
    from violations.models import Employee

    names = {
        e.pk: (e.staff_number, e.name)
        for e in Employee.objects.filter(pk__in=[k for k, n in offenders.items() if n > 1])
    }
    repeat_offenders = sorted(
        ((*names[k], n) for k, n in offenders.items() if n > 1), key=lambda r: (-r[2], r[0])
    )

    from remediation.models import EffectivenessReview

    reviews = list(
        EffectivenessReview.objects.filter(case__in=cases).values_list("verdict", flat=True)
    )
    return Dashboard(
        since=since,
        total=total,
        open=total - closed,
        closed=closed,
        by_stage=_bars(by_stage),
        by_category=_bars(by_category),
        by_department=_bars(by_department),
        by_severity=_bars(by_severity),
        days_per_stage=_bars(days_per_stage),
        stage_on_time_rate=_rate(sum(a.met for a in stages), sum(a.total for a in stages)),
        acknowledged_on_time_rate=ack.rate if ack else None,
        recurrence_rate=_rate(len(repeat), len(counted)),
        effectiveness_rate=_rate(sum(1 for v in reviews if v == "effective"), len(reviews)),
        overdue_now=cases.filter(
            pk__in=Clock.objects.filter(state=ClockState.RUNNING, due_at__lt=now)
            .exclude(kind__in=WINDOWS)
            .values("case_id")
        ).count(),
        adherence_by_deadline=[
            by_kind[k] for k in DeadlineKind.values if k in by_kind and k not in WINDOWS
        ],
        adherence_by_department=sorted(by_dept_adherence.values(), key=lambda a: a.label),
        repeat_offenders=repeat_offenders,
    )

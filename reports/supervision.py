"""Supervision and evaluation (監督與評估): figures for the dashboard.

The case bulletin is a publication of its own: :mod:`reports.bulletins`.

Reads only. Every figure is computed from the records, never stored.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from violations import audit
from violations.models import (
    Case,
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


def dashboard(*, since: dt.date | None = None) -> Dashboard:
    since = since or (timezone.localdate() - dt.timedelta(days=365))
    cases = Case.objects.filter(reported_at__date__gte=since)
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

    # Time per stage and deadline adherence, from the stage.entered events.
    spent: dict[str, list[float]] = defaultdict(list)
    on_time = due_total = 0
    events = (
        audit.events_of_cases(cases)
        .filter(action__in=["stage.entered", "case.closed"])
        .order_by("chain_id", "seq")
        .values_list("chain_id", "action", "occurred_at", "payload")
    )
    last: dict[int, tuple[str, dt.datetime, str | None]] = {}
    for case_id, action, at, payload in events:
        if case_id in last:
            stage, entered, due = last[case_id]
            spent[stage].append((at - entered).total_seconds() / 86400)
            if due:
                due_total += 1
                on_time += at <= dt.datetime.fromisoformat(due)
        if action == "stage.entered":
            last[case_id] = (payload.get("to"), at, payload.get("due"))
        else:
            last.pop(case_id, None)
    days_per_stage = [
        (stage_labels.get(s, s), round(sum(v) / len(v), 1))
        for s, v in sorted(
            spent.items(),
            key=lambda kv: list(stage_labels).index(kv[0]) if kv[0] in stage_labels else 99,
        )
    ]

    acked = cases.filter(acknowledged_at__isnull=False)
    ack_on_time = sum(
        1 for a, d in acked.values_list("acknowledged_at", "acknowledge_due_at") if a <= d
    )

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
    now = timezone.now()
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
        stage_on_time_rate=_rate(on_time, due_total),
        acknowledged_on_time_rate=_rate(ack_on_time, acked.count()),
        recurrence_rate=_rate(len(repeat), len(counted)),
        effectiveness_rate=_rate(sum(1 for v in reviews if v == "effective"), len(reviews)),
        overdue_now=cases.exclude(stage=Stage.CLOSED).filter(stage_due_at__lt=now).count(),
        repeat_offenders=repeat_offenders,
    )

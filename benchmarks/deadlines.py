"""5. The deadline scan over many open clocks: what a pass costs when nothing is due, and per
clock when some are (a breach told to the holder, with its audit event).

    .venv/bin/python benchmarks/run.py --skip transitions,throughput,reads,documents
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection
from django.utils import timezone

from benchmarks import steps
from benchmarks.report import RESULTS, ms
from notifications.models import Notification
from violations.models import Case, Clock, ClockState
from violations.services.deadlines import deadline_scan


def seed_clocks(world, total: int, due_cases: int, per_case: int = 5, batch: int = 5000):
    """``total`` open corrective-action clocks, ``per_case`` to a case. The cases of the first
    ``due_cases`` are reported through the service (they have audit chains: a breach is an
    audit event); the rest are bulk-inserted. Clocks of those first cases are past due."""
    now = timezone.now()
    real = [steps.report_case(world) for _ in range(due_cases)]
    year = timezone.localtime().year
    n_cases = max(0, total // per_case - due_cases)
    made = 0
    bulk: list[Case] = []
    while made < n_cases:
        n = min(batch // per_case, n_cases - made)
        rows = [
            Case(
                reference=f"VC-{year}-B{made + i:06d}",
                source="staff_report",
                category=world.category,
                title="Seeded for the deadline scan",
                description="Seeded.",
                occurred_at=now - dt.timedelta(days=2),
                department=world.dept,
                reported_at=now - dt.timedelta(days=1),
                acknowledge_due_at=now,
                acknowledged_at=now,
                stage="post_approval",
            )
            for i in range(n)
        ]
        bulk += Case.objects.bulk_create(rows)
        made += n
    clocks = []
    for case in real + bulk:
        late = case in real
        for k in range(per_case):
            due = now - dt.timedelta(hours=1) if late else now + dt.timedelta(days=10 + k)
            clocks.append(
                Clock(
                    case_id=case.pk,
                    kind="corrective_action",
                    target=f"action:{k}",
                    basis="calendar_days",
                    state=ClockState.RUNNING,
                    started_at=now - dt.timedelta(days=20),
                    due_at=due,
                    remind_at=due - dt.timedelta(hours=72),
                    reminded_at=now - dt.timedelta(hours=2) if late else None,
                    next_check_at=due if late else due - dt.timedelta(hours=72),
                    holder=world.owner,
                )
            )
    for i in range(0, len(clocks), batch):
        Clock.objects.bulk_create(clocks[i : i + batch])
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return Clock.objects.filter(state=ClockState.RUNNING).count(), due_cases * per_case


def bench_deadlines(world, total: int, due_cases: int):
    print(f"\n5. Deadline scan over {total:,} open clocks", flush=True)
    t0 = time.perf_counter()
    open_clocks, due = seed_clocks(world, total, due_cases)
    print(
        f"    seeded {open_clocks:,} open clocks ({due} past due) in {time.perf_counter() - t0:.1f} s"
    )
    t0 = time.perf_counter()
    first = deadline_scan()
    busy = time.perf_counter() - t0
    told = Notification.objects.filter(kind="deadline.breached").count()
    idle_runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        again = deadline_scan()
        idle_runs.append(time.perf_counter() - t0)
        assert (again.breached, again.reminded) == (0, 0), again
    assert Notification.objects.filter(kind="deadline.breached").count() == told
    idle = sorted(idle_runs)[len(idle_runs) // 2]
    out = {
        "open_clocks": open_clocks,
        "past_due": due,
        "breaches": first.breached,
        "scan_with_due_s": round(busy, 3),
        "per_due_clock_ms": ms(busy / max(1, first.breached)),
        "idle_scan_ms_median": ms(idle),
    }
    RESULTS["deadlines"] = out
    print(
        f"    first pass: {first.breached} breaches told in {busy:.2f} s "
        f"({out['per_due_clock_ms']} ms each); a pass with nothing due: {out['idle_scan_ms_median']} ms "
        f"(median of 5); again: nothing told twice",
        flush=True,
    )
    return out

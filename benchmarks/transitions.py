"""1. What one step of a case costs: its latency and the statements it sends.

The latency goal is a ratio to the engine itself: each kind of step is timed against its
twin in the bare viewflow flow (bare.py), which passes the same nodes with none of the
application, in the same run, so the goal holds on a slower or noisier machine.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db import transaction

from benchmarks import bare, steps
from benchmarks.report import RESULTS, TABLE, Statements, is_savepoint, is_write, ms, pct, verdict

# The writes each step cannot do without, given what the product must keep: the task it
# closes, the task(s) it opens and each gateway, join or end task it passes (viewflow keeps
# one row per node, which is the process's record), each business record it adds or changes
# (and that record's history row, since every change must be reconstructible), the case row
# when its stage or outcome moves (and its history row), the process when it ends, and one
# audit event plus the chain head it advances. Links between task rows are not counted.
# Each item is (what, how many writes); the minimum is their sum.
_CLOSE, _AUDIT = ("close its task", 1), ("audit event + chain head", 2)
MINIMAL_WRITE_ITEMS = {
    "start": [
        ("reference counter", 1),
        ("case + history", 2),
        ("subject link", 1),
        ("process", 1),
        ("start task", 1),
        ("open verify", 1),
        _AUDIT,
    ],
    "human": [
        _CLOSE,
        ("report + history", 2),
        ("open find_facts", 1),
        ("case stage + history", 2),
        _AUDIT,
    ],
    "if": [
        _CLOSE,
        ("finding + history", 2),
        ("responsible person + history", 2),
        ("If task", 1),
        ("open propose", 1),
        ("case severity and stage + history", 2),
        _AUDIT,
    ],
    "switch": [
        _CLOSE,
        ("decision + history", 2),
        ("proposal status + history", 2),
        ("the proposed sanction's status + history", 2),
        ("Switch task", 1),
        ("open propose", 1),
        ("case stage back to proposal + history", 2),
        _AUDIT,
    ],
    "split": [
        _CLOSE,
        ("decision + history", 2),
        ("proposal status + history", 2),
        ("the proposed sanction's status + history", 2),
        ("Switch + Split tasks", 2),
        ("open execute_sanctions and plan_remediation", 2),
        ("case stage + history", 2),
        _AUDIT,
    ],
    "join": [
        _CLOSE,
        ("review + history", 2),
        ("If + Join + close + End tasks", 4),
        ("case closed + history", 2),
        ("outcome notice + history", 2),
        ("process done", 1),
        _AUDIT,
    ],
}
MINIMAL_WRITES = {
    shape: (sum(n for _, n in items), ", ".join(f"{what} ({n})" for what, n in items))
    for shape, items in MINIMAL_WRITE_ITEMS.items()
}


# A real step may cost this much more than viewflow alone passing the same nodes.
RATIO_GOAL = 1.5


def yardstick(n):
    """An ORM transaction with three small INSERTs, printed to compare runs and machines."""
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        with transaction.atomic():
            for j in range(3):
                Group.objects.create(name=f"yardstick-{os.getpid()}-{i}-{j}")
        times.append(time.perf_counter() - t0)
    Group.objects.filter(name__startswith="yardstick-").delete()
    return times


@dataclass
class _Timed:
    """One side of a step's measurement: its timed runs and its one captured run."""

    prepare: Callable
    take: Callable
    times: list[float] = field(default_factory=list)
    sql: list[str] = field(default_factory=list)

    def warm_up(self, world):
        self.take(*self.prepare(world))

    def run(self, world, *, capture=False):
        args = self.prepare(world)
        if capture:  # the one captured run (capturing slows the cursor)
            with Statements() as ctx:
                self.take(*args)
            self.sql = ctx.sql
            return
        t0 = time.perf_counter()
        self.take(*args)
        self.times.append(time.perf_counter() - t0)


def bench_transitions(world, iterations):
    print("\n1. Transition cost (real step against the bare engine's twin)", flush=True)
    yard = statistics.median(yardstick(max(50, iterations * 5)))
    TABLE.add("transition", "yardstick: atomic() + 3 create()", f"p50 {ms(yard)} ms (context)")
    RESULTS["yardstick_ms"] = ms(yard)
    out = {}
    for shape, (name, prepare, take) in steps.STEPS.items():
        real, twin = _Timed(prepare, take), _Timed(*bare.STEPS[shape])
        # Warm-up (the year's first case makes its counter); then the two alternate, so a
        # slow spell of the machine weighs on both alike.
        real.warm_up(world)
        twin.warm_up(world)
        for i in range(iterations + 1):
            real.run(world, capture=i == 0)
            twin.run(world, capture=i == 0)
        minimal, why = MINIMAL_WRITES[shape]
        p50, p95 = pct(real.times, 50), pct(real.times, 95)
        bare_p50, bare_p95 = pct(twin.times, 50), pct(twin.times, 95)
        ratio = p50 / bare_p50
        stmt = len(real.sql)
        writes, savepoints = sum(map(is_write, real.sql)), sum(map(is_savepoint, real.sql))
        ok_stmt = stmt <= 2 * minimal
        ok_lat = ratio <= RATIO_GOAL
        out[name] = {
            "p50_ms": ms(p50),
            "p95_ms": ms(p95),
            "bare_p50_ms": ms(bare_p50),
            "bare_p95_ms": ms(bare_p95),
            "x_bare": round(ratio, 2),
            "x_yardstick": round(p50 / yard, 1),
            "statements": stmt,
            "writes": writes,
            "savepoints": savepoints,
            "bare_statements": len(twin.sql),
            "bare_writes": sum(map(is_write, twin.sql)),
            "minimal_writes": minimal,
            "minimal_writes_are": why,
            "statements_ok": ok_stmt,
            "latency_ok": ok_lat,
        }
        TABLE.add(
            "transition",
            name,
            f"p50 {ms(p50)} ms, bare {ms(bare_p50)} ms = {ratio:.2f}x",
            f"<= {RATIO_GOAL:g}x bare",
            verdict(ok_lat),
        )
        TABLE.add(
            "",
            "  statements (writes, savepoints)",
            f"{stmt} ({writes} w, {savepoints} sp) vs minimal {minimal}, bare {len(twin.sql)}",
            f"<= {2 * minimal}",
            verdict(ok_stmt),
        )
    RESULTS["transitions"] = out
    bare.clear()

"""1. What one step of a case costs: its latency and the statements it sends."""

from __future__ import annotations

import os
import statistics
import time

from django.contrib.auth.models import Group
from django.db import connection, transaction

from benchmarks import steps
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
        ("reference counter", 1), ("case + history", 2), ("subject link", 1),
        ("process", 1), ("start task", 1), ("open verify", 1), _AUDIT],
    "human": [
        _CLOSE, ("report + history", 2), ("open find_facts", 1),
        ("case stage + history", 2), _AUDIT],
    "if": [
        _CLOSE, ("finding + history", 2), ("responsible person + history", 2),
        ("If task", 1), ("open propose", 1), ("case severity and stage + history", 2), _AUDIT],
    "switch": [
        _CLOSE, ("decision + history", 2), ("proposal status + history", 2),
        ("the proposed sanction's status + history", 2), ("Switch task", 1),
        ("open propose", 1), ("case stage back to proposal + history", 2), _AUDIT],
    "split": [
        _CLOSE, ("decision + history", 2), ("proposal status + history", 2),
        ("the proposed sanction's status + history", 2), ("Switch + Split tasks", 2),
        ("open execute_sanctions and plan_remediation", 2), ("case stage + history", 2),
        _AUDIT],
    "join": [
        _CLOSE, ("review + history", 2), ("If + Join + close + End tasks", 4),
        ("case closed + history", 2), ("outcome notice + history", 2), ("process done", 1),
        _AUDIT],
}
MINIMAL_WRITES = {
    shape: (sum(n for _, n in items), ", ".join(f"{what} ({n})" for what, n in items))
    for shape, items in MINIMAL_WRITE_ITEMS.items()
}


def yardstick(n):
    """An ORM transaction with three small INSERTs: the unit every latency is divided by."""
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        with transaction.atomic():
            for j in range(3):
                Group.objects.create(name=f"yardstick-{os.getpid()}-{i}-{j}")
        times.append(time.perf_counter() - t0)
    Group.objects.filter(name__startswith="yardstick-").delete()
    return times


def bench_transitions(world, iterations):
    print("\n1. Transition cost", flush=True)
    p50_goal = {"sqlite": 8.0, "postgresql": 6.0}[connection.vendor]
    yard = statistics.median(yardstick(max(50, iterations * 5)))
    TABLE.add("transition", "yardstick: atomic() + 3 create()", f"p50 {ms(yard)} ms")
    RESULTS["yardstick_ms"] = ms(yard)
    out = {}
    for shape, (name, prepare, take) in steps.STEPS.items():
        times, statements, writes, savepoints = [], [], [], []
        take(*prepare(world))  # warm-up (the year's first case makes its counter)
        for i in range(iterations + 1):
            w, case = prepare(world)
            if i == 0:  # the one captured run (capturing slows the cursor)
                with Statements() as ctx:
                    take(w, case)
                statements.append(len(ctx.sql))
                writes.append(sum(is_write(s) for s in ctx.sql))
                savepoints.append(sum(is_savepoint(s) for s in ctx.sql))
                continue
            t0 = time.perf_counter()
            take(w, case)
            times.append(time.perf_counter() - t0)
        minimal, why = MINIMAL_WRITES[shape]
        p50, p95 = pct(times, 50), pct(times, 95)
        stmt = statements[0]
        ok_stmt = stmt <= 2 * minimal
        ok_lat = p50 / yard <= p50_goal
        out[name] = {"p50_ms": ms(p50), "p95_ms": ms(p95), "x_yardstick": round(p50 / yard, 1),
                     "statements": stmt, "writes": writes[0], "savepoints": savepoints[0],
                     "minimal_writes": minimal, "minimal_writes_are": why,
                     "statements_ok": ok_stmt, "latency_ok": ok_lat}
        TABLE.add("transition", name,
                  f"p50 {ms(p50)} / p95 {ms(p95)} ms = {p50 / yard:.1f}x",
                  f"<= {p50_goal:g}x", verdict(ok_lat))
        TABLE.add("", "  statements (writes, savepoints)",
                  f"{stmt} ({writes[0]} w, {savepoints[0]} sp) vs minimal {minimal}",
                  f"<= {2 * minimal}", verdict(ok_stmt))
    RESULTS["transitions"] = out

"""2. How many steps a second whole cases make, from one and from two worker processes."""

from __future__ import annotations

import multiprocessing as mp
import time

from django.db import connections

from benchmarks import steps
from benchmarks.report import RESULTS, TABLE, verdict
from demo.world import load_world


def _worker(n, start, queue):
    connections.close_all()
    world = load_world()
    start.wait()
    t0 = time.perf_counter()
    errors = 0
    for _ in range(n):
        try:
            steps.whole_case(world)
        except Exception as exc:
            errors += 1
            print(f"    worker error: {exc!r}", flush=True)
    queue.put((time.perf_counter() - t0, n - errors, errors))
    connections.close_all()


def bench_throughput(world, cases_per_worker):
    print("\n2. Throughput (whole cases, report to close)", flush=True)
    steps.whole_case(world)  # warm-up in the parent
    ctx = mp.get_context("fork")
    out = {}
    for workers in (1, 2):
        connections.close_all()
        start, queue = ctx.Event(), ctx.Queue()
        procs = [
            ctx.Process(target=_worker, args=(cases_per_worker, start, queue))
            for _ in range(workers)
        ]
        for p in procs:
            p.start()
        time.sleep(0.5)
        t0 = time.perf_counter()
        start.set()
        results = [queue.get() for _ in procs]
        wall = time.perf_counter() - t0
        for p in procs:
            p.join()
        done = sum(r[1] for r in results)
        errors = sum(r[2] for r in results)
        rate = done * steps.CASE_TRANSITIONS / wall
        out[workers] = {
            "cases": done,
            "errors": errors,
            "seconds": round(wall, 2),
            "transitions_per_s": round(rate, 1),
            "cases_per_s": round(done / wall, 2),
        }
        goal = ">= 100/s" if workers == 2 else ""
        TABLE.add(
            "throughput",
            f"{workers} worker(s), {done} cases, {errors} errors",
            f"{rate:.1f} transitions/s ({done / wall:.2f} cases/s)",
            goal,
            verdict(rate >= 100 and errors == 0) if workers == 2 else "",
        )
    RESULTS["throughput"] = out

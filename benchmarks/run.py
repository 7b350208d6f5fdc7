"""`make bench`: what a transition, a list page and an export cost, as ratios inside one run.

Runs against a fresh database: a SQLite file in a temporary directory, or, when DATABASE_URL
names a PostgreSQL server, a scratch database ``bench_<pid>`` created on that server and
dropped at the end. Prints one table and writes it as JSON to benchmarks/results/.

    .venv/bin/python benchmarks/run.py            # full sizes (10k and 100k cases)
    .venv/bin/python benchmarks/run.py --quick    # small sizes, about a minute

Never part of the test suite. Absolute times depend on the machine; the goals are ratios
inside one run (a step against the bare engine's twin of it, a page at the large size
against the small one), so they hold on a noisy or slower machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script, Python puts benchmarks/ first on the path, where its modules would shadow
# top-level names; the project root takes its place.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from benchmarks import db  # noqa: E402

db.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks import steps  # noqa: E402
from benchmarks.deadlines import bench_deadlines  # noqa: E402
from benchmarks.documents import bench_documents  # noqa: E402
from benchmarks.report import RESULTS, write_results  # noqa: E402
from benchmarks.scale import bench_scale  # noqa: E402
from benchmarks.throughput import bench_throughput  # noqa: E402
from benchmarks.transitions import bench_transitions  # noqa: E402
from demo.world import build_world  # noqa: E402
from violations.models import Case  # noqa: E402

SECTIONS = ("transitions", "throughput", "reads", "documents", "deadlines")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (about a minute)")
    parser.add_argument("--iterations", type=int, help="timed runs per transition (20)")
    parser.add_argument("--cases-per-worker", type=int, help="whole cases per worker (15)")
    parser.add_argument("--sizes", help="case counts for the read test (10000,100000)")
    parser.add_argument("--requests", type=int, help="requests per page and size (30)")
    parser.add_argument("--events", type=int, help="audit events in the PDF case (500)")
    parser.add_argument("--exports", type=int, help="bundles in the export test (1000)")
    parser.add_argument("--clocks", type=int, help="open clocks in the deadline scan (100000)")
    parser.add_argument("--skip", default="", help="comma list: " + ",".join(SECTIONS))
    args = parser.parse_args(argv)
    q = args.quick
    iterations = args.iterations or (5 if q else 20)
    per_worker = args.cases_per_worker or (4 if q else 15)
    try:
        sizes = [int(s) for s in (args.sizes or ("1000,10000" if q else "10000,100000")).split(",")]
    except ValueError:
        parser.error(f"--sizes takes case counts separated by commas, not {args.sizes!r}")
    if len(sizes) < 2 or any(n < 1 for n in sizes):
        parser.error("--sizes needs at least two positive case counts, e.g. 10000,100000")
    skip = set(filter(None, args.skip.split(",")))
    unknown = skip - set(SECTIONS)
    if unknown:
        parser.error(
            f"--skip knows transitions, throughput, reads, documents and deadlines, not "
            f"{', '.join(sorted(unknown))}"
        )
    requests = args.requests or (10 if q else 30)
    events = args.events or (100 if q else 500)
    exports = args.exports or (20 if q else 1000)
    clocks = args.clocks or (10_000 if q else 100_000)
    if clocks < 1000:
        parser.error("--clocks needs at least 1000 open clocks")

    vendor = connection.vendor
    started = timezone.now()
    print(
        f"Accountability benchmark, {vendor}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {started:%Y-%m-%d %H:%M %Z}",
        flush=True,
    )
    call_command("migrate", verbosity=0, interactive=False)
    settings.ACCOUNTABILITY["DEADLINE_OVERRIDES"] = {"review_delay": dt.timedelta(seconds=1)}
    world = build_world(password="pw")

    if "transitions" not in skip:
        bench_transitions(world, iterations)
    if "throughput" not in skip:
        bench_throughput(world, per_worker)
    closed = list(Case.objects.filter(stage="closed").order_by("pk"))
    detail_case = closed[0] if closed else steps.report_case(world)
    if "documents" not in skip:
        bench_documents(world, events, exports, closed)
    if "reads" not in skip:
        bench_scale(world, sizes, requests, detail_case)
    if "deadlines" not in skip:
        bench_deadlines(world, clocks, due_cases=20 if q else 200)

    RESULTS.update(
        date=started.isoformat(),
        database=vendor,
        cpus=os.cpu_count(),
        python=platform.python_version(),
        quick=q,
        parameters={
            "iterations": iterations,
            "cases_per_worker": per_worker,
            "sizes": sizes,
            "requests": requests,
            "events": events,
            "exports": exports,
            "clocks": clocks,
        },
    )
    path = write_results(f"{started:%Y%m%dT%H%M%S}-{vendor}{'-quick' if q else ''}")
    took = (timezone.now() - started).total_seconds()
    print(f"\nWritten {path.relative_to(ROOT)} ({took:.0f} s)")


if __name__ == "__main__":
    try:
        main()
    finally:
        connections.close_all()
        db.drop_scratch()

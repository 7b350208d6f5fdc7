"""4. What a case file and regulator bundles cost: time, and memory over many exports."""

from __future__ import annotations

import statistics
import time
import tracemalloc

from django.core.management import call_command
from django.db import reset_queries

from benchmarks import steps
from benchmarks.db import TMP
from benchmarks.report import RESULTS, TABLE, verdict
from violations import audit
from violations.models import Case

LONG_DESCRIPTION = 200_000


def bench_documents(world, events, exports, closed_cases):
    print("\n4. Documents", flush=True)
    missing = steps.reports_missing()
    if missing:
        TABLE.add("documents", "skipped: reports not available", missing[:44])
        RESULTS["documents"] = {"skipped": missing}
        return
    try:
        call_command("signing_key", "generate", verbosity=0)
    except Exception as exc:
        print(f"    signing key: {exc!r}", flush=True)
    out = {}
    # A case file with ``events`` audit events: interviews during an investigation.
    w, case = steps.to_find_facts(world)
    case = w.refresh(case)
    while audit.events_of(case).count() < events:
        steps.record_interview(
            case, world.investigator, hours_ago=1, summary="Seen.", interviewee="Witness"
        )
    n_events = audit.events_of(case).count()
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        steps.render_case_file(case, world.auditor)
        times.append(time.perf_counter() - t0)
    best = statistics.median(times)
    out["casefile_pdf"] = {"events": n_events, "median_s": round(best, 3)}
    TABLE.add(
        "documents",
        f"case-file PDF, {n_events} events",
        f"{best:.2f} s (median of 3)",
        "<= 1 s",
        verdict(best <= 1.0),
    )

    # A case whose description is 200,000 characters (stored: the forms and the API stop at
    # 20,000, the case file renders whatever is stored), in English and in Chinese.
    for label, unit in (
        ("English", "The teller refused to explain the fees. "),
        ("Chinese", "客户投诉柜台职员态度恶劣。"),
    ):
        w, long_case = steps.to_find_facts(world)
        text = (unit * (LONG_DESCRIPTION // len(unit) + 1))[:LONG_DESCRIPTION]
        Case.objects.filter(pk=long_case.pk).update(description=text)
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            steps.render_case_file(long_case, world.auditor)
            times.append(time.perf_counter() - t0)
        took = statistics.median(times)
        out[f"long_description_{label.lower()}_pdf"] = {
            "characters": LONG_DESCRIPTION,
            "median_s": round(took, 3),
        }
        TABLE.add(
            "documents",
            f"case-file PDF, {LONG_DESCRIPTION:,}-character {label} description",
            f"{took:.2f} s (median of 3)",
            "<= 2 s",
            verdict(took <= 2.0),
        )

    # Bundles for many cases, one after another, as `export_case --all` would: peak memory at
    # two sizes. Within a run every export is of a different closed case: each export is
    # recorded on its case's trail, so exporting a few cases over and over would measure ever
    # larger files. The throughput run's closed cases are used first; the rest are made here.
    if len(closed_cases) < exports:
        print(f"    making {exports - len(closed_cases)} more closed cases", flush=True)
        for _ in range(exports - len(closed_cases)):
            steps.whole_case(world)
        closed_cases = list(Case.objects.filter(stage="closed").order_by("pk"))

    def export_all(n):
        failures = 0
        for i in range(n):
            with open(TMP / "bundle.zip", "wb") as dest:
                try:
                    steps.export_bundle(closed_cases[i % len(closed_cases)], dest)
                except Exception as exc:
                    failures += 1
                    if failures == 1:
                        print(f"    bundle error: {exc!r}", flush=True)
            # As `manage.py export_case --all` does: with DEBUG on, Django keeps every query
            # (up to 9,000) in connection.queries, which would otherwise be the growth measured.
            reset_queries()
        return failures

    small_n = max(1, exports // 10)
    t0 = time.perf_counter()
    export_all(small_n)  # timed without tracemalloc, which slows allocation-heavy code severalfold
    per_export = (time.perf_counter() - t0) / small_n
    out["bundle_export_s"] = {"exports": small_n, "per_export_s": round(per_export, 3)}
    TABLE.add(
        "documents",
        f"bundle export, {len(closed_cases)} closed cases",
        f"{per_export:.2f} s per export (x{small_n}, untraced)",
    )
    peaks = {}
    for n in (small_n, exports):
        tracemalloc.start()
        t0 = time.perf_counter()
        failures = export_all(n)
        took = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peaks[n] = {
            "peak_mib": round(peak / 2**20, 1),
            "seconds": round(took, 1),
            "failures": failures,
        }
    small, large = sorted(peaks)
    flat = peaks[large]["peak_mib"] <= 1.5 * peaks[small]["peak_mib"]
    out["bundle_export"] = peaks
    TABLE.add(
        "documents",
        f"bundle export x{small} / x{large}",
        f"peak {peaks[small]['peak_mib']} / {peaks[large]['peak_mib']} MiB, "
        f"{peaks[large]['seconds']} s traced",
        "flat (<= 1.5x)",
        verdict(flat and not peaks[large]["failures"]),
    )
    RESULTS["documents"] = out

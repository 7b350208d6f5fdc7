"""3. Whether list pages and the case page stay as fast as the number of cases grows."""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Process, Task

from benchmarks import steps
from benchmarks.report import RESULTS, TABLE, Statements, ms, pct, verdict
from violations.models import Case, ReferenceCounter


def seed_cases(world, total, *, open_work=600, batch=2000):
    """Bulk-insert cases with their history, processes and tasks; no services.

    History grows, open work does not: all but ``open_work`` cases are closed; of the open
    ones, a third wait in the officers' queue (verify, unassigned), a third are in the
    officer's inbox (verify, assigned) and a third are investigations.
    """
    History = Case.history.model
    fields = [f.attname for f in Case._meta.concrete_fields]
    year = timezone.localtime().year
    counter, _ = ReferenceCounter.objects.get_or_create(year=year)
    now = timezone.now()
    made = Case.objects.count()
    t0 = time.perf_counter()
    while made < total:
        n = min(batch, total - made)
        kinds = []
        for i in range(made, made + n):
            slot = i % max(1, total // open_work) if total > open_work else 0
            kinds.append(("queue", "inbox", "investigate")[i % 3] if slot == 0 else "closed")
        procs = Process.objects.bulk_create([steps.seeded_process(k, now) for k in kinds])
        cases = []
        for j, (kind, proc) in enumerate(zip(kinds, procs, strict=True)):
            counter.last += 1
            reported = now - dt.timedelta(minutes=(total - made - j))
            stage = {"closed": "closed", "investigate": "investigation"}.get(kind, "verification")
            cases.append(
                Case(
                    reference=f"VC-{year}-{counter.last:06d}",
                    process_id=proc.pk,
                    source="staff_report",
                    category=world.category,
                    title=f"Seeded case {counter.last} about a product sold",
                    description="Seeded.",
                    occurred_at=reported - dt.timedelta(days=1),
                    department=world.dept,
                    reported_by=world.reporter,
                    reported_at=reported,
                    acknowledge_due_at=reported + dt.timedelta(hours=24),
                    acknowledged_at=reported,
                    stage=stage,
                    stage_entered_at=reported,
                    outcome="dismissed" if kind == "closed" else "open",
                    closed_at=now if kind == "closed" else None,
                )
            )
        Case.objects.bulk_create(cases)
        History.objects.bulk_create(
            [
                History(
                    **{f: getattr(c, f) for f in fields},
                    history_date=c.reported_at,
                    history_type="+",
                    history_change_reason="seeded",
                )
                for c in cases
            ]
        )
        Task.objects.bulk_create(
            [
                task
                for kind, proc in zip(kinds, procs, strict=True)
                for task in steps.seeded_tasks(proc.pk, kind, world, now)
            ]
        )
        made += n
    counter.save(update_fields=["last"])
    with connection.cursor() as cur:
        # PostgreSQL: VACUUM as autovacuum would soon after a bulk load (its insert threshold
        # is passed many times over), so the visibility map is set and counts can read an
        # index alone; measuring before it runs would time a state production does not stay in.
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return time.perf_counter() - t0


def bench_scale(world, sizes, requests, detail_case):
    print("\n3. Scale of reads (through the real views, logged in)", flush=True)
    pages = {
        "case list (manager, with count)": ("manager", reverse("violations:case_list")),
        "search box (manager, ?q=)": ("manager", reverse("violations:case_list") + "?q=999"),
        "inbox (officer)": ("officer", reverse("work:case:inbox")),
        "queue (officer)": ("officer", reverse("work:case:queue")),
        "case page (manager)": (
            "manager",
            reverse("casework:case_detail", args=[detail_case.reference]),
        ),
    }
    clients = {}
    for who in ("manager", "officer"):
        clients[who] = Client()
        clients[who].force_login(getattr(world, who))
    out = {}
    for size in sizes:
        took = seed_cases(world, size)
        print(f"    seeded to {size} cases in {took:.1f} s", flush=True)
        out[size] = {}
        for label, (who, url) in pages.items():
            client = clients[who]
            status = [client.get(url).status_code for _ in range(3)]
            if any(code != 200 for code in status):
                out[size][label] = {
                    "error": f"HTTP {status}",
                    "p50_ms": 0,
                    "p95_ms": 0,
                    "queries": -1,
                }
                continue
            with Statements() as ctx:
                client.get(url)
            times = []
            for _ in range(requests):
                t0 = time.perf_counter()
                client.get(url)
                times.append(time.perf_counter() - t0)
            out[size][label] = {
                "p50_ms": ms(pct(times, 50)),
                "p95_ms": ms(pct(times, 95)),
                "queries": len(ctx.captured_queries),
            }
    small, large = sizes[0], sizes[-1]
    for label in pages:
        a, b = out[small][label], out[large][label]
        if "error" in a or "error" in b:
            TABLE.add(
                "reads", label, f"page failed: {a.get('error') or b.get('error')}", "", "FAIL"
            )
            continue
        ratio = b["p95_ms"] / a["p95_ms"] if a["p95_ms"] else float("nan")
        same = a["queries"] == b["queries"]
        TABLE.add(
            "reads",
            label,
            f"p50/p95 {a['p50_ms']}/{a['p95_ms']} -> {b['p50_ms']}/{b['p95_ms']} ms ({ratio:.2f}x)",
            "p95 <= 2x",
            verdict(ratio <= 2),
        )
        TABLE.add(
            "",
            f"  queries at {small:,} / {large:,}",
            f"{a['queries']} / {b['queries']}",
            "equal",
            verdict(same),
        )
    RESULTS["reads"] = {str(k): v for k, v in out.items()}

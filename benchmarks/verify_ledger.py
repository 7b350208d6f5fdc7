"""How fast ``verify_audit`` checks a large ledger: events per second, with and without files.

    .venv/bin/python benchmarks/verify_ledger.py                      # 1,000,000 events
    .venv/bin/python benchmarks/verify_ledger.py --events 100000      # quicker

A fresh database (see benchmarks/db.py) gets the demo world, ``--cases`` cases walked from
report to close through the services (events that vouch for rows and history), ``--files``
evidence files of ``--file-kb`` each, and then chains of synthetic events up to ``--events``
in all, bulk-inserted with real salts, commitments and links (events that change no row, as
a view or an export does). A signed checkpoint is taken. Then the full verification runs
twice, without files and with them, and the rates are printed and written to
benchmarks/results/. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import secrets
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from benchmarks import db  # noqa: E402

db.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks import steps  # noqa: E402
from benchmarks.report import RESULTS_DIR  # noqa: E402
from demo.world import build_world  # noqa: E402
from ledger import chain as ledger_chain  # noqa: E402
from ledger import checkpoint, signing  # noqa: E402
from ledger.models import AuditChain, AuditEvent  # noqa: E402
from violations import audit, services  # noqa: E402
from violations.services.reference import reference_genesis, reference_unvouched  # noqa: E402


def synthetic_events(total: int, per_chain: int, batch: int = 5000) -> None:
    """``total`` events on chains ``bench:N`` of ``per_chain`` events each."""
    now = timezone.now().replace(microsecond=0)
    made, number = 0, 0
    t0 = time.perf_counter()
    while made < total:
        number += 1
        length = min(per_chain, total - made)
        chain = AuditChain.objects.create(key=f"bench:{number}")
        prev = ledger_chain.GENESIS_HASH
        pending = []
        for seq in range(1, length + 1):
            event = AuditEvent(
                chain=chain,
                seq=seq,
                occurred_at=now + dt.timedelta(milliseconds=seq),
                actor=None,
                actor_name="system",
                action="case.viewed",
                reason="",
                payload={"page": "case", "n": seq, "case_reference": f"BENCH-{number}"},
                records=[],
                prev_hash=prev,
                salt=secrets.token_hex(32),
            )
            event.hash = ledger_chain.event_hash(event)
            prev = event.hash
            pending.append(event)
            if len(pending) >= batch:
                AuditEvent.objects.bulk_create(pending)
                pending = []
        if pending:
            AuditEvent.objects.bulk_create(pending)
        chain.length, chain.head_hash = length, prev
        chain.save(update_fields=["length", "head_hash"])
        made += length
        if number % 20 == 0:
            rate = made / (time.perf_counter() - t0)
            print(f"  {made:,} synthetic events ({rate:,.0f}/s)", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--per-chain", type=int, default=1000)
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--file-kb", type=int, default=1024)
    args = parser.parse_args()

    call_command("migrate", verbosity=0, interactive=False)
    world = build_world(password=None)
    key = signing.generate()
    print(f"walking {args.cases} cases…", file=sys.stderr)
    for _ in range(args.cases):
        steps.whole_case(world)
    print(f"adding {args.files} files of {args.file_kb} KB…", file=sys.stderr)
    for i in range(args.files):
        case = steps.report_case(world)
        services.evidence_add(
            case=case,
            actor=world.officer,
            upload=SimpleUploadedFile(
                f"scan-{i}.txt", os.urandom(args.file_kb * 1024), "text/plain"
            ),
            kind="document",
            description="bench",
        )
    with transaction.atomic():  # the walker's new subjects, as a seed vouches for them
        reference_genesis(rows=reference_unvouched(), reason="bench subjects")
    real = AuditEvent.objects.count()
    print(f"{real:,} real events; inserting synthetic ones…", file=sys.stderr)
    t0 = time.perf_counter()
    synthetic_events(args.events - real, args.per_chain)
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    checkpoint.checkpoint_create(key=key)
    checkpointed = time.perf_counter() - t0
    events = AuditEvent.objects.count()
    chains = AuditChain.objects.count()

    timings = {}
    for label, files in (("without files", False), ("with files", True)):
        t0 = time.perf_counter()
        report = audit.verify(files=files)
        elapsed = time.perf_counter() - t0
        assert report.intact, report.problems[:3]
        timings[label] = {
            "seconds": round(elapsed, 1),
            "events_per_second": round(report.events / elapsed),
            "summary": report.summary(),
        }
        print(f"{label}: {report.summary()} in {elapsed:.1f} s", file=sys.stderr)

    result = {
        "database": connection.vendor,
        "machine": f"{platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "events": events,
        "chains": chains,
        "files": args.files,
        "file_kb": args.file_kb,
        "build_seconds": round(built, 1),
        "checkpoint_seconds": round(checkpointed, 2),
        "verify": timings,
    }
    print(json.dumps(result, indent=1))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"{stamp}-{connection.vendor}-verify-ledger-{events}.json").write_text(
        json.dumps(result, indent=1) + "\n"
    )
    db.drop_scratch()


if __name__ == "__main__":
    main()

"""How many e-mails a second the outbox dispatcher sends, from one and from two dispatchers.

    .venv/bin/python benchmarks/outbox.py                         # 5,000 messages
    .venv/bin/python benchmarks/outbox.py --messages 1000 --smtp  # through a local SMTP server
    DATABASE_URL=postgres://user@host/db .venv/bin/python benchmarks/outbox.py

A fresh database (see benchmarks/db.py) gets ``--messages`` queued notifications with their
outbox rows, each to its own address. The dispatcher sends them all, first alone, then (the
rows queued again) as two processes at once, each with its own connection. The mail backend
counts what it is given (no network), so the figure is the dispatcher's own cost: claiming
batches, rendering each mail in its language, recording delivery; ``--smtp`` sends through
an aiosmtpd server on 127.0.0.1 instead. Each run checks that every message was delivered
exactly once. Prints the rates and writes them to benchmarks/results/. Never part of the
test suite.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from benchmarks import db  # noqa: E402

db.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.mail.backends.base import BaseEmailBackend  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.report import RESULTS_DIR  # noqa: E402
from notifications.models import Notification, OutboxMessage  # noqa: E402
from notifications.outbox import dispatch  # noqa: E402

SMTP_PORT = 8252


class Counting(BaseEmailBackend):
    """Takes every message and keeps only its address."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.sent: list[str] = []

    def send_messages(self, messages):
        self.sent.extend(m.to[0] for m in messages)
        return len(messages)


def backend(smtp: bool):
    if not smtp:
        return Counting()
    from django.core.mail import get_connection

    return get_connection(
        "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=SMTP_PORT
    )


def queue_messages(n: int) -> None:
    user = get_user_model().objects.create(username="bench", email="bench@bank.example")
    notes = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind="case.overdue",
            case_reference=f"VC-2026-{i:06d}",
            context={"what": ["stage deadline"]},
            link=f"/cases/VC-2026-{i:06d}/",
            email="immediate",
        )
        for i in range(n)
    )
    OutboxMessage.objects.bulk_create(
        (
            OutboxMessage(notification=note, recipient=user, address=f"p{i}@bank.example")
            for i, note in enumerate(notes)
        ),
        batch_size=2000,
    )


def requeue() -> None:
    OutboxMessage.objects.update(
        sent_at=None, attempts=0, claimed_until=None, claimed_by="", available_at=timezone.now()
    )


def _worker(smtp, start, out):
    connections.close_all()
    mail = backend(smtp)
    start.wait()
    t0 = time.perf_counter()
    result = dispatch(backend=mail)
    out.put((time.perf_counter() - t0, result.sent, getattr(mail, "sent", [])))
    connections.close_all()


def run(dispatchers: int, smtp: bool) -> dict:
    ctx = mp.get_context("fork")
    connections.close_all()
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(smtp, start, out)) for _ in range(dispatchers)]
    for p in procs:
        p.start()
    time.sleep(0.5)
    t0 = time.perf_counter()
    start.set()
    results = [out.get() for _ in procs]
    wall = time.perf_counter() - t0
    for p in procs:
        p.join()
    sent = sum(r[1] for r in results)
    addresses = Counter(a for r in results for a in r[2])
    duplicates = sum(c - 1 for c in addresses.values() if c > 1)
    unsent = OutboxMessage.objects.filter(sent_at__isnull=True).count()
    return {
        "dispatchers": dispatchers,
        "sent": sent,
        "seconds": round(wall, 2),
        "messages_per_s": round(sent / wall, 1),
        "per_dispatcher": [r[1] for r in results],
        "duplicates": duplicates if not smtp else None,
        "unsent": unsent,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000, help="queued messages (5000)")
    parser.add_argument("--smtp", action="store_true", help="through a local aiosmtpd server")
    args = parser.parse_args(argv)
    if args.messages < 1:
        parser.error("--messages must be at least 1")
    started = timezone.now()
    print(
        f"Outbox benchmark, {connection.vendor}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {args.messages} messages"
        + (", through SMTP" if args.smtp else ""),
        flush=True,
    )
    call_command("migrate", verbosity=0, interactive=False)
    queue_messages(args.messages)
    controller = None
    if args.smtp:
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Sink

        controller = Controller(Sink(), hostname="127.0.0.1", port=SMTP_PORT)
        controller.start()
    rows = []
    try:
        for dispatchers in (1, 2):
            requeue()
            row = run(dispatchers, args.smtp)
            rows.append(row)
            print(
                f"  {dispatchers} dispatcher(s): {row['sent']} sent in {row['seconds']} s, "
                f"{row['messages_per_s']} messages/s (split {row['per_dispatcher']}, "
                f"duplicates {row['duplicates']}, unsent {row['unsent']})",
                flush=True,
            )
    finally:
        if controller is not None:
            controller.stop()
    results = {
        "date": started.isoformat(),
        "database": connection.vendor,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "messages": args.messages,
        "smtp": args.smtp,
        "batch": settings.ACCOUNTABILITY["NOTIFICATIONS"]["BATCH"],
        "runs": rows,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    name = f"{started:%Y%m%dT%H%M%S}-outbox-{connection.vendor}{'-smtp' if args.smtp else ''}"
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    print(f"Written {path.relative_to(ROOT)}")


if __name__ == "__main__":
    try:
        main()
    finally:
        connections.close_all()
        db.drop_scratch()

"""Running a job when it is due, on one machine at a time.

The job's ``JobRun`` row is its lock everywhere: a conditional ``UPDATE … WHERE due AND
not held`` takes it, so of several machines exactly one gets the row (PostgreSQL re-checks
the condition after waiting for a concurrent update; SQLite has one writer). The hold is a
lease, so a machine that dies leaves the job to the others once it runs out. On PostgreSQL a
session advisory lock is also held for the run, so a run outliving its lease still never
overlaps another.
"""

from __future__ import annotations

import logging
import os
import socket
import traceback
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import JobRun
from .registry import JOBS, Job

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    job: str
    ran: bool
    ok: bool = True
    summary: str = ""


def holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _ensure_row(name: str) -> None:
    if JobRun.objects.filter(name=name).exists():
        return
    try:
        with transaction.atomic():
            JobRun.objects.create(name=name)
    except IntegrityError:
        pass  # another machine created it first


def take(job: Job, *, now: datetime, token: str, force: bool = False) -> bool:
    """Hold ``job`` for one lease if it is due (or ``force``) and no one holds it."""
    _ensure_row(job.name)
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    due = Q(next_run_at__isnull=True) | Q(next_run_at__lte=now)
    rows = JobRun.objects.filter(free, name=job.name)
    if not force:
        rows = rows.filter(due)
    return rows.update(locked_until=now + job.lease, locked_by=token, last_started_at=now) == 1


@contextmanager
def advisory_lock(name: str) -> Iterator[bool]:
    """A PostgreSQL session advisory lock for the run (always granted elsewhere)."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = zlib.crc32(f"accountability.job.{name}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        got = cursor.fetchone()[0]
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def run_job(job: Job, *, now: datetime | None = None, force: bool = False) -> Outcome:
    """Run ``job`` once if it is due here; record how it went and when it is next due."""
    now = now or timezone.now()
    token = holder()
    if not take(job, now=now, token=token, force=force):
        return Outcome(job.name, ran=False)
    ok, summary = True, ""
    with advisory_lock(job.name) as got:
        if not got:
            summary = "still running elsewhere"
        else:
            try:
                summary = job.run()
            except Exception:
                ok = False
                summary = traceback.format_exc(limit=5)
                logger.exception("scheduled job %s failed", job.name)
    finished = timezone.now()
    JobRun.objects.filter(name=job.name, locked_by=token).update(
        locked_until=None,
        locked_by="",
        last_finished_at=finished,
        last_ok=ok,
        last_result=summary[:4000],
        next_run_at=now + job.every,
        runs=F("runs") + 1,
    )
    return Outcome(job.name, ran=True, ok=ok, summary=summary)


def run_due(*, names: list[str] | None = None, force: bool = False) -> list[Outcome]:
    """One pass over the registry (or the named jobs), in its order."""
    jobs = [j for j in JOBS if names is None or j.name in names]
    return [run_job(job, force=force) for job in jobs]

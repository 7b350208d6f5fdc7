"""Every scheduled job, in one list. ``manage.py run_jobs`` runs each when it is due.

To add a job, append a ``Job`` to ``JOBS``: a unique name, how often it runs, and a
function of no arguments that does one idempotent pass and returns a one-line summary.
``docs/operations.md`` lists the same jobs for operators; keep the two in step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[], str]
    description: str
    # How long one run may hold the job before another machine may start it.
    lease: timedelta = timedelta(minutes=30)


def workflow_timers() -> str:
    from viewflow.workflow.timers import (
        fire_due_conditions,
        fire_due_start_timers,
        fire_due_timers,
    )

    fired, started, conditions = fire_due_timers(), fire_due_start_timers(), fire_due_conditions()
    return f"{fired} timer(s) fired, {started} process(es) started, {conditions} condition(s)"


def close_defence_windows() -> str:
    from casework.services import defence_close_overdue

    return f"{defence_close_overdue()} defence window(s) closed"


def expire_sanctions() -> str:
    from sanctions.services import sanction_expire_due

    return f"{sanction_expire_due()} sanction(s) expired"


def scan_deadlines() -> str:
    from violations.services.deadlines import deadline_scan

    r = deadline_scan()
    return (
        f"{r.clocks} clock(s): {r.reminded} reminder(s), {r.breached} breach(es), "
        f"{r.escalated[2]} to managers, {r.escalated[3]} to the compliance head"
    )


def ledger_checkpoint() -> str:
    from ledger.checkpoint import checkpoint_create

    cp = checkpoint_create()
    return f"checkpoint #{cp.number}: {len(cp.chains)} chains, root {cp.root_hash}"


def announce_queues() -> str:
    from casework.services import queues_announce

    return f"{queues_announce()} queue arrival(s) announced"


def send_digests() -> str:
    from notifications.digests import digests_send_due

    return f"{digests_send_due()} digest(s) queued"


def dispatch_outbox() -> str:
    from notifications.outbox import dispatch

    result = dispatch()
    return f"{result.sent} sent, {result.retried} to retry, {result.failed} given up"


def erase_expired() -> str:
    from casework.retention import erase_expired as erase

    return erase().summary()


def dispatch_webhooks() -> str:
    from notifications.webhooks import dispatch

    r = dispatch()
    return f"{r.delivered} delivered, {r.retried} to retry, {r.failed} given up"


def purge_outbox() -> str:
    from notifications.purge import outbox_purge

    return f"{outbox_purge()} finished outbox message(s) and webhook deliveries deleted"


JOBS: list[Job] = [
    Job(
        "workflow_timers",
        timedelta(seconds=30),
        workflow_timers,
        "Fire due viewflow timers: the appeal window, the wait before the effectiveness review.",
    ),
    Job(
        "close_defence_windows",
        timedelta(hours=1),
        close_defence_windows,
        "Record 'no statement by the deadline' where a defence window ran out; on to approval.",
    ),
    Job(
        "expire_sanctions",
        timedelta(hours=1),
        expire_sanctions,
        "Expire executed sanctions whose record period is over.",
    ),
    Job(
        "scan_deadlines",
        timedelta(minutes=5),
        scan_deadlines,
        "Deadline clocks: remind before a deadline; tell a breach to the holder, then the "
        "manager, then the compliance head, once each.",
    ),
    Job(
        "ledger_checkpoint",
        timedelta(hours=1),
        ledger_checkpoint,
        "Sign a checkpoint of every audit chain's head and write it to LEDGER_CHECKPOINT_DIR.",
    ),
    Job(
        "announce_queues",
        timedelta(minutes=5),
        announce_queues,
        "Tell each person of tasks newly waiting in a queue they can take from (for the digest).",
    ),
    Job(
        "send_digests",
        timedelta(minutes=5),
        send_digests,
        "Queue one digest mail per person whose held-back notifications are due.",
    ),
    Job(
        "dispatch_outbox",
        timedelta(seconds=10),
        dispatch_outbox,
        "Send queued e-mail through Django's backend, retrying failures with back-off.",
        lease=timedelta(hours=2),
    ),
    Job(
        "erase_expired",
        timedelta(hours=24),
        erase_expired,
        "Erase the personal data of closed cases past their retention and not on legal hold.",
        lease=timedelta(hours=6),
    ),
    Job(
        "dispatch_webhooks",
        timedelta(seconds=10),
        dispatch_webhooks,
        "POST queued case events, signed, to webhook subscribers: in order per case, "
        "retrying failures with back-off.",
        lease=timedelta(hours=2),
    ),
    Job(
        "purge_outbox",
        timedelta(days=1),
        purge_outbox,
        "Delete outbox rows and webhook deliveries finished more than PURGE_AFTER_DAYS ago "
        "(notifications stay).",
    ),
]


def job_named(name: str) -> Job:
    for job in JOBS:
        if job.name == name:
            return job
    raise LookupError(name)

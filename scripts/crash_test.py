#!/usr/bin/env python
"""Kill workers with SIGKILL while they push cases through the flow, then check nothing broke.

    .venv/bin/python scripts/crash_test.py [--workers 4] [--seconds 60] [--seed 1]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crash_scratch .venv/bin/python scripts/crash_test.py

Without DATABASE_URL it uses a fresh SQLite file in a temporary directory. With one, the
database is migrated and used as it is: give it a scratch database, never real data.

The parent seeds an organisation, starts N worker processes (each its own Django, its own
connection) that pick random open work and complete it through the services, the same calls
the views make; it SIGKILLs a random worker every few hundred milliseconds and starts a new
one in its place. When the time is up it kills the rest and checks:

- no orphans: every case has a process, every process a case;
- no half-done step: every completed human task has exactly one audit event naming it, no
  event names a task that is still open, no step is open twice, a case waiting at a
  sequential step is in that step's stage, a closed case has a finished process and vice
  versa, and no open case is stuck without work;
- the audit trail verifies (``violations.audit.verify``: chains, digests, history);
- every history row of every case record is vouched for by exactly one audit event.

It prints a table and exits 1 if any invariant fails.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A lost race or a stale pick: the service refused, the walker found the task gone
# (AssertionError) or the picked row had vanished (DoesNotExist).
EXPECTED_REFUSALS = (
    "Conflict",
    "InvalidState",
    "NotAllowed",
    "ValidationError",
    "AssertionError",
    "DoesNotExist",
)


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- a worker ---------------------------------------------------------------------------------


def worker(env: dict[str, str], seed_value: int, counters: dict, log_path: str) -> None:
    setup_django(env)
    from django.db import close_old_connections

    from demo.world import load_world
    from tests.walk import Walker

    rng = random.Random(seed_value)
    walk = Walker(load_world())
    deadline = time.monotonic() + 3600
    while time.monotonic() < deadline:
        close_old_connections()
        try:
            counter = move(walk, rng)
        except Exception as exc:
            if type(exc).__name__ in EXPECTED_REFUSALS:
                counters["refused"].value += 1
            else:
                counters["errors"].value += 1
                with open(log_path, "a") as log:
                    log.write(f"--- pid {os.getpid()}\n{traceback.format_exc()}\n")
        else:
            if counter is not None:
                counters[counter].value += 1


def move(walk, rng: random.Random) -> str | None:
    """Report a case or take one step of random open work; the counter it adds to, if any."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from violations.models import Case, Stage

    open_work = list(
        Task.objects.filter(
            status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED, STATUS.SCHEDULED],
            process__case__isnull=False,
        ).values_list("pk", "process__case", "flow_task_type")
    )
    cases_open = len({c for _pk, c, _t in open_work})
    if cases_open < 5 or rng.random() < 0.04:
        walk.report(customer=rng.random() < 0.5)
        return "reported"
    pk, case_pk, kind = rng.choice(open_work)
    case = Case.objects.get(pk=case_pk)
    if case.stage == Stage.CLOSED or kind not in ("HUMAN", "TIMER"):
        return None
    if kind == "TIMER":  # only timers are waiting: the appeal window, the wait before review
        walk.fire_timers(case)
    else:
        task = Task.objects.get(pk=pk)
        name = task.flow_task.name
        if name not in STEPS:
            raise RuntimeError(f"the crash test does not drive {name}")
        STEPS[name](walk, rng, case, task)
    return "steps"


def _investigate(walk, rng, case, task) -> None:
    from violations import services
    from violations.models import TeamMember

    for member in TeamMember.objects.filter(case=case, active=True, declared_at__isnull=True):
        services.team_declare(case=case, actor=member.user, has_conflict=False)
    walk.investigate(case)


def _complete_action(walk, rng, case, task) -> None:
    from casework import services as work

    work.action_complete(
        task=task,
        actor=walk.w.owner,
        completion_note="Training held",
        proof_link="https://intranet.example/training/42",
    )


# How a worker completes each human step: (walker, random source, case, task) -> None.
STEPS = {
    "verify": lambda walk, rng, case, task: walk.verify(case),
    "form_team": lambda walk, rng, case, task: walk.form_team(case, declare=False),
    "investigate": _investigate,
    "find_facts": lambda walk, rng, case, task: walk.find_facts(
        case, severity=rng.choice(["general", "general", "major"])
    ),
    "propose": lambda walk, rng, case, task: walk.propose(case, defence=False),
    "defence": lambda walk, rng, case, task: walk.defence(case),
    "approve": lambda walk, rng, case, task: walk.decide(case),
    "execute_sanctions": lambda walk, rng, case, task: walk.execute(
        case, close_appeal_window=False
    ),
    "customer_feedback": lambda walk, rng, case, task: walk.feedback(case),
    "notify_regulator": lambda walk, rng, case, task: walk.notify_regulator(case),
    "plan_remediation": lambda walk, rng, case, task: walk.plan(case, actions=rng.choice([1, 2])),
    "complete_action": _complete_action,
    "review": lambda walk, rng, case, task: walk.review(case),
}


# --- the invariants ----------------------------------------------------------------------------


def check() -> tuple[dict[str, int], list[str]]:
    """Every invariant over the whole database: the figures for the table, and the problems."""
    from viewflow.workflow.status import STATUS

    from violations.audit import verify
    from violations.models import Stage

    cases, tasks_by_process = cases_and_tasks()
    problems = orphans() + half_done_steps(cases, tasks_by_process)
    report = verify()
    problems += [f"audit: {p}" for p in report.problems[:20]]
    history_rows, referenced, unvouched = history_against_events()
    problems += unvouched

    numbers = {
        "cases": len(cases),
        "cases closed": sum(1 for c in cases.values() if c.stage == Stage.CLOSED),
        "human tasks done": sum(
            1
            for ts in tasks_by_process.values()
            for t in ts
            if t.flow_task_type == "HUMAN" and t.status == STATUS.DONE
        ),
        "audit chains": report.chains,
        "audit events": report.events,
        "records vouched for": report.records,
        "history rows (case records)": history_rows,
        "history rows named by events": referenced,
    }
    return numbers, problems


def orphans() -> list[str]:
    from violations.models import Case, CaseProcess

    return [
        f"{ref}: case without a process"
        for ref in Case.objects.filter(process__isnull=True).values_list("reference", flat=True)
    ] + [
        f"process {pk}: process without a case"
        for pk in CaseProcess.objects.filter(case__isnull=True).values_list("pk", flat=True)
    ]


def cases_and_tasks() -> tuple[dict, dict[int, list]]:
    """Every case by its process id, and every task of those processes by process id."""
    from viewflow.workflow.models import Task

    from violations.models import Case

    cases = {c.process_id: c for c in Case.objects.select_related("process")}
    tasks_by_process: dict[int, list[Task]] = {}
    for task in Task.objects.filter(process_id__in=list(cases)).order_by("pk"):
        tasks_by_process.setdefault(task.process_id, []).append(task)
    return cases, tasks_by_process


def half_done_steps(cases: dict, tasks_by_process: dict[int, list]) -> list[str]:
    from collections import Counter

    from casework.steps import STAGE_OF
    from ledger.models import AuditEvent
    from violations.models import Stage

    task_events = Counter(
        AuditEvent.objects.exclude(action__startswith="task.")
        .filter(payload__has_key="task")
        .values_list("payload__task", flat=True)
    )
    # The steps a case waits at one at a time, and the stage it is in while it waits there.
    sequential = {
        **{k: v for k, v in STAGE_OF.items() if v not in (Stage.POST_APPROVAL,)},
        "defence": Stage.SANCTION_PROPOSAL,
    }
    problems = []
    for process_id, case in cases.items():
        tasks = tasks_by_process.get(process_id, [])
        problems += task_event_problems(case, tasks, task_events)
        problems += case_state_problems(case, tasks, sequential)
    return problems


def task_event_problems(case, tasks: list, task_events) -> list[str]:
    """Each completed human task has exactly one event naming it; an open one has none."""
    from viewflow.workflow.status import STATUS

    problems = []
    for t in tasks:
        if t.flow_task_type != "HUMAN":
            continue
        n = task_events.get(t.pk, 0)
        if t.status == STATUS.DONE and n != 1:
            problems.append(
                f"{case.reference}: completed task {t.pk} ({t.flow_task.name}) has {n} events"
            )
        if is_open(t) and n:
            problems.append(
                f"{case.reference}: open task {t.pk} ({t.flow_task.name}) already has an event"
            )
    return problems


def case_state_problems(case, tasks: list, sequential: dict) -> list[str]:
    """No step open twice, the stage matches the step waited at, closed means finished, and an
    open case has work."""
    from collections import Counter

    from violations.models import Stage

    problems = []
    open_human = Counter(
        t.flow_task.name for t in tasks if t.flow_task_type == "HUMAN" and is_open(t)
    )
    problems += [
        f"{case.reference}: {count} open {name} tasks"
        for name, count in open_human.items()
        if count > 1 and name != "complete_action"
    ]
    seq_open = [n for n in open_human if n in sequential]
    if len(seq_open) == 1 and len(open_human) == 1 and case.stage != sequential[seq_open[0]]:
        problems.append(f"{case.reference}: waits at {seq_open[0]} but is in stage {case.stage}")
    closed = case.stage == Stage.CLOSED
    if closed != (case.process.status == "DONE"):
        problems.append(f"{case.reference}: stage {case.stage} but process {case.process.status}")
    if not closed and not any(is_open(t) for t in tasks):
        problems.append(f"{case.reference}: open case with no open task (stuck)")
    return problems


def is_open(task) -> bool:
    from viewflow.workflow.status import STATUS

    return task.status in (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED, STATUS.SCHEDULED)


def history_against_events() -> tuple[int, int, list[str]]:
    """Every history row of a case record is named by exactly one audit event: the rows,
    the rows named, and the problems."""
    from collections import Counter

    from ledger.chain import SYSTEM_CHAIN
    from ledger.digest import history_model, model_of
    from ledger.models import AuditEvent

    referenced: Counter = Counter()
    labels = set()
    for records in AuditEvent.objects.exclude(chain__key=SYSTEM_CHAIN).values_list(
        "records", flat=True
    ):
        for r in records:
            labels.add(r["model"])
            for hid, _digest in r["history"]:
                referenced[(r["model"], hid)] += 1
    problems = []
    history_rows = 0
    for label in sorted(labels):
        hist = history_model(model_of(label))
        ids = set(hist._default_manager.values_list("history_id", flat=True)) if hist else set()
        history_rows += len(ids)
        mine = {hid for (lbl, hid) in referenced if lbl == label}
        if ids != mine:
            problems.append(
                f"{label}: {len(ids - mine)} history rows without an event, "
                f"{len(mine - ids)} events naming missing history rows"
            )
    twice = [k for k, n in referenced.items() if n > 1]
    if twice:
        problems.append(f"{len(twice)} history rows named by more than one event")
    return history_rows, len(referenced), problems


# --- the parent -------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--kill-min", type=float, default=0.3, help="shortest pause between kills (s)"
    )
    parser.add_argument(
        "--kill-max", type=float, default=2.0, help="longest pause between kills (s)"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="crash-test-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{scratch / 'crash.sqlite3'}",
        "ACCOUNTABILITY_MEDIA_ROOT": str(scratch / "media"),
        "DJANGO_LOG_LEVEL": "CRITICAL",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    setup_django(env)
    from django.core.management import call_command
    from django.db import connection

    from demo.world import get_or_build_world

    call_command("migrate", verbosity=0)
    get_or_build_world(password=None)  # nobody logs in
    connection.close()

    rng = random.Random(args.seed)
    ctx = mp.get_context("spawn")
    counters = {k: ctx.Value("q", 0) for k in ("reported", "steps", "refused", "errors")}
    log_path = str(scratch / "worker-errors.log")
    spawned = 0

    def start():
        nonlocal spawned
        spawned += 1
        p = ctx.Process(
            target=worker, args=(env, args.seed * 1000 + spawned, counters, log_path), daemon=True
        )
        p.start()
        return p

    workers = [start() for _ in range(args.workers)]
    born = [time.monotonic()] * len(workers)
    kills = kills_busy = 0
    started = time.monotonic()
    while time.monotonic() - started < args.seconds:
        time.sleep(rng.uniform(args.kill_min, args.kill_max))
        slot = rng.randrange(len(workers))
        if workers[slot].is_alive():
            os.kill(workers[slot].pid, signal.SIGKILL)
            kills += 1
            # Django takes about two seconds to start; an older worker was in its work loop.
            kills_busy += time.monotonic() - born[slot] > 3
        workers[slot].join()
        workers[slot] = start()
        born[slot] = time.monotonic()
    for p in workers:  # the end is a crash too
        if p.is_alive():
            os.kill(p.pid, signal.SIGKILL)
            kills += 1
        p.join()
    elapsed = time.monotonic() - started

    numbers, problems = check()
    rows = {
        "database": connection.vendor,
        "workers (at a time)": args.workers,
        "seconds": round(elapsed, 1),
        "SIGKILLs": kills,
        "  of which in the work loop (worker > 3 s old)": kills_busy,
        "worker processes started": spawned,
        "cases reported (counted by workers)": counters["reported"].value,
        "steps completed (counted by workers)": counters["steps"].value,
        "refusals (lost races, stale picks)": counters["refused"].value,
        "unexpected errors": counters["errors"].value,
        **numbers,
        "invariant violations": len(problems),
    }
    width = max(len(k) for k in rows)
    print(f"{'':-<{width + 12}}")
    for key, value in rows.items():
        print(f"{key:<{width}}  {value:>8}")
    print(f"{'':-<{width + 12}}")
    for p in problems[:30]:
        print("VIOLATION:", p)
    if counters["errors"].value:
        print(f"worker errors logged in {log_path}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: what a transition, a list page and an export cost, as ratios inside one run.

Runs against a fresh database: a SQLite file in a temporary directory, or, when DATABASE_URL
names a PostgreSQL server, a scratch database ``bench_<pid>`` created on that server and
dropped at the end. Prints one table and writes it as JSON to benchmarks/results/.

    .venv/bin/python benchmarks/run.py            # full sizes (10k and 100k cases)
    .venv/bin/python benchmarks/run.py --quick    # small sizes, about a minute

Never part of the test suite. Absolute times depend on the machine; the goals are ratios to
a yardstick timed in the same run (an ORM transaction with three small INSERTs), so they hold
on a noisy or slower machine.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import json
import multiprocessing as mp
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# --- a fresh database, before Django reads its settings ------------------------------------------

TMP = Path(tempfile.mkdtemp(prefix="accountability-bench-"))
SCRATCH_PG: dict | None = None


def _fresh_database() -> str:
    global SCRATCH_PG
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{TMP / 'bench.sqlite3'}"
    import psycopg

    parts = urlparse(url)
    name = f"bench_{os.getpid()}"
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    SCRATCH_PG = {"admin": admin, "name": name}
    atexit.register(_drop_scratch)
    return urlunparse(parts._replace(path=f"/{name}"))


def _drop_scratch() -> None:
    if not SCRATCH_PG:
        return
    import psycopg

    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # noqa: BLE001 - Django may not be set up yet
        pass
    with psycopg.connect(SCRATCH_PG["admin"], autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH_PG["name"]}" WITH (FORCE)')


os.environ["DATABASE_URL"] = _fresh_database()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Measured as deployed: with DEBUG on, Django logs and formats every statement, which costs
# as much as some statements take to run.
os.environ["DJANGO_DEBUG"] = "0"
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"  # the pages are requested over plain HTTP
os.environ["ACCOUNTABILITY_MEDIA_ROOT"] = str(TMP / "media")
os.environ["ACCOUNTABILITY_SIGNING_KEY"] = str(TMP / "keys" / "signing_key.pem")
os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")
os.environ["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

VENDOR = connection.vendor
P50_GOAL = {"sqlite": 8.0, "postgresql": 6.0}[VENDOR]

# --- helpers -------------------------------------------------------------------------------------


def pct(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    k = max(0, min(len(values) - 1, round(q / 100 * (len(values) - 1))))
    return values[k]


def ms(seconds):
    return round(seconds * 1000, 2)


def is_write(sql: str) -> bool:
    return sql.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")


def is_savepoint(sql: str) -> bool:
    return sql.lstrip().split(" ", 1)[0].upper() in ("SAVEPOINT", "RELEASE", "ROLLBACK")


class Statements:
    """Every statement sent to the database inside the block (survives the request signals
    that reset Django's own query log)."""

    def __enter__(self):
        self.captured_queries = []
        self._wrapper = connection.execute_wrapper(self._record)
        self._wrapper.__enter__()
        return self

    def _record(self, execute, sql, params, many, context):
        self.captured_queries.append({"sql": sql})
        return execute(sql, params, many, context)

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


@dataclass
class Table:
    rows: list[dict] = field(default_factory=list)

    def add(self, section, item, figure, goal="", verdict=""):
        self.rows.append({"section": section, "item": item, "figure": figure, "goal": goal,
                          "result": verdict})
        print(f"  {section:<11} {item:<38} {figure:<44} {goal:<22} {verdict}", flush=True)


TABLE = Table()
RESULTS: dict = {}


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


# --- the organisation --------------------------------------------------------------------------


def build_world():
    from violations.models import Department, Employee, ViolationCategory

    User = get_user_model()

    def user(name, *roles):
        u = User.objects.create_user(username=name, password="pw", email=f"{name}@bank.example")
        u.groups.add(*Group.objects.filter(name__in=roles))
        return u

    dept = Department.objects.create(code="RB", name="Retail Banking")
    other = Department.objects.create(code="OPS", name="Operations")
    depthead = user("depthead", "Department head")
    head_emp = Employee.objects.create(staff_number="H0001", name="Head of Retail",
                                       department=dept, user=depthead)
    dept.head = head_emp
    dept.save()
    return SimpleNamespace(
        dept=dept, other_dept=other,
        category=ViolationCategory.objects.create(code="MIS-SELL", name="Mis-selling"),
        subject=Employee.objects.create(staff_number="S0001", name="Chan Tai Man",
                                        department=dept, line_manager=head_emp),
        subject2=Employee.objects.create(staff_number="S0002", name="Lee Siu Ming", department=dept),
        reporter=user("reporter", "Reporter"), officer=user("officer", "Compliance officer"),
        manager=user("manager", "Case manager"), investigator=user("investigator", "Investigator"),
        investigator2=user("investigator2", "Investigator"), depthead=depthead,
        senior=user("senior", "Senior management"), hr=user("hr", "HR officer"),
        owner=user("owner", "Remediation owner"), reviewer=user("reviewer", "Effectiveness reviewer"),
        auditor=user("auditor", "Internal auditor"), outsider=user("outsider"),
    )


def load_world(pks: dict):
    from violations.models import Department, Employee, ViolationCategory

    User = get_user_model()
    out = {}
    for name, (model, pk) in pks.items():
        out[name] = {"user": User, "dept": Department, "emp": Employee,
                     "cat": ViolationCategory}[model].objects.get(pk=pk)
    return SimpleNamespace(**out)


def world_pks(world) -> dict:
    from violations.models import Department, Employee

    kinds = {}
    for name, obj in vars(world).items():
        kind = ("dept" if isinstance(obj, Department) else "emp" if isinstance(obj, Employee)
                else "cat" if obj.__class__.__name__ == "ViolationCategory" else "user")
        kinds[name] = (kind, obj.pk)
    return kinds


_subjects = iter(range(10_000, 10**9))


def walker(world):
    """A walker for a case about a new subject (repeat offences raise the sanction range)."""
    from tests.walk import Walker
    from violations.models import Employee

    class BenchWalker(Walker):
        ready: dict = {}

        def task(self, case, name):
            task = self.ready.pop(name, None)
            return task if task is not None else super().task(case, name)

    n = next(_subjects) + os.getpid() * 1_000_000
    subject = Employee.objects.create(staff_number=f"B{n}", name=f"Subject {n}",
                                      department=world.dept, line_manager=world.dept.head)
    return BenchWalker(SimpleNamespace(**{**vars(world), "subject": subject}))


def ready_tasks(w, case):
    """Hand the walker the case's open tasks as a task page would hold them, so the timed
    call is the service alone (the page's own read of its task is not the transition)."""
    from violations.workflow import open_tasks

    if case is not None:
        w.ready = {t.flow_task.name: t for t in open_tasks(case).select_related("owner")}


def fire_case_timers(case):
    """Fire this case's scheduled timers as the dispatcher would once due (this process only)."""
    import time_machine
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    for task in Task.objects.filter(process_id=case.process_id, status=STATUS.SCHEDULED,
                                    flow_task_type="TIMER"):
        with time_machine.travel(task.scheduled + dt.timedelta(seconds=1), tick=False):
            with task.activation() as activation:
                activation.start()
                activation.execute()


# --- 1. transition cost ----------------------------------------------------------------------------

# The writes each step cannot do without, given what the product must keep: the task it
# closes, the task(s) it opens and each gateway, join or end task it passes (viewflow keeps
# one row per node, which is the process's record), each business record it adds or changes
# (and that record's history row, since every change must be reconstructible), the case row
# when its stage or outcome moves (and its history row), the process when it ends, and one
# audit event plus the chain head it advances. Links between task rows are not counted.
# Each item is (what, how many writes); the minimum is their sum.
_CLOSE, _AUDIT = ("close its task", 1), ("audit event + chain head", 2)
MINIMAL_WRITE_ITEMS = {
    "start (report)": [
        ("reference counter", 1), ("case + history", 2), ("subject link", 1),
        ("process", 1), ("start task", 1), ("open verify", 1), _AUDIT],
    "human step (investigate)": [
        _CLOSE, ("report + history", 2), ("open find_facts", 1),
        ("case stage + history", 2), _AUDIT],
    "gateway (find_facts -> If)": [
        _CLOSE, ("finding + history", 2), ("responsible person + history", 2),
        ("If task", 1), ("open propose", 1), ("case severity and stage + history", 2), _AUDIT],
    "approval (reject -> Switch)": [
        _CLOSE, ("decision + history", 2), ("proposal status + history", 2),
        ("the proposed sanction's status + history", 2), ("Switch task", 1),
        ("open propose", 1), ("case stage back to proposal + history", 2), _AUDIT],
    "parallel split (approve -> Split)": [
        _CLOSE, ("decision + history", 2), ("proposal status + history", 2),
        ("the proposed sanction's status + history", 2), ("Switch + Split tasks", 2),
        ("open execute_sanctions and plan_remediation", 2), ("case stage + history", 2),
        _AUDIT],
    "join (review -> Join -> close)": [
        _CLOSE, ("review + history", 2), ("If + Join + close + End tasks", 4),
        ("case closed + history", 2), ("outcome notice + history", 2), ("process done", 1),
        _AUDIT],
}
MINIMAL_WRITES = {
    name: (sum(n for _, n in items), ", ".join(f"{what} ({n})" for what, n in items))
    for name, items in MINIMAL_WRITE_ITEMS.items()
}


def _to_find_facts(world):
    w = walker(world)
    case = w.report()
    w.verify(case)
    w.form_team(case)
    return w, case


def _to_approval(world):
    w = walker(world)
    return w, w.to_approval(w.report())


def _to_review(world):
    w, case = _to_approval(world)
    w.decide(case)
    w.execute(case)
    w.plan(case)
    w.complete_actions(case)
    fire_case_timers(case)
    return w, case


def _prepared_investigation(world):
    from violations import services

    w, case = _to_find_facts(world)
    case = w.refresh(case)
    services.interview_record(case=case, actor=world.investigator2, interviewee="Chan Tai Man",
                              held_at=timezone.now() - dt.timedelta(hours=3), summary="Admitted.")
    return w, case


def _investigate(w, case):
    from violations import services

    services.investigation_submit(task=w.task(case, "investigate"), actor=w.w.investigator,
                                  summary="Interviewed.", conclusion="Mis-sold.")


STEPS = {
    "start (report)": (lambda world: (walker(world), None), lambda w, case: w.report()),
    "human step (investigate)": (_prepared_investigation, _investigate),
    "gateway (find_facts -> If)": (
        lambda world: (lambda w_c: (w_c[0], (_investigate(*w_c), w_c[1])[1]))(
            _prepared_investigation(world)),
        lambda w, case: w.find_facts(case)),
    "approval (reject -> Switch)": (_to_approval, lambda w, case: w.decide(case, "reject")),
    "parallel split (approve -> Split)": (_to_approval, lambda w, case: w.decide(case)),
    "join (review -> Join -> close)": (_to_review, lambda w, case: w.review(case)),
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
    yard = statistics.median(yardstick(max(50, iterations * 5)))
    TABLE.add("transition", "yardstick: atomic() + 3 create()", f"p50 {ms(yard)} ms")
    RESULTS["yardstick_ms"] = ms(yard)
    out = {}
    for name, (prepare, take) in STEPS.items():
        times, statements, writes, savepoints = [], [], [], []
        warm, warm_case = prepare(world)  # warm-up (the year's first case makes its counter)
        ready_tasks(warm, warm_case)
        take(warm, warm_case)
        for i in range(iterations + 1):
            w, case = prepare(world)
            ready_tasks(w, case)
            if i == 0:  # the one captured run (capturing slows the cursor)
                with Statements() as ctx:
                    take(w, case)
                sql = [q["sql"] for q in ctx.captured_queries]
                statements.append(len(sql))
                writes.append(sum(is_write(s) for s in sql))
                savepoints.append(sum(is_savepoint(s) for s in sql))
                continue
            t0 = time.perf_counter()
            take(w, case)
            times.append(time.perf_counter() - t0)
        minimal, why = MINIMAL_WRITES[name]
        p50, p95 = pct(times, 50), pct(times, 95)
        stmt = statements[0]
        ok_stmt = stmt <= 2 * minimal
        ok_lat = p50 / yard <= P50_GOAL
        out[name] = {"p50_ms": ms(p50), "p95_ms": ms(p95), "x_yardstick": round(p50 / yard, 1),
                     "statements": stmt, "writes": writes[0], "savepoints": savepoints[0],
                     "minimal_writes": minimal, "minimal_writes_are": why,
                     "statements_ok": ok_stmt, "latency_ok": ok_lat}
        TABLE.add("transition", name,
                  f"p50 {ms(p50)} / p95 {ms(p95)} ms = {p50 / yard:.1f}x",
                  f"<= {P50_GOAL:g}x", verdict(ok_lat))
        TABLE.add("", "  statements (writes, savepoints)",
                  f"{stmt} ({writes[0]} w, {savepoints[0]} sp) vs minimal {minimal}",
                  f"<= {2 * minimal}", verdict(ok_stmt))
    RESULTS["transitions"] = out


# --- 2. throughput ---------------------------------------------------------------------------------

CASE_TRANSITIONS = 12  # report, verify, form_team, investigate, find_facts, propose, defence,
# approve, execute, plan, complete_action, review (timers fired by the engine are not counted)


def _whole_case(world):
    from violations import services

    w = walker(world)
    case = w.report()
    w.verify(case)
    services.team_form(task=w.task(case, "form_team"), actor=world.manager,
                       lead=world.investigator, members=[])
    services.team_declare(case=case, actor=world.investigator, has_conflict=False)
    case = w.refresh(case)
    services.interview_record(case=case, actor=world.investigator, interviewee="Chan",
                              held_at=timezone.now() - dt.timedelta(hours=1), summary="Seen.")
    services.investigation_submit(task=w.task(case, "investigate"), actor=world.investigator,
                                  summary="Interviewed.", conclusion="Mis-sold.")
    w.find_facts(case)
    w.propose(case)
    w.decide(case)
    w.execute(case, close_appeal_window=False)
    w.plan(case)
    w.complete_actions(case)
    fire_case_timers(case)
    w.review(case)
    fire_case_timers(case)  # the appeal window, if still open
    assert w.refresh(case).stage == "closed", w.open_names(case)


def _worker(pks, n, start, queue):
    connections.close_all()
    world = load_world(pks)
    start.wait()
    t0 = time.perf_counter()
    errors = 0
    for _ in range(n):
        try:
            _whole_case(world)
        except Exception as exc:  # noqa: BLE001 - counted and reported, never hidden
            errors += 1
            print(f"    worker error: {exc!r}", flush=True)
    queue.put((time.perf_counter() - t0, n - errors, errors))
    connections.close_all()


def bench_throughput(world, cases_per_worker):
    print("\n2. Throughput (whole cases, report to close)", flush=True)
    _whole_case(world)  # warm-up in the parent
    pks = world_pks(world)
    ctx = mp.get_context("fork")
    out = {}
    for workers in (1, 2):
        connections.close_all()
        start, queue = ctx.Event(), ctx.Queue()
        procs = [ctx.Process(target=_worker, args=(pks, cases_per_worker, start, queue))
                 for _ in range(workers)]
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
        rate = done * CASE_TRANSITIONS / wall
        out[workers] = {"cases": done, "errors": errors, "seconds": round(wall, 2),
                        "transitions_per_s": round(rate, 1), "cases_per_s": round(done / wall, 2)}
        goal = ">= 100/s" if workers == 2 else ""
        TABLE.add("throughput", f"{workers} worker(s), {done} cases, {errors} errors",
                  f"{rate:.1f} transitions/s ({done / wall:.2f} cases/s)", goal,
                  verdict(rate >= 100 and errors == 0) if workers == 2 else "")
    RESULTS["throughput"] = out


# --- 3. scale of reads ---------------------------------------------------------------------------


def seed_cases(world, total, *, open_work=600, batch=2000):
    """Bulk-insert cases with their history, processes and tasks; no services.

    History grows, open work does not: all but ``open_work`` cases are closed; of the open
    ones, a third wait in the officers' queue (verify, unassigned), a third are in the
    officer's inbox (verify, assigned) and a third are investigations.
    """
    from viewflow.workflow.models import Process, Task
    from viewflow.workflow.status import PROCESS, STATUS

    from violations.flows import CaseFlow
    from violations.models import Case, ReferenceCounter

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
        procs = Process.objects.bulk_create([
            Process(flow_class=CaseFlow, status=PROCESS.DONE if k == "closed" else PROCESS.NEW,
                    created=now, finished=now if k == "closed" else None) for k in kinds])
        cases = []
        for j, (kind, proc) in enumerate(zip(kinds, procs, strict=True)):
            counter.last += 1
            reported = now - dt.timedelta(minutes=(total - made - j))
            stage = {"closed": "closed", "investigate": "investigation"}.get(kind, "verification")
            cases.append(Case(
                reference=f"VC-{year}-{counter.last:06d}", process_id=proc.pk,
                source="staff_report", category=world.category,
                title=f"Seeded case {counter.last} about a product sold", description="Seeded.",
                occurred_at=reported - dt.timedelta(days=1), department=world.dept,
                reported_by=world.reporter, reported_at=reported,
                acknowledge_due_at=reported + dt.timedelta(hours=24), acknowledged_at=reported,
                stage=stage, stage_entered_at=reported,
                outcome="dismissed" if kind == "closed" else "open",
                closed_at=now if kind == "closed" else None))
        Case.objects.bulk_create(cases)
        History.objects.bulk_create([
            History(**{f: getattr(c, f) for f in fields}, history_date=c.reported_at,
                    history_type="+", history_change_reason="seeded") for c in cases])
        tasks = []
        for kind, proc in zip(kinds, procs, strict=True):
            tasks.append(Task(process_id=proc.pk, flow_task=CaseFlow.start_from_code,
                              flow_task_type="START", status=STATUS.DONE, finished=now))
            if kind == "closed":
                tasks.append(Task(process_id=proc.pk, flow_task=CaseFlow.end, flow_task_type="END",
                                  status=STATUS.DONE, finished=now))
            elif kind == "investigate":
                tasks.append(Task(process_id=proc.pk, flow_task=CaseFlow.investigate,
                                  flow_task_type="HUMAN", status=STATUS.ASSIGNED,
                                  owner=world.investigator, assigned=now,
                                  owner_permission="violations.investigate_case"))
            else:
                tasks.append(Task(process_id=proc.pk, flow_task=CaseFlow.verify,
                                  flow_task_type="HUMAN",
                                  status=STATUS.ASSIGNED if kind == "inbox" else STATUS.NEW,
                                  owner=world.officer if kind == "inbox" else None,
                                  assigned=now if kind == "inbox" else None,
                                  owner_permission="violations.verify_case"))
        Task.objects.bulk_create(tasks)
        made += n
    counter.save(update_fields=["last"])
    with connection.cursor() as cur:
        # PostgreSQL: VACUUM as autovacuum would soon after a bulk load (its insert threshold
        # is passed many times over), so the visibility map is set and counts can read an
        # index alone; measuring before it runs would time a state production does not stay in.
        cur.execute("VACUUM ANALYZE" if VENDOR == "postgresql" else "ANALYZE")
    return time.perf_counter() - t0


def bench_scale(world, sizes, requests, detail_case):
    from django.test import Client
    from django.urls import reverse

    print("\n3. Scale of reads (through the real views, logged in)", flush=True)
    pages = {
        "case list (manager, with count)": ("manager", reverse("violations:case_list")),
        "search box (manager, ?q=)": ("manager", reverse("violations:case_list") + "?q=999"),
        "inbox (officer)": ("officer", reverse("work:case:inbox")),
        "queue (officer)": ("officer", reverse("work:case:queue")),
        "case page (manager)": ("manager", reverse("violations:case_detail",
                                                  args=[detail_case.reference])),
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
                out[size][label] = {"error": f"HTTP {status}", "p50_ms": 0, "p95_ms": 0,
                                    "queries": -1}
                continue
            with Statements() as ctx:
                client.get(url)
            times = []
            for _ in range(requests):
                t0 = time.perf_counter()
                client.get(url)
                times.append(time.perf_counter() - t0)
            out[size][label] = {"p50_ms": ms(pct(times, 50)), "p95_ms": ms(pct(times, 95)),
                                "queries": len(ctx.captured_queries)}
    small, large = sizes[0], sizes[-1]
    for label in pages:
        a, b = out[small][label], out[large][label]
        if "error" in a or "error" in b:
            TABLE.add("reads", label, f"page failed: {a.get('error') or b.get('error')}", "", "FAIL")
            continue
        ratio = b["p95_ms"] / a["p95_ms"] if a["p95_ms"] else float("nan")
        same = a["queries"] == b["queries"]
        TABLE.add("reads", label,
                  f"p50/p95 {a['p50_ms']}/{a['p95_ms']} -> {b['p50_ms']}/{b['p95_ms']} ms "
                  f"({ratio:.2f}x)", "p95 <= 2x", verdict(ratio <= 2))
        TABLE.add("", f"  queries at {small:,} / {large:,}", f"{a['queries']} / {b['queries']}",
                  "equal", verdict(same))
    RESULTS["reads"] = {str(k): v for k, v in out.items()}


# --- 4. documents ------------------------------------------------------------------------------


def bench_documents(world, events, exports, closed_cases):
    print("\n4. Documents", flush=True)
    try:
        from reports.pdf import render_casefile_pdf
        from reports.selectors import build_casefile
        from reports.services import bundle_export
    except ImportError as exc:
        TABLE.add("documents", "skipped: reports not available", str(exc)[:44])
        RESULTS["documents"] = {"skipped": str(exc)}
        return
    from violations import services
    from violations.models import AuditEvent

    try:
        call_command("signing_key", "generate", verbosity=0)
    except Exception as exc:  # noqa: BLE001
        print(f"    signing key: {exc!r}", flush=True)
    out = {}
    # A case file with ``events`` audit events: interviews during an investigation.
    w, case = _to_find_facts(world)
    case = w.refresh(case)
    while AuditEvent.objects.filter(case=case).count() < events:
        services.interview_record(case=case, actor=world.investigator, interviewee="Witness",
                                  held_at=timezone.now() - dt.timedelta(hours=1), summary="Seen.")
    n_events = AuditEvent.objects.filter(case=case).count()
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        casefile = build_casefile(case, profile="internal", viewer=world.auditor)
        render_casefile_pdf(casefile, lang="en")
        times.append(time.perf_counter() - t0)
    best = statistics.median(times)
    out["casefile_pdf"] = {"events": n_events, "median_s": round(best, 3)}
    TABLE.add("documents", f"case-file PDF, {n_events} events", f"{best:.2f} s (median of 3)",
              "<= 1 s", verdict(best <= 1.0))

    # Bundles for many cases, one after another, as `export_case --all` would: peak memory at
    # two sizes. Within a run every export is of a different closed case: each export is
    # recorded on its case's trail, so exporting a few cases over and over would measure ever
    # larger files. The throughput run's closed cases are used first; the rest are made here.
    if len(closed_cases) < exports:
        from violations.models import Case

        print(f"    making {exports - len(closed_cases)} more closed cases", flush=True)
        for _ in range(exports - len(closed_cases)):
            _whole_case(world)
        closed_cases = list(Case.objects.filter(stage="closed").order_by("pk"))
    from django.db import reset_queries

    def export_all(n):
        failures = 0
        for i in range(n):
            with open(TMP / "bundle.zip", "wb") as dest:
                try:
                    bundle_export(case=closed_cases[i % len(closed_cases)], actor=None, dest=dest)
                except Exception as exc:  # noqa: BLE001
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
    TABLE.add("documents", f"bundle export, {len(closed_cases)} closed cases",
              f"{per_export:.2f} s per export (x{small_n}, untraced)")
    peaks = {}
    for n in (small_n, exports):
        tracemalloc.start()
        t0 = time.perf_counter()
        failures = export_all(n)
        took = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peaks[n] = {"peak_mib": round(peak / 2**20, 1), "seconds": round(took, 1),
                    "failures": failures}
    small, large = sorted(peaks)
    flat = peaks[large]["peak_mib"] <= 1.5 * peaks[small]["peak_mib"]
    out["bundle_export"] = peaks
    TABLE.add("documents", f"bundle export x{small} / x{large}",
              f"peak {peaks[small]['peak_mib']} / {peaks[large]['peak_mib']} MiB, "
              f"{peaks[large]['seconds']} s traced", "flat (<= 1.5x)",
              verdict(flat and not peaks[large]["failures"]))
    RESULTS["documents"] = out


# --- main ----------------------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (about a minute)")
    parser.add_argument("--iterations", type=int, help="timed runs per transition (20)")
    parser.add_argument("--cases-per-worker", type=int, help="whole cases per worker (15)")
    parser.add_argument("--sizes", help="case counts for the read test (10000,100000)")
    parser.add_argument("--requests", type=int, help="requests per page and size (30)")
    parser.add_argument("--events", type=int, help="audit events in the PDF case (500)")
    parser.add_argument("--exports", type=int, help="bundles in the export test (1000)")
    parser.add_argument("--skip", default="", help="comma list: transitions,throughput,reads,documents")
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
    unknown = set(filter(None, args.skip.split(","))) - {"transitions", "throughput", "reads",
                                                          "documents"}
    if unknown:
        parser.error(f"--skip knows transitions, throughput, reads and documents, not "
                     f"{', '.join(sorted(unknown))}")
    requests = args.requests or (10 if q else 30)
    events = args.events or (100 if q else 500)
    exports = args.exports or (20 if q else 1000)
    skip = set(filter(None, args.skip.split(",")))

    started = timezone.now()
    print(f"Accountability benchmark, {VENDOR}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, {started:%Y-%m-%d %H:%M %Z}", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    settings.ACCOUNTABILITY["EFFECTIVENESS_REVIEW_DELAY"] = dt.timedelta(seconds=1)
    world = build_world()

    if "transitions" not in skip:
        bench_transitions(world, iterations)
    if "throughput" not in skip:
        bench_throughput(world, per_worker)
    from violations.models import Case

    closed = list(Case.objects.filter(stage="closed").order_by("pk"))
    detail_case = closed[0] if closed else walker(world).report()
    if "documents" not in skip:
        bench_documents(world, events, exports, closed)
    if "reads" not in skip:
        bench_scale(world, sizes, requests, detail_case)

    RESULTS.update(date=started.isoformat(), database=VENDOR, cpus=os.cpu_count(),
                   python=platform.python_version(), quick=q, table=TABLE.rows,
                   parameters={"iterations": iterations, "cases_per_worker": per_worker,
                               "sizes": sizes, "requests": requests, "events": events,
                               "exports": exports})
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{started:%Y%m%dT%H%M%S}-{VENDOR}{'-quick' if q else ''}.json"
    path.write_text(json.dumps(RESULTS, indent=2, default=str))
    took = (timezone.now() - started).total_seconds()
    print(f"\nWritten {path.relative_to(ROOT)} ({took:.0f} s)")


if __name__ == "__main__":
    try:
        main()
    finally:
        connections.close_all()
        _drop_scratch()
        SCRATCH_PG = None

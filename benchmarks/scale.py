"""3. Whether list pages and the case page stay as fast as the number of cases grows."""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Process, Task

from benchmarks import steps
from benchmarks.report import RESULTS, TABLE, Statements, ms, pct, verdict
from violations.models import Case, ReferenceCounter


def seed_cases(world, total, *, open_work=600, batch=2000):
    """Bulk-insert cases with their subject, history, processes and tasks; no services.

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
        # A staff report names who it is about; verification will not proceed without one.
        Case.subjects.through.objects.bulk_create(
            [Case.subjects.through(case_id=c.pk, employee_id=world.subject.pk) for c in cases]
        )
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


# --- a million cases: the ORM seeder's closed cases multiplied in SQL -----------------------

PER_YEAR = 100_000  # multiplied cases per past year: references stay VC-YYYY-NNNNNN


def seed_cases_sql(world, total, *, template=10_000, open_work=600, chunk=100_000):
    """Bring the database to ``total`` cases fast (PostgreSQL only): the ORM seeder makes a
    template of up to ``template`` cases (with ``open_work`` open ones), then its closed cases
    are copied in SQL, ``INSERT … SELECT … FROM generate_series``, into earlier years.

    A multiplied case is closed and has what a closed case of :func:`seed_cases` has, so its
    case page opens: its case row (``VC-<year>-<n>``, ``PER_YEAR`` a year going back from
    last year, reported evenly through the year, closed 30 days later, departments and
    categories taken in turn), one history row, a finished process with its start and end
    tasks, and one subject (an employee without a login, in turn). Like the ORM seeder's
    cases, it has no ledger events: the audit chains cover the cases made through services
    only, so ``verify_audit`` does not read them. Open work stays at ``open_work`` cases.

    Returns the seconds taken. Calling it again with a larger ``total`` adds to the same
    database (100,000 then 1,000,000 for the dashboard benchmark).
    """
    if connection.vendor != "postgresql":
        raise RuntimeError("seed_cases_sql needs PostgreSQL (generate_series)")
    t0 = time.perf_counter()
    if Case.objects.count() < min(total, template):
        seed_cases(world, min(total, template), open_work=open_work)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM violations_case")
        made = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM violations_case WHERE reference !~ %s", [_THIS_YEAR])
        copied = cur.fetchone()[0]  # multiplied earlier (past years)
        remaining = total - made
        if remaining <= 0:
            return time.perf_counter() - t0
        cur.execute(
            "CREATE TEMP TABLE seed_template AS "
            "SELECT row_number() OVER (ORDER BY c.id) AS rn, c.* FROM violations_case c "
            "WHERE c.stage = 'closed' AND c.reference ~ %s",
            [_THIS_YEAR],
        )
        cur.execute("SELECT count(*) FROM seed_template")
        size = cur.fetchone()[0]
        if not size:
            raise RuntimeError("no closed case to multiply")
        departments = _ids(cur, "SELECT id FROM violations_department ORDER BY id")
        categories = _ids(cur, "SELECT id FROM violations_violationcategory ORDER BY id")
        subjects = _ids(cur, "SELECT id FROM violations_employee WHERE user_id IS NULL ORDER BY id")
        year = timezone.localtime().year
        start = copied
        with transaction.atomic():
            # A bulk load as PostgreSQL's manual advises: the secondary indexes of the tables
            # filled are built once at the end rather than updated row by row (the unique
            # ones stay, so a clash of references or ids still fails), and the foreign keys,
            # true by construction, are not checked row by row. One transaction: a failure
            # leaves the database as it was, indexes included.
            cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cur.fetchone()[0]:
                cur.execute("SET LOCAL session_replication_role = replica")
            rebuild = _drop_secondary_indexes(cur, MULTIPLIED_TABLES)
            while start < copied + remaining:
                n = min(chunk, copied + remaining - start)
                _multiply(cur, start, n, size, year, departments, categories, subjects)
                start += n
                print(f"    multiplied to {made + start - copied:,} cases", flush=True)
            for statement in rebuild:
                cur.execute(statement)
        for table in ("violations_case", "viewflow_process", "viewflow_task"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('violations_historicalcase', 'history_id'), "
            "(SELECT max(history_id) FROM violations_historicalcase))"
        )
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('violations_case_subjects', 'id'), "
            "(SELECT coalesce(max(id), 1) FROM violations_case_subjects))"
        )
        # The reference counters of the past years, as if those cases had been reported.
        cur.execute(
            "INSERT INTO violations_referencecounter (year, last) "
            "SELECT substr(reference, 4, 4)::int, max(substr(reference, 9)::int) "
            "FROM violations_case WHERE reference !~ %s GROUP BY 1 "
            "ON CONFLICT (year) DO UPDATE SET last = greatest("
            "violations_referencecounter.last, EXCLUDED.last)",
            [_THIS_YEAR],
        )
        cur.execute("DROP TABLE seed_template")
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    return time.perf_counter() - t0


_THIS_YEAR = r"^VC-" + str(dt.date.today().year) + "-"


MULTIPLIED_TABLES = [
    "violations_case",
    "violations_historicalcase",
    "viewflow_process",
    "viewflow_task",
    "violations_case_subjects",
]


def _drop_secondary_indexes(cur, tables):
    """Drop the indexes of ``tables`` that back no constraint; the statements that make them
    again, in the same words."""
    cur.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i "
        "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) AND NOT EXISTS ("
        "SELECT 1 FROM pg_constraint c WHERE c.conindid = "
        "(quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)",
        [tables],
    )
    rows = cur.fetchall()
    for name, _definition in rows:
        cur.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in rows]


def _ids(cur, sql):
    cur.execute(sql)
    return [row[0] for row in cur.fetchall()]


def _multiply(cur, start, n, size, year, departments, categories, subjects):
    """Copies number ``start + 1`` to ``start + n`` (s): copy s is of template row
    ``(s - 1) % size + 1``, in year ``year - 1 - (s - 1) // PER_YEAR``."""
    cur.execute("SELECT max(id) FROM violations_case")
    case_base = cur.fetchone()[0]
    cur.execute("SELECT max(id) FROM viewflow_process")
    process_base = cur.fetchone()[0]
    # One row per copy: its number, ids, reference and dates.
    cur.execute(
        """
        CREATE TEMP TABLE seed_copy AS
        SELECT s, %(case_base)s + s - %(start)s AS case_id,
               %(process_base)s + s - %(start)s AS process_id,
               (s - 1) %% %(size)s + 1 AS rn,
               %(year)s - 1 - (s - 1) / %(per_year)s AS year,
               (s - 1) %% %(per_year)s + 1 AS number,
               make_timestamptz(%(year)s - 1 - ((s - 1) / %(per_year)s)::int, 1, 1, 9, 0, 0)
                 + ((s - 1) %% %(per_year)s) * (interval '365 days' / %(per_year)s) AS reported
        FROM generate_series(%(first)s, %(last)s) AS s
        """,
        {
            "case_base": case_base,
            "process_base": process_base,
            "start": start,
            "size": size,
            "year": year,
            "per_year": PER_YEAR,
            "first": start + 1,
            "last": start + n,
        },
    )
    cur.execute(
        """
        INSERT INTO viewflow_process (id, flow_class, status, created, finished, data)
        SELECT k.process_id, p.flow_class, p.status, k.reported,
               k.reported + interval '30 days', p.data
        FROM seed_copy k JOIN seed_template t USING (rn)
        JOIN viewflow_process p ON p.id = t.process_id
        """
    )
    cur.execute(
        """
        INSERT INTO viewflow_task (flow_task, flow_task_type, status, created, started,
            finished, token, owner_permission, owner_id, process_id, assigned, data)
        SELECT x.flow_task, x.flow_task_type, x.status, k.reported, NULL,
               k.reported + interval '30 days', x.token, x.owner_permission, x.owner_id,
               k.process_id, x.assigned, x.data
        FROM seed_copy k JOIN seed_template t USING (rn)
        JOIN viewflow_task x ON x.process_id = t.process_id
        """
    )
    columns = [
        f.column
        for f in Case._meta.concrete_fields
        if f.column
        not in {
            "id",
            "reference",
            "process_id",
            "title",
            "department_id",
            "category_id",
            "occurred_at",
            "reported_at",
            "acknowledge_due_at",
            "acknowledged_at",
            "stage_entered_at",
            "closed_at",
        }
    ]
    plain = ", ".join(columns)
    from_template = ", ".join(f"t.{c}" for c in columns)
    cur.execute(
        f"""
        INSERT INTO violations_case (id, reference, process_id, title, department_id,
            category_id, occurred_at, reported_at, acknowledge_due_at, acknowledged_at,
            stage_entered_at, closed_at, {plain})
        SELECT k.case_id, 'VC-' || k.year || '-' || lpad(k.number::text, 6, '0'),
               k.process_id, 'Seeded case ' || k.year || '/' || k.number
                 || ' about a product sold',
               (%(departments)s::bigint[])[k.s %% %(nd)s + 1],
               (%(categories)s::bigint[])[k.s %% %(nc)s + 1],
               k.reported - interval '1 day', k.reported, k.reported + interval '24 hours',
               k.reported, k.reported + interval '30 days', k.reported + interval '30 days',
               {from_template}
        FROM seed_copy k JOIN seed_template t USING (rn)
        """,
        {
            "departments": departments,
            "nd": len(departments),
            "categories": categories,
            "nc": len(categories),
        },
    )
    history = ", ".join(f.column for f in Case._meta.concrete_fields)
    cur.execute(
        f"""
        INSERT INTO violations_historicalcase ({history}, history_date, history_type,
            history_change_reason)
        SELECT {", ".join("c." + f.column for f in Case._meta.concrete_fields)},
               c.reported_at, '+', 'seeded'
        FROM violations_case c WHERE c.id > %(case_base)s
        """,
        {"case_base": case_base},
    )
    if subjects:
        cur.execute(
            """
            INSERT INTO violations_case_subjects (case_id, employee_id)
            SELECT k.case_id, (%(subjects)s::bigint[])[k.s %% %(ns)s + 1] FROM seed_copy k
            """,
            {"subjects": subjects, "ns": len(subjects)},
        )
    cur.execute("DROP TABLE seed_copy")

"""Load on two production nodes: 20 people at once through the inbox, the case list, case
pages and step completions, against a database bulk-seeded with LOAD_CASES cases (10,000 by
default; 1,000,000 takes minutes, see ``benchmarks.scale.seed_cases_sql``).

Local only and bounded: two gunicorn nodes on 127.0.0.1 (LOAD_PORTS, 8105 and 8106) over a
fresh PostgreSQL database (LOAD_DATABASE_URL, …/prod_load, dropped and made anew unless
LOAD_REUSE_DATABASE is set) and Redis (LOAD_REDIS_URL, db 5, flushed); LOAD_USERS threads
(20), each making LOAD_ROUNDS rounds (10) of inbox -> case list -> a case from that list
(managers and auditors also a closed case of an earlier year, when there are some) -> for
officers and managers, a step from their inbox: officers verify a report, managers set up
the team of a verified one (open or claim the task, GET its form, POST it with its CSRF
token). Each request goes to either node at random (the nodes share everything, so it must
not matter); the run stops at LOAD_SECONDS (240) in any case. Prints p50 / p95 / max,
errors, completions and lost races (someone else took or did the task first: an answer,
not an error) per page and step, as a Markdown table, with the load average of the
machine, and writes the numbers to benchmarks/results/<time>-load.json.

    make load      (or python benchmarks/load.py; docs/performance.md has the last run)
    LOAD_CASES=1000000 python benchmarks/load.py
"""

import json
import os
import random
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from production_smoke import fresh_database, wait_for_port  # noqa: E402
from serve import gunicorn_command, prepare, production_env  # noqa: E402

# Who the 20 people are: officers, managers and investigators work their inboxes, auditors
# read; five of each.
PEOPLE = ["officer", "manager", "auditor", "investigator"]
PASSWORD = "pw"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/cases/(VC-\d{4}-\d{6})/"')

SEED = """
import django, sys
django.setup()
from demo.world import build_world
from benchmarks.scale import seed_cases_sql
world = build_world(password="pw")
# The managers and auditors need a second factor (security/mfa.py): each has an authenticator,
# and, since five people share each of their accounts and a TOTP code opens one session per
# 30 seconds, recovery codes, one per person who signs in as them.
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from security import mfa
for user in get_user_model().objects.all():
    if mfa.second_factor_required(user):
        TOTPDevice.objects.create(user=user, name="load", confirmed=True)
        device = StaticDevice.objects.create(user=user, name="load", confirmed=True)
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=f"load{i:04d}") for i in range(%(codes)d)
        )
seconds = seed_cases_sql(world, int(sys.argv[1]))
print(f"seeded {sys.argv[1]} cases in {seconds:.0f} s")
"""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A form's answer is its redirect: timed alone, not with the page it leads to."""

    def redirect_request(self, *args, **kwargs):
        return None


class Person:
    def __init__(self, username: str, nodes: list[str], rng: random.Random, number: int = 0):
        self.username = username
        self.recovery_code = f"load{number:04d}"  # the second factor, for those who need one
        self.nodes = nodes
        self.rng = rng
        self.cookies = CookieJar()
        cookies = urllib.request.HTTPCookieProcessor(self.cookies)
        self.opener = urllib.request.build_opener(cookies)
        self.poster = urllib.request.build_opener(cookies, NoRedirect())

    def get(self, path: str) -> tuple[int, str, float]:
        url = self.rng.choice(self.nodes) + path
        start = time.perf_counter()
        try:
            with self.opener.open(url, timeout=60) as response:
                body = response.read().decode()
                status = response.status
        except urllib.error.HTTPError as error:
            body, status = "", error.code
        except OSError as error:
            body, status = str(error), 0
        return status, body, time.perf_counter() - start

    def post(self, path: str, fields: dict | list[tuple[str, str]]) -> tuple[int, str, float]:
        """POST a form as a browser does (CSRF token in the form, Referer of the same
        origin); answers the status (302 when the form was taken) and where it leads."""
        base = self.rng.choice(self.nodes)
        request = urllib.request.Request(base + path, data=urllib.parse.urlencode(fields).encode())
        request.add_header("Referer", base + path)
        start = time.perf_counter()
        try:
            with self.poster.open(request, timeout=60) as response:
                response.read()
                status, location = response.status, ""
        except urllib.error.HTTPError as error:
            status, location = error.code, error.headers.get("Location", "")
        except OSError:
            status, location = 0, ""
        return status, location, time.perf_counter() - start

    def log_in(self) -> str:
        """Sign in (with the second factor when the role needs one); "" or what failed."""
        status, body, _ = self.get("/accounts/login/")
        token = CSRF.search(body)
        if status != 200 or token is None:
            return f"login page answered {status}"
        data = urllib.parse.urlencode(
            {
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1),
            }
        ).encode()
        # Cookies are per host, not per port: the session works on both nodes.
        request = urllib.request.Request(self.nodes[0] + "/accounts/login/", data=data)
        request.add_header("Referer", self.nodes[0] + "/accounts/login/")
        try:
            with self.opener.open(request, timeout=60) as response:
                landed, body = response.geturl(), response.read().decode()
            if "/accounts/second-factor/verify/" in landed:
                token = CSRF.search(body)
                data = urllib.parse.urlencode(
                    {
                        "token": self.recovery_code,
                        "csrfmiddlewaretoken": token.group(1) if token else "",
                    }
                ).encode()
                request = urllib.request.Request(landed, data=data)
                request.add_header("Referer", landed)
                with self.opener.open(request, timeout=60) as response:
                    landed = response.geturl()
        except (urllib.error.HTTPError, OSError) as error:
            return f"login failed: {error}"
        # People land on their inbox (the case list before December 2026).
        landed_home = landed.endswith(("/work/case/inbox/", "/cases/"))
        return "" if landed_home else f"login landed on {landed}"


class Run:
    """What the people saw: times per page and per step, errors, and lost races (someone
    else took the task first: the answer the application owes, not an error)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = {}
        self.errors: list = []
        self.lost: dict[str, int] = {}
        self.done: dict[str, int] = {}

    def time(self, label: str, seconds: float) -> None:
        with self.lock:
            self.samples.setdefault(label, []).append(seconds)

    def error(self, label: str, *what) -> None:
        with self.lock:
            self.errors.append((label, *what))

    def count(self, table: dict, label: str) -> None:
        with self.lock:
            table[label] = table.get(label, 0) + 1


# The step each role completes from its inbox ("My tasks": the tasks it holds, each with an
# "Open" link to its form, then those waiting in the queue, each with a "Claim and open"
# button that POSTs to the claim page and lands on the form).
SEE_ALL = {"manager", "auditor"}  # who may open any closed case (others: need to know)
STEP_OF_ROLE = {"officer": "verify", "manager": "form_team"}
HELD = {s: re.compile(rf'data-step="{s}" href="([^"]+/execute/)"') for s in STEP_OF_ROLE.values()}
CLAIMABLE = {
    s: re.compile(
        r'<form method="post" action="(/tasks/\d+/claim/)"[^>]*>\s*'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">\s*'
        rf'<button[^>]*data-step="{s}"'
    )
    for s in STEP_OF_ROLE.values()
}
LEAD = re.compile(r'<select name="lead"[^>]*>.*?<option value="(\d+)"', re.S)
SUBJECTS = re.compile(r'<select name="subjects"[^>]*>(.*?)</select>', re.S)
SELECTED = re.compile(r'<option value="(\d+)" selected>')


def step_fields(step: str, body: str) -> list[tuple[str, str]] | None:
    if step == "verify":
        # As a browser sends the form: the subjects the list shows selected, one field each.
        menu = SUBJECTS.search(body)
        subjects = SELECTED.findall(menu.group(1)) if menu else []
        return [
            ("outcome", "proceed"),
            ("first_evidence", "Seen under load."),
            ("reason", ""),
            *(("subjects", pk) for pk in subjects),
        ]
    lead = LEAD.search(body)
    return [("lead", lead.group(1)), ("note", "Formed under load.")] if lead else None


def take_step(person: Person, run: Run, step: str) -> None:
    """Open a held task of ``step`` from the inbox, or claim a waiting one ("Claim and
    open"), and complete it through its form: GET the form, POST it with its CSRF token.

    The five people of a role share one login, hence one inbox: two of them may open the
    same task, and the later one finds it done (403 on the form) or taken (the claim lands
    back in the inbox) - a lost race, counted apart from errors."""
    status, body, seconds = person.get("/work/case/inbox/")
    run.time("inbox", seconds)
    if status != 200:
        run.error("inbox", person.username, status)
        return
    held = HELD[step].findall(body)
    waiting = CLAIMABLE[step].findall(body)
    if held and (not waiting or person.rng.random() < 0.5):
        task = person.rng.choice(held)
    elif waiting:
        action, token = person.rng.choice(waiting)
        status, location, seconds = person.post(action, {"csrfmiddlewaretoken": token})
        run.time(f"claim ({step})", seconds)
        if status == 302 and location.endswith("/execute/"):
            run.count(run.done, f"claim ({step})")
            task = location.removeprefix(person.nodes[0]).removeprefix(person.nodes[-1])
        elif status == 302 and location.endswith("/work/case/inbox/"):
            run.count(run.lost, f"claim ({step})")
            return
        else:
            run.error(f"claim ({step})", person.username, action, status)
            return
    else:
        return  # nothing of this kind yet (managers wait for verified cases)
    status, body, seconds = person.get(task)
    run.time(f"task page ({step})", seconds)
    if status == 403:  # done by another person of the same login meanwhile
        run.count(run.lost, step)
        return
    token = CSRF.search(body)
    fields = step_fields(step, body)
    if status != 200 or token is None or fields is None:
        run.error(f"task page ({step})", person.username, task, status)
        return
    status, location, seconds = person.post(
        task, [*fields, ("csrfmiddlewaretoken", token.group(1))]
    )
    run.time(step, seconds)
    if status == 403:
        run.count(run.lost, step)
    elif status != 302 or location.endswith("/execute/"):
        run.error(step, person.username, task, status)
    else:
        run.count(run.done, step)


def run_person(person: Person, rounds: int, stop_at: float, run: Run, old: list[str]):
    failed = person.log_in()
    if failed:
        run.error("login", person.username, failed)
        return
    step = STEP_OF_ROLE.get(person.username)
    for _ in range(rounds):
        if time.monotonic() > stop_at:
            return
        for page, path in (("inbox", "/work/case/inbox/"), ("case list", "/cases/")):
            status, body, seconds = person.get(path)
            run.time(page, seconds)
            if status != 200:
                run.error(page, person.username, status)
        references = CASE_LINK.findall(body)
        if not references:
            run.error("case list", person.username, "no case in the list")
            continue
        path = f"/cases/{person.rng.choice(references)}/"
        status, _, seconds = person.get(path)
        run.time("case page", seconds)
        if status != 200:
            run.error("case page", person.username, path, status)
        if old and person.username in SEE_ALL:  # a closed case of an earlier year
            path = f"/cases/{person.rng.choice(old)}/"
            status, _, seconds = person.get(path)
            run.time("case page (earlier year)", seconds)
            if status != 200:
                run.error("case page (earlier year)", person.username, path, status)
        if step and time.monotonic() < stop_at:
            take_step(person, run, step)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    ports = [int(p) for p in os.environ.get("LOAD_PORTS", "8105,8106").split(",")]
    cases = int(os.environ.get("LOAD_CASES", "10000"))
    users = int(os.environ.get("LOAD_USERS", "20"))
    rounds = int(os.environ.get("LOAD_ROUNDS", "10"))
    seconds = int(os.environ.get("LOAD_SECONDS", "240"))
    database_url = os.environ.get(
        "LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/prod_load"
    )
    redis_url = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/5")
    var = ROOT / "var" / "load"
    var.mkdir(parents=True, exist_ok=True)

    import redis

    redis.Redis.from_url(redis_url).flushdb()
    env = production_env(
        database_url=database_url,
        secret_key=secrets.token_urlsafe(50),
        REDIS_URL=redis_url,
        DJANGO_CACHE_PREFIX="load",
        DJANGO_STATIC_ROOT=str(var / "static"),
        ACCOUNTABILITY_MEDIA_ROOT=str(var / "media"),
        ACCOUNTABILITY_SIGNING_KEY=str(var / "signing_key.pem"),
        GUNICORN_ACCESS_LOG=str(var / "access.log"),
    )
    if not os.environ.get("LOAD_REUSE_DATABASE"):
        fresh_database(database_url)
        prepare(env, seed=False)
        seed_env = {**env, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"}
        seed = SEED % {"codes": users}
        subprocess.run([sys.executable, "-c", seed, str(cases)], cwd=ROOT, env=seed_env, check=True)
    nodes = []
    try:
        for port in ports:
            log = (var / f"node-{port}.log").open("w")
            nodes.append(
                subprocess.Popen(
                    gunicorn_command(port, workers=2),
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        for port in ports:
            wait_for_port(port)
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        old = earlier_references(database_url)
        fresh_recovery_codes(database_url, users)
        run = Run()
        stop_at = time.monotonic() + seconds
        people = [
            Person(PEOPLE[i % len(PEOPLE)], bases, random.Random(i), number=i) for i in range(users)
        ]
        threads = [
            threading.Thread(target=run_person, args=(p, rounds, stop_at, run, old)) for p in people
        ]
        load_before = os.getloadavg()
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        load_after = os.getloadavg()
    finally:
        for node in nodes:
            node.terminate()
        for node in nodes:
            node.wait(timeout=30)

    samples = run.samples
    total = sum(len(v) for v in samples.values())
    errors_of = {}
    for label, *_ in run.errors:
        errors_of[label] = errors_of.get(label, 0) + 1
    rows = {
        label: {
            "requests": len(values),
            "p50_ms": round(percentile(values, 0.50) * 1000),
            "p95_ms": round(percentile(values, 0.95) * 1000),
            "max_ms": round(max(values) * 1000),
            "errors": errors_of.get(label, 0),
            "completed": run.done.get(label),
            "lost_races": run.lost.get(label),
        }
        for label, values in sorted(samples.items(), key=lambda kv: ORDER.get(kv[0], 99))
    }
    print(
        f"\n{users} people, {len(ports)} nodes, {cases:,} cases: {total} requests "
        f"in {elapsed:.0f} s ({total / elapsed:.1f}/s), {len(run.errors)} errors; "
        f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
        f"(1 min), {load_after[2]:.1f} (15 min)\n"
    )
    print(
        "| page or step | requests | p50 | p95 | max | errors | done | lost races |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- |"
    )
    for label, row in rows.items():
        print(
            f"| {label} | {row['requests']} | {row['p50_ms']} ms | {row['p95_ms']} ms "
            f"| {row['max_ms']} ms | {row['errors']} | {row['completed'] or ''} "
            f"| {row['lost_races'] or ''} |"
        )
    for label in set(run.errors and [e[0] for e in run.errors]) - set(rows):
        print(f"| {label} | | | | | {errors_of[label]} | | |")
    for error in run.errors[:20]:
        print("error:", error)
    out = ROOT / "benchmarks" / "results" / f"{time.strftime('%Y%m%dT%H%M%S')}-load.json"
    out.write_text(
        json.dumps(
            {
                "cases": cases,
                "users": users,
                "nodes": len(ports),
                "seconds": round(elapsed, 1),
                "load_average": {"before": load_before, "after": load_after},
                "errors": run.errors,
                "pages": rows,
            },
            indent=2,
        )
    )
    return 1 if run.errors else 0


ORDER = {
    label: i
    for i, label in enumerate(
        [
            "inbox",
            "case list",
            "case page",
            "case page (earlier year)",
            "claim (verify)",
            "task page (verify)",
            "verify",
            "claim (form_team)",
            "task page (form_team)",
            "form_team",
        ]
    )
}


def fresh_recovery_codes(database_url: str, users: int) -> None:
    """Give each person an unused recovery code (they are spent at each sign-in, so a run on
    a reused database needs new ones): ``load0000``… on every account's "load" device."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        conn.execute(
            "DELETE FROM otp_static_statictoken WHERE device_id IN "
            "(SELECT id FROM otp_static_staticdevice WHERE name = 'load')"
        )
        conn.execute(
            "INSERT INTO otp_static_statictoken (device_id, token) "
            "SELECT d.id, 'load' || lpad(i::text, 4, '0') FROM otp_static_staticdevice d, "
            "generate_series(0, %s - 1) AS i WHERE d.name = 'load'",
            [users],
        )


def earlier_references(database_url: str, n: int = 500) -> list[str]:
    """References of multiplied cases (earlier years), for the case page of an old case."""
    import psycopg

    year = time.strftime("%Y")
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT reference FROM violations_case TABLESAMPLE SYSTEM (1) "
            "WHERE reference NOT LIKE %s LIMIT %s",
            [f"VC-{year}-%", n],
        ).fetchall()
    return [r[0] for r in rows]


if __name__ == "__main__":
    sys.exit(main())

"""Production smoke: two application nodes as an institution runs them, walked by a browser.

Starts the production configuration (DEBUG off, gunicorn, whitenoise, PostgreSQL, Redis for
the cache and login counters, a local S3 server for evidence) as two nodes on two ports
against one database, then headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright; no browser download):

1. logs in on node 1, opens the inbox and a case, and stores an evidence file there;
2. opens the same case on node 2 and downloads the file: the same bytes come back;
3. every static file any page asked for answered 200, on both nodes;
4. two compliance officers claim the same task at the same instant, one on each node, and
   then the winner submits its form twice at once, once on each node: exactly one claim and
   one completion win, the loser is told so (never a 5xx), and the case's audit chain stays
   intact (PostgreSQL's row lock decides across nodes, as in tests/violations/test_races.py);
5. three wrong passwords on node 1 lock that guesser out on node 2 too (Redis), while the
   same person signs in from another address, enrols an authenticator (the second factor
   an auditor needs: the code computed by django-otp's own TOTP) and is verified on node 1 too.

    make smoke            # or: python scripts/production_smoke.py
Environment: SMOKE_PORTS (8105,8106), SMOKE_DATABASE_URL (…/prod_smoke, dropped and made
anew), SMOKE_REDIS_URL (redis://127.0.0.1:6379/5, flushed), SMOKE_TIMEOUT (300 s).
Exits non-zero on the first failure; everything it started is stopped on the way out.
"""

import base64
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402
from serve import gunicorn_command, prepare, production_env  # noqa: E402

from tests.production import s3  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
BUCKET = "smoke-evidence"
RUN = secrets.token_hex(4)
EVIDENCE = b"%PDF-1.7\n% production smoke evidence " + RUN.encode() + b"\n"
FILE_NAME = f"signed-form-{RUN}.pdf"
ATTACKER = "203.0.113.7"
DESK = "198.51.100.20"


class SmokeFailure(AssertionError):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)
    print(f"  ok  {message}", flush=True)


def fresh_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SmokeFailure(f"node on port {port} did not start")


def shell(env: dict[str, str], code: str) -> str:
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def case_at_verification(env: dict[str, str]) -> str:
    """A case the compliance officer may add evidence to (verification, not a party)."""
    code = (
        "from violations.models import Case, Stage; "
        "print(Case.objects.filter(stage=Stage.VERIFICATION).order_by('pk')"
        ".values_list('reference', flat=True).first() or '')"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    reference = out.stdout.strip()
    check(bool(reference), f"the demo has a case at verification ({reference})")
    return reference


INBOX = "/work/case/inbox/"  # where people land after logging in (LOGIN_REDIRECT_URL)


def log_in(page, base: str, username: str, password: str) -> str:
    """Through the form, as a person does; returns the address the browser ends on."""
    page.goto(f"{base}/accounts/login/")
    # The fields are viewflow web components: they exist only if viewflow.min.js loaded.
    page.locator('input[name="username"]').fill(username, timeout=10_000)
    page.locator('input[name="password"]').fill(password)
    page.locator('button[type="submit"]').click()
    with contextlib.suppress(PlaywrightTimeout):  # the caller reports where it stayed
        page.wait_for_url(
            lambda url: url.endswith(INBOX) or "/accounts/second-factor/" in url,
            timeout=30_000,
        )
    return page.url


def post_login(page, base: str, username: str, password: str) -> int:
    """One login POST with the page's CSRF token; the status as the server sent it."""
    page.goto(f"{base}/accounts/login/")
    token = page.locator('input[name="csrfmiddlewaretoken"]').input_value()
    response = page.request.post(
        f"{base}/accounts/login/",
        form={"username": username, "password": password, "csrfmiddlewaretoken": token},
        max_redirects=0,
    )
    return response.status


# --- the race across two nodes -----------------------------------------------------------------

RIVAL = "smoke-officer2"
RACE_SETUP = """
import json
from casework.engine import open_task
from demo.world import add_login
from violations.models import Case, Stage
add_login(%(rival)r, "Compliance officer", password="demo")
for case in Case.objects.filter(stage=Stage.VERIFICATION).exclude(reference=%(skip)r).order_by("pk"):
    task = open_task(case, "verify")
    if task is not None and task.owner_id is None:
        print(json.dumps({"reference": case.reference, "url": f"/work/case/{task.process_id}/verify/{task.pk}/"}))
        break
"""
RACE_OUTCOME = """
import json
from casework.engine import node
from viewflow.workflow.models import Task
from violations import audit
from violations.models import Case
case = Case.objects.get(reference=%(reference)r)
events = audit.events_of(case)
print(json.dumps({
    "owner": Task.objects.get(process_id=case.process_id, flow_task=node("verify")).owner.username,
    "claims": events.filter(action="task.claimed").count(),
    "completions": events.filter(action="verification.completed").count(),
    "next_tasks": Task.objects.filter(process_id=case.process_id, flow_task=node("form_team")).count(),
    "intact": audit.verify(case=case).intact,
}))
"""


def http_login(base: str, username: str):
    """A requests session signed in on ``base`` through the login form."""
    import requests

    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=30)
    response = session.post(
        f"{base}/accounts/login/",
        data={
            "username": username,
            "password": "demo",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=30,
    )
    check(response.status_code == 302, f"{username} signs in on {base[-4:]} over HTTP")
    return session


def at_once(*calls):
    """Each call in its own thread, all released at the same instant; their responses."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait(30)
        try:
            results[i] = call()
        except Exception as exc:  # reported as the racer's result
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def post_form(session, url: str, data: dict):
    page = session.get(url, timeout=30)  # the form, and its CSRF cookie
    token = session.cookies.get("csrftoken")
    return lambda: session.post(
        url,
        data={**data, "csrfmiddlewaretoken": token},
        headers={"Referer": page.url},
        allow_redirects=False,
        timeout=60,
    )


def race_across_nodes(env: dict[str, str], nodes: list[str], skip: str) -> None:
    node1, node2 = nodes
    print("race: one task claimed, then completed, at once on both nodes", flush=True)
    found = shell(env, RACE_SETUP % {"rival": RIVAL, "skip": skip})
    check(bool(found), "the demo has an unclaimed verification task to race for")
    task = json.loads(found)
    officer = {node1: http_login(node1, "officer"), node2: http_login(node2, "officer")}
    rival = {node1: http_login(node1, RIVAL), node2: http_login(node2, RIVAL)}
    claims = at_once(
        post_form(officer[node1], f"{node1}{task['url']}assign/", {}),
        post_form(rival[node2], f"{node2}{task['url']}assign/", {}),
    )
    statuses = [getattr(r, "status_code", repr(r)) for r in claims]
    check(
        all(isinstance(s, int) and s < 500 for s in statuses), f"both claims answered ({statuses})"
    )
    after_claim = json.loads(shell(env, RACE_OUTCOME % {"reference": task["reference"]}))
    check(after_claim["claims"] == 1, f"exactly one claim won ({after_claim['owner']})")
    winner = officer if after_claim["owner"] == "officer" else rival
    form = {"outcome": "proceed", "first_evidence": "Smoke race: call log", "reason": ""}
    submissions = at_once(
        post_form(winner[node1], f"{node1}{task['url']}execute/", form),
        post_form(winner[node2], f"{node2}{task['url']}execute/", form),
    )
    statuses = [getattr(r, "status_code", repr(r)) for r in submissions]
    check(
        all(isinstance(s, int) and s < 500 for s in statuses),
        f"both submissions answered ({statuses})",
    )
    check(statuses.count(302) >= 1, "a submission went through")
    outcome = json.loads(shell(env, RACE_OUTCOME % {"reference": task["reference"]}))
    check(outcome["completions"] == 1, "the verification was completed exactly once")
    check(outcome["next_tasks"] == 1, "exactly one next task (form the team) was opened")
    check(outcome["intact"], f"the audit chain of {task['reference']} is intact")


def enrol_second_factor(page, base: str) -> None:
    """The auditor's first sign-in: scan (here: read) the key, answer with the current code."""
    from django_otp.oath import totp

    check(
        "/accounts/second-factor/setup/" in page.url,
        "the auditor is sent to set up a second factor",
    )
    blocked = page.request.get(f"{base}/work/case/inbox/", max_redirects=0)
    check(blocked.status == 302, "no inbox before the second factor")
    secret = page.locator("code[data-secret]").inner_text().strip()
    page.locator('input[name="token"]').fill(f"{totp(base64.b32decode(secret)):06d}")
    page.locator('button[type="submit"]').first.click()
    page.wait_for_selector("[data-recovery-codes]", timeout=30_000)
    codes = page.locator("[data-recovery-codes] li").count()
    check(codes == 10, f"enrolled; {codes} recovery codes shown once")


def walk(nodes: list[str], reference: str) -> None:
    from playwright.sync_api import sync_playwright

    node1, node2 = nodes
    statics: dict[str, int] = {}
    pages: list = []

    def record(response):
        if "/static/" in response.url:
            statics[response.url] = response.status

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            # As root, and on a machine with no outside network: Chromium's own background
            # connections would only fail.
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            context = browser.new_context(accept_downloads=True)
            context.on("response", record)
            page = context.new_page()
            pages.append(page)

            print("node 1: log in, inbox, case, store evidence", flush=True)
            landed = log_in(page, node1, "officer", "demo")
            check(landed == f"{node1}{INBOX}", f"officer logged in on node 1 ({landed})")
            inbox = page.goto(f"{node1}/work/case/inbox/")
            check(inbox is not None and inbox.status == 200, "inbox opens")
            check(page.locator("table.vf-list__table").count() == 1, "inbox shows its task list")
            queue = page.goto(f"{node1}/work/case/queue/")
            check(queue is not None and queue.status == 200, "queue opens")
            rows = page.locator("table.vf-list__table tbody tr").count()
            check(rows > 0, f"the queue lists {rows} task(s) for the officer")
            opened = page.goto(f"{node1}/cases/{reference}/")
            check(opened is not None and opened.status == 200, f"case {reference} opens")
            upload = page.locator('form[action$="/evidence/"]')
            upload.locator("xpath=ancestor::details").first.evaluate("d => d.open = true")
            upload.locator('select[name="kind"]').select_option("document")
            upload.locator('input[name="description"]').fill("Smoke test: signed form")
            upload.locator('input[name="file"]').set_input_files(
                {"name": FILE_NAME, "mimeType": "application/pdf", "buffer": EVIDENCE}
            )
            with page.expect_navigation() as nav:
                upload.locator("button").click()
            check(nav.value is not None and nav.value.status == 200, "evidence stored")
            check(page.get_by_role("link", name=FILE_NAME).count() == 1, "the case lists the file")

            print("node 2: the same case, download the evidence", flush=True)
            opened = page.goto(f"{node2}/cases/{reference}/")
            check(opened is not None and opened.status == 200, "case opens on node 2")
            with page.expect_download() as download_info:
                page.get_by_role("link", name=FILE_NAME).click()
            download = download_info.value
            data = Path(download.path()).read_bytes()
            check(data == EVIDENCE, "node 2 returns the bytes stored through node 1")
            for base in nodes:
                page.goto(f"{base}/work/case/")
            check(len(statics) >= 10, f"{len(statics)} static files requested")
            failed = {url: code for url, code in statics.items() if code != 200}
            check(not failed, f"every static file answered 200 (failures: {failed})")
            context.close()

            print("lockout counted on node 1 holds on node 2", flush=True)
            guesser = browser.new_context(extra_http_headers={"X-Forwarded-For": ATTACKER})
            page = guesser.new_page()
            pages.append(page)
            statuses = [post_login(page, node1, "auditor", "wrong") for _ in range(3)]
            check(statuses == [200, 200, 429], f"node 1 locks the guesser out ({statuses})")
            status = post_login(page, node2, "auditor", "demo")
            check(status == 429, f"node 2 refuses the guesser, right password or not ({status})")
            guesser.close()
            person = browser.new_context(extra_http_headers={"X-Forwarded-For": DESK})
            page = person.new_page()
            pages.append(page)
            landed = log_in(page, node2, "auditor", "demo")
            check("/accounts/second-factor/" in landed, "the auditor's password is right on node 2")
            enrol_second_factor(page, node2)
            opened = page.goto(f"{node1}/cases/{reference}/")
            check(
                opened is not None and opened.status == 200,
                "the session verified on node 2 opens the case on node 1",
            )
            person.close()
        except SmokeFailure:
            open_pages = [pg for pg in pages if not pg.is_closed()]
            if open_pages:  # what the browser saw, for whoever reads the CI log
                html = ROOT / "var" / "smoke" / "failure.html"
                html.write_text(open_pages[-1].content())
                print(f"  page at failure: {open_pages[-1].url} (saved to {html})", flush=True)
            raise
        finally:
            browser.close()


def main() -> int:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the S3 server's request log
    ports = [int(p) for p in os.environ.get("SMOKE_PORTS", "8105,8106").split(",")]
    database_url = os.environ.get(
        "SMOKE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/prod_smoke"
    )
    redis_url = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/5")
    timeout = int(os.environ.get("SMOKE_TIMEOUT", "300"))
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(SmokeFailure("timed out")))
    signal.alarm(timeout)
    started = time.monotonic()
    var = ROOT / "var" / "smoke"
    var.mkdir(parents=True, exist_ok=True)

    import redis

    redis.Redis.from_url(redis_url).flushdb()
    if not os.environ.get("SMOKE_REUSE_DATABASE"):  # set it to iterate on the walk faster
        fresh_database(database_url)
    nodes: list[subprocess.Popen] = []
    with s3.local_s3_server():
        s3.client().create_bucket(Bucket=BUCKET)
        env = production_env(
            database_url=database_url,
            secret_key=secrets.token_urlsafe(50),
            REDIS_URL=redis_url,
            DJANGO_CACHE_PREFIX="smoke",
            DJANGO_TRUSTED_PROXIES="127.0.0.1",
            DJANGO_AXES_FAILURE_LIMIT="3",
            DJANGO_STATIC_ROOT=str(var / "static"),
            ACCOUNTABILITY_SIGNING_KEY=str(var / "signing_key.pem"),
            ACCOUNTABILITY_S3_BUCKET=BUCKET,
            ACCOUNTABILITY_S3_ENDPOINT_URL=s3.ENDPOINT,
            ACCOUNTABILITY_S3_REGION=s3.CREDENTIALS["REGION"],
            ACCOUNTABILITY_S3_ACCESS_KEY_ID=s3.CREDENTIALS["ACCESS_KEY_ID"],
            ACCOUNTABILITY_S3_SECRET_ACCESS_KEY=s3.CREDENTIALS["SECRET_ACCESS_KEY"],
            GUNICORN_ACCESS_LOG=str(var / "access.log"),
        )
        print("preparing: migrate, collectstatic, signing key, demo data", flush=True)
        prepare(env)
        reference = case_at_verification(env)
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
            walk(bases, reference)
            race_across_nodes(env, bases, reference)
            keys = [o["Key"] for o in s3.client().list_objects_v2(Bucket=BUCKET)["Contents"]]
            check(any(k.startswith("evidence/") for k in keys), "the evidence is in the bucket")
        finally:
            for node in nodes:
                node.terminate()
            for node in nodes:
                try:
                    node.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    node.kill()
            signal.alarm(0)
    print(f"production smoke passed in {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SmokeFailure as failure:
        print(f"production smoke FAILED: {failure}", file=sys.stderr)
        sys.exit(1)

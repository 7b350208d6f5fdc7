"""Load on two production nodes: 20 people at once through the inbox, the case list and
case pages, against a database bulk-seeded with LOAD_CASES cases (10,000 by default).

Local only and bounded: two gunicorn nodes on 127.0.0.1 (LOAD_PORTS, 8105 and 8106) over a
fresh PostgreSQL database (LOAD_DATABASE_URL, …/prod_load, dropped and made anew) and Redis
(LOAD_REDIS_URL, db 5, flushed); LOAD_USERS threads (20), each making LOAD_ROUNDS rounds
(10) of inbox -> case list -> a case from that list, each request to either node at random
(the nodes share everything, so it must not matter), stopping at LOAD_SECONDS (240) in any
case. Prints p50 / p95 / max per page and the errors, as a Markdown table, and writes the
numbers to benchmarks/results/<time>-load.json.

    make load      (or python benchmarks/load.py; docs/performance.md has the last run)
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
from benchmarks.scale import seed_cases
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
seconds = seed_cases(world, int(sys.argv[1]))
print(f"seeded {sys.argv[1]} cases in {seconds:.0f} s")
"""


class Person:
    def __init__(self, username: str, nodes: list[str], rng: random.Random, number: int = 0):
        self.username = username
        self.recovery_code = f"load{number:04d}"  # the second factor, for those who need one
        self.nodes = nodes
        self.rng = rng
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

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

    def log_in(self) -> bool:
        status, body, _ = self.get("/accounts/login/")
        token = CSRF.search(body)
        if status != 200 or token is None:
            return False
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
        return landed.endswith("/cases/")


def run_person(person: Person, rounds: int, stop_at: float, samples: dict, errors: list):
    if not person.log_in():
        errors.append((person.username, "login", 0))
        return
    for _ in range(rounds):
        if time.monotonic() > stop_at:
            return
        for page, path in (("inbox", "/work/case/inbox/"), ("case list", "/cases/")):
            status, body, seconds = person.get(path)
            samples.setdefault(page, []).append(seconds)
            if status != 200:
                errors.append((person.username, path, status))
        references = CASE_LINK.findall(body)
        if not references:
            errors.append((person.username, "no case in the list", 0))
            continue
        path = f"/cases/{person.rng.choice(references)}/"
        status, _, seconds = person.get(path)
        samples.setdefault("case page", []).append(seconds)
        if status != 200:
            errors.append((person.username, path, status))


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
        samples: dict[str, list[float]] = {}
        errors: list = []
        stop_at = time.monotonic() + seconds
        people = [
            Person(PEOPLE[i % len(PEOPLE)], bases, random.Random(i), number=i) for i in range(users)
        ]
        threads = [
            threading.Thread(target=run_person, args=(p, rounds, stop_at, samples, errors))
            for p in people
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
    finally:
        for node in nodes:
            node.terminate()
        for node in nodes:
            node.wait(timeout=30)

    total = sum(len(v) for v in samples.values())
    rows = {
        page: {
            "requests": len(values),
            "p50_ms": round(percentile(values, 0.50) * 1000),
            "p95_ms": round(percentile(values, 0.95) * 1000),
            "max_ms": round(max(values) * 1000),
        }
        for page, values in samples.items()
    }
    print(
        f"\n{users} people, {len(ports)} nodes, {cases:,} cases: {total} requests "
        f"in {elapsed:.0f} s ({total / elapsed:.1f}/s), {len(errors)} errors\n"
    )
    print("| page | requests | p50 | p95 | max |\n| --- | --- | --- | --- | --- |")
    for page, row in rows.items():
        print(
            f"| {page} | {row['requests']} | {row['p50_ms']} ms | {row['p95_ms']} ms "
            f"| {row['max_ms']} ms |"
        )
    for error in errors[:20]:
        print("error:", error)
    out = ROOT / "benchmarks" / "results" / f"{time.strftime('%Y%m%dT%H%M%S')}-load.json"
    out.write_text(
        json.dumps(
            {
                "cases": cases,
                "users": users,
                "nodes": len(ports),
                "seconds": round(elapsed, 1),
                "errors": errors,
                "pages": rows,
            },
            indent=2,
        )
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

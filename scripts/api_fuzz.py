"""Fuzz the API with schemathesis against a seeded server: 0 server errors, 0 schema
violations, as three roles and one service account.

Migrates a scratch SQLite database, loads the demo data (``seed_demo``), starts gunicorn
(deploy/gunicorn.conf.py, API_FUZZ_WORKERS workers) on API_FUZZ_PORT (default 8270), and
runs schemathesis with all its checks against ``/api/v1/schema/``, one run per role, the
runs side by side: a compliance officer, a case manager and an investigator
(API_FUZZ_ROLES), and the service account of a system (API_FUZZ_TOKEN_SCOPE, default
``hr-system``; empty for none) with the token the seeding gives it (``manage.py api_token``),
API_FUZZ_EXAMPLES examples per operation (default 100). A case's
reference is mostly drawn from the seeded cases (the rest made up), so the case operations
reach real cases and their rules instead of answering 404.

Each role signs in through the login page, and a privileged one (the manager) also through
the code page with the demo's shared authenticator (DEBUG only, `manage.py demo_code`): the
API refuses such accounts a password alone. schemathesis applies the session itself
(scripts/schemathesis_hooks.py), so its ``ignored_auth`` check can take it away.

    .venv/bin/python scripts/api_fuzz.py
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ROLES = tuple(os.environ.get("API_FUZZ_ROLES", "officer,manager,investigator").split(","))
TOKEN_SCOPE = os.environ.get("API_FUZZ_TOKEN_SCOPE", "hr-system")
PASSWORD = "demo"
REFERENCES = (
    "from django.apps import apps; "
    "print(*apps.get_model('violations', 'Case').objects.values_list('reference', flat=True))"
)


def main() -> int:
    port = int(os.environ.get("API_FUZZ_PORT", "8270"))
    examples = os.environ.get("API_FUZZ_EXAMPLES", "100")
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="api-fuzz-") as scratch:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DJANGO_DEBUG="1",
            DATABASE_URL=f"sqlite:///{scratch}/fuzz.sqlite3",
            ACCOUNTABILITY_MEDIA_ROOT=f"{scratch}/media",
            ACCOUNTABILITY_SIGNING_KEY=f"{scratch}/signing_key.pem",
            # The rate limit is tested on its own; here it would only slow the fuzzer.
            API_RATE_LIMIT="100000/minute",
            API_TOKEN_RATE_LIMIT="100000/minute",
        )
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], check=True, env=env, cwd=ROOT)
        subprocess.run([*manage, "seed_demo"], check=True, env=env, cwd=ROOT)
        # The bundle is signed: a server without its key answers 503, as it should.
        subprocess.run([*manage, "signing_key", "generate"], check=True, env=env, cwd=ROOT)
        # The seeded cases' references, so the case operations reach real cases rather
        # than answer 404 to made-up ones (schemathesis still makes up some: probability).
        references = subprocess.run(
            [*manage, "shell", "--no-imports", "-c", REFERENCES],
            check=True,
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.split()
        # The service account and its token, made as an administrator would.
        token = ""
        if TOKEN_SCOPE:
            token = subprocess.run(
                [
                    *manage,
                    "api_token",
                    f"fuzz-{TOKEN_SCOPE}",
                    "--scope",
                    TOKEN_SCOPE,
                    "--name",
                    "Fuzzer",
                    "--by",
                    "admin",
                ],
                check=True,
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
            ).stdout.strip()
        config = Path(scratch) / "schemathesis.toml"
        config.write_text(
            (ROOT / "scripts" / "schemathesis.toml").read_text()
            + "\n[dictionaries.seeded_cases]\n"
            + f"values = {json.dumps(references)}\n"
            + "\n[parameters]\n"
            + '"path.reference" = { dictionary = "seeded_cases", probability = 0.7 }\n'
        )
        server_log = Path(scratch) / "server.log"
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--config",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                os.environ.get("API_FUZZ_WORKERS", "3"),
                "--threads",
                "1",
                "--access-logfile",
                "-",
                "config.wsgi",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(server_log, "w"),  # noqa: SIM115
        )
        try:
            _wait(f"{base}/accounts/login/")
            # Sign every role in before fuzzing: the fuzzer's made-up Basic credentials count
            # as failed logins and soon lock this address out of the login page (django-axes).
            callers = {role: {"API_FUZZ_SESSION": _sign_in(base, role, env)} for role in ROLES}
            if token:
                callers[f"token:{TOKEN_SCOPE}"] = {"API_FUZZ_TOKEN": token}
            print(f"== set up in {time.monotonic() - started:.0f} s ==", flush=True)
            runs = {}
            for role, credentials in callers.items():
                log = open(Path(scratch) / f"{role.replace(':', '-')}.log", "w")  # noqa: SIM115
                runs[role] = (
                    subprocess.Popen(
                        [
                            str(BIN / "schemathesis"),
                            "--no-color",
                            "--config-file",
                            str(config),
                            "run",
                            f"{base}/api/v1/schema/",
                            "--checks",
                            "all",
                            "--max-examples",
                            examples,
                            "--workers",
                            "1",
                            "--suppress-health-check",
                            "all",
                            "--generation-deterministic",
                        ],
                        cwd=ROOT,
                        env={
                            **os.environ,
                            "SCHEMATHESIS_HOOKS": str(ROOT / "scripts" / "schemathesis_hooks.py"),
                            **credentials,
                        },
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    ),
                    log,
                )
            failed = 0
            for role, (run, log) in runs.items():
                failed |= run.wait()
                log.close()
                print(f"== schemathesis as {role}: exit {run.returncode} ==", flush=True)
                print(Path(log.name).read_text(), flush=True)
            print(f"== fuzzed in {time.monotonic() - started:.0f} s ==", flush=True)
            if failed:
                print(server_log.read_text()[-20000:], file=sys.stderr)
            return failed
        finally:
            server.terminate()
            server.wait(timeout=30)


def _sign_in(base: str, username: str, env: dict[str, str]) -> str:
    """Sign in through the login page, and the code page if the account needs its second
    factor; return the session as a Cookie header value (session and CSRF token)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def cookie(name: str) -> str:
        return next(c.value for c in jar if c.name == name)

    opener.open(f"{base}/accounts/login/")
    form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": cookie("csrftoken")}
    page = opener.open(
        urllib.request.Request(
            f"{base}/accounts/login/", data=urllib.parse.urlencode(form).encode()
        )
    )
    if "/second-factor/verify/" in page.url:
        code = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "demo_code"],
            check=True,
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        form = {"token": code, "csrfmiddlewaretoken": cookie("csrftoken")}
        page = opener.open(
            urllib.request.Request(page.url, data=urllib.parse.urlencode(form).encode())
        )
    session = f"sessionid={cookie('sessionid')}; csrftoken={cookie('csrftoken')}"
    # The API itself must let the session in, second factor and all.
    probe = urllib.request.Request(f"{base}/api/v1/tasks/", headers={"Cookie": session})
    try:
        urllib.request.urlopen(probe)
    except urllib.error.HTTPError as error:
        raise SystemExit(f"could not sign in as {username}: the API answers {error.code}") from None
    return session


def _wait(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer at {url}")


if __name__ == "__main__":
    sys.exit(main())

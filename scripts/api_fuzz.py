"""Fuzz the API with schemathesis against a seeded server: 0 server errors, 0 schema
violations, as three roles.

Migrates a scratch SQLite database, loads the demo data (``seed_demo``), starts the
development server on API_FUZZ_PORT (default 8270), and runs schemathesis with all its
checks against ``/api/v1/schema/``, authenticated (HTTP Basic) as a compliance officer, a
case manager and an investigator (API_FUZZ_ROLES), API_FUZZ_EXAMPLES examples per operation
(default 100).

    .venv/bin/python scripts/api_fuzz.py
"""

from __future__ import annotations

import http.cookiejar
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
PASSWORD = "demo"


def main() -> int:
    port = int(os.environ.get("API_FUZZ_PORT", "8270"))
    examples = os.environ.get("API_FUZZ_EXAMPLES", "100")
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
        )
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], check=True, env=env, cwd=ROOT)
        subprocess.run([*manage, "seed_demo"], check=True, env=env, cwd=ROOT)
        # The bundle is signed: a server without its key answers 503, as it should.
        subprocess.run([*manage, "signing_key", "generate"], check=True, env=env, cwd=ROOT)
        server = subprocess.Popen(
            [*manage, "runserver", "--noreload", "--nothreading", f"127.0.0.1:{port}"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(f"{scratch}/server.log", "w"),  # noqa: SIM115
        )
        try:
            _wait(f"http://127.0.0.1:{port}/accounts/login/")
            # Log every role in first: the fuzzer's made-up Basic credentials count as failed
            # logins and soon lock this address out of the login page (django-axes).
            headers = {role: _session_headers(f"http://127.0.0.1:{port}", role) for role in ROLES}
            failed = 0
            for role in ROLES:
                print(f"== schemathesis as {role} ==", flush=True)
                result = subprocess.run(
                    [
                        str(BIN / "schemathesis"),
                        "--no-color",
                        "--config-file",
                        str(ROOT / "scripts" / "schemathesis.toml"),
                        "run",
                        f"http://127.0.0.1:{port}/api/v1/schema/",
                        *headers[role],
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
                )
                failed |= result.returncode
            if failed:
                print((Path(scratch) / "server.log").read_text()[-20000:], file=sys.stderr)
            return failed
        finally:
            server.terminate()
            server.wait(timeout=30)


def _session_headers(base: str, username: str) -> list[str]:
    """Log in once through the login page and pass the session (and the CSRF token DRF
    asks of a session's writes) as headers: HTTP Basic would hash the password on every
    request, and the demo's passwords are hashed with Argon2, slow by design."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/accounts/login/")
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    form = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf}
    ).encode()
    opener.open(urllib.request.Request(f"{base}/accounts/login/", data=form))
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit(f"could not log in as {username}")
    cookie = f"sessionid={cookies['sessionid']}; csrftoken={cookies['csrftoken']}"
    return ["-H", f"Cookie: {cookie}", "-H", f"X-CSRFToken: {cookies['csrftoken']}"]


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

"""Production hardening: password hashing, sessions, login throttling, headers, deploy checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.test import Client

from tests.violations.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent


def test_passwords_are_hashed_with_argon2(db, settings):
    # The suite swaps in a fast hasher; the project's own setting is Argon2 first.
    from config import settings as project

    assert project.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS
    user = UserFactory(username="hashme")
    user.set_password("a long pass phrase 2026")
    user.save()
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.password.startswith("argon2$argon2id$")


def test_sessions_expire():
    from config import settings as project

    assert 0 < project.SESSION_COOKIE_AGE <= 8 * 3600
    assert project.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert project.SESSION_COOKIE_HTTPONLY is True


def test_login_page_renders_and_sends_the_user_to_their_tasks(db, world):
    client = Client()
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert b'name="username"' in page.content
    response = client.post("/accounts/login/", {"username": "officer", "password": "pw"})
    assert response.status_code == 302
    assert response["Location"] == "/work/case/inbox/"
    assert client.get("/work/case/inbox/").status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(db):
    response = Client().get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_repeated_failed_logins_lock_the_account_out(db, world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(2):
        response = client.post("/accounts/login/", {"username": "officer", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    locked = client.post("/accounts/login/", {"username": "officer", "password": "wrong"})
    assert locked.status_code == 429
    # Locked out means locked out: the right password does not get in either.
    again = client.post("/accounts/login/", {"username": "officer", "password": "pw"})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    # The same person at their own address is not locked out by someone else's guesses, and
    # neither is anyone else (tests/production/test_lockout.py: spraying from one address).
    own = Client(REMOTE_ADDR="198.51.100.20")
    assert (
        own.post("/accounts/login/", {"username": "officer", "password": "pw"}).status_code == 302
    )
    other = Client(REMOTE_ADDR="198.51.100.21")
    assert (
        other.post("/accounts/login/", {"username": "manager", "password": "pw"}).status_code == 302
    )


def test_security_headers_and_content_security_policy(db, world):
    client = Client()
    client.force_login(world.manager)
    response = client.get("/cases/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    # Every script the page loads comes from this site's static files; no inline script.
    body = response.content.decode()
    assert "<script>" not in body
    assert "onchange=" not in body
    assert "onclick=" not in body


@pytest.mark.parametrize("path", ["/accounts/login/", "/work/case/", "/work/case/flows/"])
def test_content_security_policy_on_viewflow_pages(db, world, path):
    client = Client()
    if path != "/accounts/login/":
        client.force_login(world.manager)
    response = client.get(path)
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_deploy_checks_pass_with_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "accountability.example",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

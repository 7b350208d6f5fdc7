"""PostgreSQL: the application's role owns no table and cannot rewrite the ledger.

A scratch database is migrated as an owner role through ``manage.py migrate`` with
``DATABASE_OWNER_URL`` (which grants ``DATABASE_APP_ROLE`` its rights), the application then
works as its own role, and each way of rewriting the ledger is tried as that role. Skipped on
SQLite, which has no roles.
"""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import errors

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="database roles are a PostgreSQL matter",
)

BASE_DIR = Path(settings.BASE_DIR)
SCRATCH = "sd_roles_scratch"
OWNER, APP = "sd_ledger_owner", "sd_ledger_app"
EVENTS, CHAINS = "violations_auditevent", "violations_auditchain"


def _server():
    db = settings.DATABASES["default"]
    return {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432}


def _url(role, password):
    s = _server()
    return f"postgres://{role}:{password}@{s['host']}:{s['port']}/{SCRATCH}"


def _as(role, password):
    return psycopg.connect(
        dbname=SCRATCH, user=role, password=password, autocommit=True, **_server()
    )


def _drop(admin):
    admin.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
    for role in (APP, OWNER):
        admin.execute(f"DROP ROLE IF EXISTS {role}")


def _manage(*args, env):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def scratch():
    db = settings.DATABASES["default"]
    admin = psycopg.connect(
        dbname="postgres", user=db["USER"], password=db["PASSWORD"], autocommit=True, **_server()
    )
    _drop(admin)
    admin.execute(f"CREATE ROLE {OWNER} LOGIN PASSWORD 'owner-pw'")
    admin.execute(f"CREATE ROLE {APP} LOGIN PASSWORD 'app-pw'")
    admin.execute(f"CREATE DATABASE {SCRATCH} OWNER {OWNER}")
    app_env = {"DATABASE_URL": _url(APP, "app-pw")}
    try:
        out = _manage(
            "migrate",
            "--noinput",
            env={
                **app_env,
                "DATABASE_OWNER_URL": _url(OWNER, "owner-pw"),
                "DATABASE_APP_ROLE": APP,
            },
        )
        assert f"Granted the application role {APP}." in out
        # Granting again (after a restore, say) is the same grant.
        granted = _manage(
            "grant_app_role", APP, env={**app_env, "DATABASE_OWNER_URL": _url(OWNER, "owner-pw")}
        )
        assert f'GRANT SELECT, INSERT ON "{EVENTS}" TO "{APP}"' in granted
        # The application works as its own role: a new account is a security event, which
        # inserts an event and moves the system chain's head.
        _manage(
            "shell",
            "-c",
            "from django.contrib.auth.models import User; User.objects.create_user('clerk')",
            env=app_env,
        )
        yield
    finally:
        _drop(admin)
        admin.close()


def _count(conn, table):
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_the_tables_belong_to_the_owner_and_the_app_wrote_through_its_role(scratch):
    with _as(APP, "app-pw") as app:
        owners = app.execute(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        assert owners == [(OWNER,)]
        action, payload = app.execute(
            f"SELECT action, payload FROM {EVENTS} ORDER BY id DESC LIMIT 1"
        ).fetchone()
        assert (action, payload["username"]) == ("user.created", "clerk")


@pytest.mark.parametrize(
    ("statement", "error"),
    [
        (f"UPDATE {EVENTS} SET reason = 'rewritten'", errors.InsufficientPrivilege),
        (f"DELETE FROM {EVENTS}", errors.InsufficientPrivilege),
        (f"TRUNCATE {EVENTS}", errors.InsufficientPrivilege),
        (f"TRUNCATE {CHAINS} CASCADE", errors.InsufficientPrivilege),
        (f"DELETE FROM {CHAINS}", errors.InsufficientPrivilege),
        (f"UPDATE {CHAINS} SET key = 'case:0'", errors.InsufficientPrivilege),
        # The head columns an append moves may be updated, but only one event forward.
        (f"UPDATE {CHAINS} SET length = 0, head_hash = repeat('0', 64)", errors.RaiseException),
        (
            f"ALTER TABLE {EVENTS} DISABLE TRIGGER auditevent_append_only",
            errors.InsufficientPrivilege,
        ),
        (f"ALTER TABLE {CHAINS} DISABLE TRIGGER ALL", errors.InsufficientPrivilege),
        ("SET session_replication_role = replica", errors.InsufficientPrivilege),
        (f"DROP TABLE {EVENTS} CASCADE", errors.InsufficientPrivilege),
        ("DELETE FROM django_migrations", errors.InsufficientPrivilege),
    ],
)
def test_the_app_role_cannot_rewrite_the_ledger(scratch, statement, error):
    with _as(APP, "app-pw") as app:
        before = (
            _count(app, EVENTS),
            app.execute(f"SELECT key, length, head_hash FROM {CHAINS} ORDER BY id").fetchall(),
        )
        with pytest.raises(error):
            app.execute(statement)
        after = (
            _count(app, EVENTS),
            app.execute(f"SELECT key, length, head_hash FROM {CHAINS} ORDER BY id").fetchall(),
        )
        assert before[0] > 0
        assert after == before


@pytest.mark.parametrize(
    "statement",
    [f"TRUNCATE {EVENTS}", f"TRUNCATE {CHAINS} CASCADE", f"UPDATE {EVENTS} SET reason = 'x'"],
)
def test_the_triggers_refuse_the_owner_too(scratch, statement):
    with _as(OWNER, "owner-pw") as owner:
        before = _count(owner, EVENTS)
        with pytest.raises(errors.RaiseException, match="append-only"):
            owner.execute(statement)
        assert _count(owner, EVENTS) == before


def test_what_the_owner_can_still_do_is_what_checkpoints_are_for(scratch):
    """The owner may switch the triggers off (docs/reliability.md says so): the database
    cannot protect the ledger from its owner; a checkpoint kept outside it can."""
    with _as(OWNER, "owner-pw") as owner, owner.transaction(force_rollback=True):
        owner.execute(f"ALTER TABLE {EVENTS} DISABLE TRIGGER auditevent_append_only")
        owner.execute(f"UPDATE {EVENTS} SET reason = 'rewritten'")

"""The documented backup (docs/deploy.md): a pg_dump restored into a fresh database passes
verify_audit against the last checkpoint, and a restore missing the newest event does not."""

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from ledger.models import AuditChain
from violations.audit import chain_key

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def database_url(name: str) -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


@pytest.fixture
def fresh_database():
    """Makes empty databases (prod_restore_<pid>_<n>) and drops them afterwards."""
    import psycopg

    admin = database_url("postgres")
    made: list[str] = []

    def make() -> str:
        name = f"prod_restore_{os.getpid()}_{len(made)}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return database_url(name)

    yield make
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def backup(path: Path) -> Path:
    """The documented dump: pg_dump --format=custom of the live database."""
    url = database_url(connection.settings_dict["NAME"])
    subprocess.run(["pg_dump", "--format=custom", f"--file={path}", url], check=True, timeout=120)
    return path


def restore(dump: Path, url: str) -> str:
    subprocess.run(
        ["pg_restore", "--no-owner", f"--dbname={url}", str(dump)], check=True, timeout=120
    )
    return url


def verify_audit(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="1", DATABASE_URL=url)
    return subprocess.run(
        [sys.executable, "manage.py", "verify_audit", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_restored_dump_verifies_against_the_last_checkpoint(
    world, walk, fresh_database, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore: the PostgreSQL run of the suite covers this")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump / pg_restore are not installed")
    case = walk.report()
    walk.verify(case)
    older = backup(tmp_path / "older.dump")
    walk.form_team(case)
    # The checkpoint: the case chain's head as a regulator bundle would record it.
    chain = AuditChain.objects.get(key=chain_key(case))
    checkpoint = ["--case", case.reference, "--head", chain.head_hash]
    checkpoint += ["--head-seq", str(chain.length)]
    latest = backup(tmp_path / "latest.dump")

    restored = restore(latest, fresh_database())
    result = verify_audit(restored, *checkpoint)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("intact:")
    assert verify_audit(restored).returncode == 0  # every chain, every record

    # A backup from before the checkpoint is intact in itself, but is caught lacking the
    # newest events: the checkpoint is what tells a complete restore from a stale one.
    stale = restore(older, fresh_database())
    assert verify_audit(stale).returncode == 0
    result = verify_audit(stale, *checkpoint)
    assert result.returncode == 1
    assert "BROKEN" in result.stderr

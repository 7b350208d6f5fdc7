"""Settings that protect data: SQLite's journal and locking, and the secret key rule."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_sqlite_runs_wal_normal_and_immediate_transactions():
    if connection.vendor != "sqlite":
        # On PostgreSQL the SQLite-only options must not leak into the connection.
        assert connection.vendor == "postgresql"
        assert "transaction_mode" not in connection.settings_dict.get("OPTIONS", {})
        assert "init_command" not in connection.settings_dict.get("OPTIONS", {})
        return
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        # 1 is NORMAL.
        assert cursor.execute("PRAGMA synchronous").fetchone()[0] == 1
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def _settings_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(extra)
    return env


def test_secret_key_is_required_when_debug_is_off():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=_settings_env(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="off"),
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_database_url_selects_postgresql():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=_settings_env(
            DJANGO_SETTINGS_MODULE="config.settings",
            DJANGO_DEBUG="on",
            DATABASE_URL="postgres://u@db.example:5432/acc",
        ),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.postgresql"

"""A fresh database for each run, chosen before Django reads its settings.

A SQLite file in a temporary directory, or, when DATABASE_URL names a PostgreSQL server, a
scratch database ``bench_<pid>`` created on that server and dropped at the end.
"""

from __future__ import annotations

import atexit
import os
import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlparse, urlunparse

# Media, signing keys and export files of the run live here.
TMP = Path(tempfile.mkdtemp(prefix="accountability-bench-"))
_scratch_pg: dict | None = None


def _fresh_database() -> str:
    global _scratch_pg
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{TMP / 'bench.sqlite3'}"
    import psycopg

    parts = urlparse(url)
    name = f"bench_{os.getpid()}"
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    _scratch_pg = {"admin": admin, "name": name}
    atexit.register(drop_scratch)
    return urlunparse(parts._replace(path=f"/{name}"))


def drop_scratch() -> None:
    """Drop the scratch PostgreSQL database, if one was made (safe to call twice)."""
    global _scratch_pg
    if not _scratch_pg:
        return
    import psycopg

    try:
        from django.db import connections

        connections.close_all()
    except Exception:
        pass
    with psycopg.connect(_scratch_pg["admin"], autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{_scratch_pg["name"]}" WITH (FORCE)')
    _scratch_pg = None


def setup() -> None:
    """Point Django at a fresh database and the run's own directories, then set it up."""
    os.environ["DATABASE_URL"] = _fresh_database()
    # The project's settings with this package installed, for the bare flow (see settings.py).
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    # Measured as deployed: with DEBUG on, Django logs and formats every statement, which costs
    # as much as some statements take to run.
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"  # the pages are requested over plain HTTP
    os.environ["ACCOUNTABILITY_MEDIA_ROOT"] = str(TMP / "media")
    os.environ["ACCOUNTABILITY_SIGNING_KEY"] = str(TMP / "keys" / "signing_key.pem")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")
    os.environ["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

    import django

    django.setup()

"""`make serve`: the production configuration on this machine, for anyone to try.

DEBUG off, PostgreSQL, gunicorn, whitenoise's hashed static files; plain HTTP on
127.0.0.1 (so the secure-cookie and HTTPS-redirect settings are relaxed, and only those).
Creates the database if it is missing, migrates, builds the static files, makes a signing
key and loads the demo data once, then runs gunicorn in the foreground (Ctrl-C stops it).

    make serve                                   # http://127.0.0.1:8000, officer / demo
    SERVE_PORT=8105 SERVE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/prod_serve make serve
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def production_env(*, database_url: str, secret_key: str, **extra: str) -> dict[str, str]:
    """The environment of a production node served over plain HTTP on this machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="off",
        DJANGO_SECRET_KEY=secret_key,
        DATABASE_URL=database_url,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain HTTP on loopback: no TLS to redirect to, so cookies cannot be Secure-only.
        DJANGO_SECURE_SSL_REDIRECT="off",
        DJANGO_SECURE_COOKIES="off",
        DJANGO_HSTS_SECONDS="0",
    )
    env.update(extra)
    return env


def ensure_database(database_url: str) -> None:
    """CREATE DATABASE if the PostgreSQL database of the URL does not exist yet."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict[str, str], *args: str, quiet: bool = False) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def prepare(env: dict[str, str], *, seed: bool = True) -> None:
    """Migrate, collect static files, make the signing key once, load the demo once."""
    manage(env, "migrate", "--noinput", quiet=True)
    manage(env, "collectstatic", "--noinput", quiet=True)
    key = subprocess.run(
        [PYTHON, "manage.py", "signing_key", "public"], cwd=ROOT, env=env, capture_output=True
    )
    if key.returncode != 0:
        manage(env, "signing_key", "generate", quiet=True)
    if seed:
        manage(env, "seed_demo")


def gunicorn_command(port: int, *, workers: int = 2) -> list[str]:
    return [
        str(BIN / "gunicorn"),
        "-c",
        str(ROOT / "deploy" / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "config.wsgi",
    ]


def secret_key(path: Path) -> str:
    """A key made once and kept, so sessions survive a restart."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def main() -> None:
    port = int(os.environ.get("SERVE_PORT", "8000"))
    database_url = os.environ.get(
        "SERVE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/accountability_serve"
    )
    var = ROOT / "var" / "serve"
    env = production_env(
        database_url=database_url,
        secret_key=secret_key(var / "secret_key"),
        DJANGO_STATIC_ROOT=str(var / "static"),
        ACCOUNTABILITY_MEDIA_ROOT=str(var / "media"),
        ACCOUNTABILITY_SIGNING_KEY=str(var / "signing_key.pem"),
    )
    ensure_database(database_url)
    prepare(env)
    print(f"Serving the production configuration on http://127.0.0.1:{port}", flush=True)
    print("Log in as officer / demo (see README for every role). Ctrl-C stops.", flush=True)
    os.chdir(ROOT)
    os.execve(gunicorn_command(port)[0], gunicorn_command(port), env)


if __name__ == "__main__":
    main()

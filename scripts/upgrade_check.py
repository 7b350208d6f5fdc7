"""An installation seeded before the house was rebuilt migrates, and its open cases close.

    .venv/bin/python scripts/upgrade_check.py [--from REV]

1. Takes the code of ``REV`` (default: the last commit before ``ledger/`` and ``casework/``
   existed) out of git into a temporary folder, and with it migrates a fresh database and
   loads the demo data (about 28 cases in every stage).
2. Migrates that database with the code of this checkout (the audit tables move to the
   ledger, viewflow's stored flow paths move to ``casework``), and checks the audit trail.
3. Drives every open case to its close with the demo's canned answers, firing timers as
   the dispatcher would, and checks the audit trail again.

Uses a SQLite file, or a scratch database ``upgrade_<pid>`` on the server DATABASE_URL names
when it is PostgreSQL (dropped at the end). Exit 0 when every case closed and both checks
passed; exit 1 naming what failed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
BEFORE_THE_HOUSE = "adf2e0b"
MAX_ROUNDS = 40


def scratch_database(tmp: Path) -> tuple[str, callable]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'upgrade.sqlite3'}", lambda: None
    import psycopg

    parts = urlparse(url)
    name = f"upgrade_{os.getpid()}"
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunparse(parts._replace(path=f"/{name}")), drop


def manage(cwd: Path, env: dict, *args: str) -> None:
    print(f"$ ({cwd.name}) manage.py {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, "manage.py", *args], cwd=cwd, env=env, check=True)


def seed_before(rev: str, old: Path, env: dict) -> None:
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    manage(old, env, "migrate", "--noinput")
    manage(old, env, "seed_demo")


def close_every_case() -> list[str]:
    """Drive each open case to its close; the references of those that would not close."""
    import datetime as dt

    import time_machine
    from django.utils import timezone
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from demo.driver import Driver
    from violations import services
    from violations.models import Case, Stage, TeamMember

    driver = Driver()
    stuck = []
    for case in Case.objects.exclude(stage=Stage.CLOSED).order_by("pk"):
        for _round in range(MAX_ROUNDS):
            case.refresh_from_db()
            if case.stage == Stage.CLOSED:
                break
            for member in TeamMember.objects.filter(
                case=case, active=True, declared_at__isnull=True
            ):
                services.team_declare(case=case, actor=member.user, has_conflict=False)
            names = driver.names(case)
            if names:
                driver.step(case, names[0])
                continue
            timers = Task.objects.filter(process_id=case.process_id, status=STATUS.SCHEDULED)
            if not timers.exists():
                break
            for timer in timers:
                when = max(timer.scheduled, timezone.now()) + dt.timedelta(seconds=1)
                with time_machine.travel(when, tick=False), timer.activation() as activation:
                    activation.start()
                    activation.execute()
        case.refresh_from_db()
        if case.stage != Stage.CLOSED:
            stuck.append(f"{case.reference} (stage {case.stage}, open: {driver.names(case)})")
    return stuck


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--from",
        dest="rev",
        default=BEFORE_THE_HOUSE,
        help="the git revision whose code seeds the database",
    )
    args = parser.parse_args(argv)
    known = subprocess.run(
        ["git", "cat-file", "-e", f"{args.rev}^{{commit}}"], cwd=ROOT, capture_output=True
    )
    if known.returncode != 0:
        parser.error(f"no commit {args.rev!r} in this clone (a full clone has it)")
    with tempfile.TemporaryDirectory(prefix="accountability-upgrade-") as tmp:
        tmp = Path(tmp)
        url, drop = scratch_database(tmp)
        django_ready = False
        try:
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "DJANGO_DEBUG": "1",
                "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "ACCOUNTABILITY_MEDIA_ROOT": str(tmp / "media"),
            }
            old = tmp / "before"
            old.mkdir()
            seed_before(args.rev, old, env)
            manage(ROOT, env, "migrate", "--noinput")
            manage(ROOT, env, "verify_audit")

            os.environ.update(env)
            sys.path.insert(0, str(ROOT))
            import django

            django.setup()
            django_ready = True
            from django.core.management import call_command

            from violations.models import Case, Stage

            open_before = Case.objects.exclude(stage=Stage.CLOSED).count()
            stuck = close_every_case()
            call_command("verify_audit")
            if stuck:
                print("FAILED: these cases did not close:\n  " + "\n  ".join(stuck))
                return 1
            print(
                f"upgrade from {args.rev}: {open_before} open cases migrated and closed; "
                "the audit trail is intact"
            )
            return 0
        finally:
            if django_ready:
                from django.db import connections

                connections.close_all()
            drop()


if __name__ == "__main__":
    sys.exit(main())

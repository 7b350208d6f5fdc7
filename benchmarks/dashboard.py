"""The supervision dashboard (GET /supervision/) at 100,000 and 1,000,000 cases.

Runs in-process (Django's test client, logged in as the internal auditor, who sees every
case, with the second factor passed) against the PostgreSQL database DATABASE_URL names
(default …/dashboard_bench): it is kept, not dropped, and grown with
``benchmarks.scale.seed_cases_sql`` to each size of DASHBOARD_SIZES in turn (a database
that already has the cases is reused as it is). Times DASHBOARD_REQUESTS requests (10) per
size and view, counts the statements of one and keeps its five slowest (with their time):

- the default view: the last twelve months;
- ``?department=`` and ``?category=``: the first top department and top category (each
  with those below it), the dashboard form's filters;
- ``?from=`` ten years back: every seeded case.

Prints a Markdown table and writes benchmarks/results/<time>-dashboard.json.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dashboard_bench python benchmarks/dashboard.py
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dashboard_bench")
os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
os.environ["DJANGO_DEBUG"] = "0"  # measured as deployed
os.environ.setdefault("DJANGO_SECRET_KEY", "dashboard-benchmark-only")
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")


def ensure_database(url: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    name = parts.path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from benchmarks.report import RESULTS_DIR, Statements, ms, pct
    from benchmarks.scale import seed_cases_sql
    from demo.world import build_world

    sizes = [int(s) for s in os.environ.get("DASHBOARD_SIZES", "100000,1000000").split(",")]
    requests = int(os.environ.get("DASHBOARD_REQUESTS", "10"))
    call_command("migrate", verbosity=0)
    User = get_user_model()
    world = None if User.objects.filter(username="auditor").exists() else build_world(password="pw")
    auditor = User.objects.get(username="auditor")
    device = TOTPDevice.objects.filter(user=auditor, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=auditor, name="bench", confirmed=True)
    client = Client()
    client.force_login(auditor)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    from violations.models import Department, ViolationCategory

    since = (timezone.localdate() - dt.timedelta(days=3653)).isoformat()
    # A top department (with those below it) and a top category: the filters of the form.
    department = Department.objects.filter(parent=None).order_by("code").first()
    category = ViolationCategory.objects.filter(parent=None).order_by("code").first()
    views = {
        "default": "/supervision/",
        f"department {department.code}": f"/supervision/?department={department.pk}",
        f"category {category.code}": f"/supervision/?category={category.pk}",
        "ten years": f"/supervision/?from={since}",
    }
    # Static files are not collected here: their plain names, not the manifest's.
    from django.conf import settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    out: dict = {}
    for size in sizes:
        took = seed_cases_sql(world, size)
        print(f"seeded to {size:,} cases in {took:.0f} s", flush=True)
        out[size] = {}
        for label, url in views.items():
            with override_settings(ALLOWED_HOSTS=["*"], STORAGES=storages):
                first = client.get(url)
                if first.status_code != 200:
                    out[size][label] = {"error": first.status_code}
                    continue
                with Statements() as ctx:
                    client.get(url)
                times = []
                for _ in range(requests):
                    t0 = time.perf_counter()
                    client.get(url)
                    times.append(time.perf_counter() - t0)
            slowest = sorted(ctx.captured_queries, key=lambda q: -q["ms"])[:5]
            out[size][label] = {
                "p50_ms": ms(pct(times, 50)),
                "p95_ms": ms(pct(times, 95)),
                "queries": len(ctx.captured_queries),
                "statements_ms": round(sum(q["ms"] for q in ctx.captured_queries)),
                "slowest": [
                    {"ms": round(q["ms"], 1), "sql": q["sql"], "params": repr(q["params"])}
                    for q in slowest
                ],
            }
            print(f"{size:,} {label}: {out[size][label]['p95_ms']:.0f} ms p95", flush=True)
    load = os.getloadavg()
    print(f"\nload average {load[0]:.1f} (1 min), {load[2]:.1f} (15 min)\n")
    print("| cases | view | p50 | p95 | queries |\n| --- | --- | --- | --- | --- |")
    for size, rows in out.items():
        for label, row in rows.items():
            if "error" in row:
                print(f"| {size:,} | {label} | HTTP {row['error']} | | |")
                continue
            print(
                f"| {size:,} | {label} | {row['p50_ms']:.0f} ms | {row['p95_ms']:.0f} ms "
                f"| {row['queries']} |"
            )
    path = RESULTS_DIR / f"{time.strftime('%Y%m%dT%H%M%S')}-dashboard.json"
    path.write_text(json.dumps({"load_average": load, "sizes": out}, indent=2))
    return 0 if all("error" not in r for rows in out.values() for r in rows.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

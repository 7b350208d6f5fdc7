import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from jobs.registry import JOBS
from jobs.runner import run_due


class Command(BaseCommand):
    help = (
        "Run the scheduled jobs (docs/operations.md lists them): each when it is due, on one "
        "machine at a time. Loops until stopped; --once makes one pass and exits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument(
            "--job",
            action="append",
            dest="jobs",
            metavar="NAME",
            help="only this job (repeatable)",
        )
        parser.add_argument(
            "--force", action="store_true", help="run the jobs named now, due or not"
        )
        parser.add_argument(
            "--sleep", type=float, default=5.0, help="seconds between passes (default 5)"
        )
        parser.add_argument("--list", action="store_true", help="list the jobs and exit")

    def handle(self, *args, once=False, jobs=None, force=False, sleep=5.0, list=False, **options):
        known = {job.name for job in JOBS}
        unknown = sorted(set(jobs or []) - known)
        if unknown:
            raise CommandError(
                f"Unknown job(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}."
            )
        if force and not jobs:
            raise CommandError("--force runs only jobs named with --job.")
        if sleep <= 0:
            raise CommandError("--sleep must be a positive number of seconds.")
        if list:
            for job in JOBS:
                self.stdout.write(f"{job.name:24} every {job.every}  {job.description}")
            return
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        failed = False
        while True:
            for outcome in run_due(names=jobs, force=force):
                if outcome.ran:
                    failed |= not outcome.ok
                    style = self.style.SUCCESS if outcome.ok else self.style.ERROR
                    self.stdout.write(style(f"{outcome.job}: {outcome.summary}"))
            if once or stopping:
                break
            time.sleep(sleep)
            # A long-running loop: drop a connection the database closed or that aged out.
            close_old_connections()
        if once and failed:
            raise CommandError("A job failed (see above).")

"""manage.py export_case REF --out DIR | export_case --all --closed-since YYYY-MM-DD --out DIR"""

import datetime as dt
import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import reset_queries

from reports import services, signing
from reports.bundle import BundleError
from reports.casefile import Profile
from reports.labels import LANGUAGES
from reports.selectors import closed_cases
from violations.exceptions import NotAllowed, ServiceError
from violations.models import Case

from ._common import case_by_reference, resolve_actor


class Command(BaseCommand):
    help = (
        "Export signed case bundles (ZIP: PDF, case.json, events.json, evidence, signed manifest)."
    )

    def add_arguments(self, parser):
        parser.add_argument("reference", nargs="?", help="case reference (or --all)")
        parser.add_argument(
            "--all", action="store_true", help="every case closed since --closed-since"
        )
        parser.add_argument("--closed-since", help="YYYY-MM-DD, with --all")
        parser.add_argument("--out", required=True, help="directory for the bundles")
        parser.add_argument(
            "--profile",
            default=Profile.REGULATOR.value,
            help=f"one of {', '.join(p.value for p in Profile)}",
        )
        parser.add_argument(
            "--lang", default="en", help=f"language of the PDF: {', '.join(LANGUAGES)}"
        )
        parser.add_argument("--recipient", default="", help="who receives the bundle (recorded)")
        parser.add_argument("--actor", help="username to record as exporter (default: system)")

    @staticmethod
    def _since(*, reference, all, closed_since) -> dt.date | None:
        """The closing date from which --all exports, after checking the arguments go
        together (None for a single case)."""
        if all == bool(reference):
            raise CommandError("Give either a case reference or --all --closed-since YYYY-MM-DD.")
        if closed_since and not all:
            raise CommandError("--closed-since goes with --all.")
        if not all:
            return None
        if not closed_since:
            raise CommandError("--all needs --closed-since YYYY-MM-DD.")
        try:
            return dt.date.fromisoformat(closed_since)
        except ValueError:
            raise CommandError(
                f"--closed-since {closed_since!r} is not a date (YYYY-MM-DD)."
            ) from None

    def handle(
        self, *args, reference, all, closed_since, out, profile, lang, recipient, actor, **options
    ):
        since = self._since(reference=reference, all=all, closed_since=closed_since)
        if profile not in {p.value for p in Profile}:
            raise CommandError(
                f"Unknown profile {profile!r}: use one of {', '.join(p.value for p in Profile)}."
            )
        if lang not in LANGUAGES:
            raise CommandError(f"Unknown language {lang!r}: use one of {', '.join(LANGUAGES)}.")
        user = resolve_actor(actor)
        try:
            signing.load_private_key()
        except signing.SigningKeyError as exc:
            raise CommandError(str(exc)) from None
        directory = Path(out)
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"{directory} exists and is not a directory.")
        directory.mkdir(parents=True, exist_ok=True)

        def export(case: Case) -> Path:
            target = directory / f"{case.reference}-{profile}.zip"
            tmp = target.with_suffix(".zip.part")
            try:
                with open(tmp, "wb") as fh:
                    services.bundle_export(
                        case=case,
                        actor=user,
                        dest=fh,
                        profile=profile,
                        lang=lang,
                        recipient=recipient,
                    )
                os.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
            return target

        if not all:
            case = case_by_reference(reference)
            try:
                target = export(case)
            except (NotAllowed, ServiceError, BundleError) as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"{case.reference}: {target}")
            return

        total = closed_cases(since, ids_only=True).count()
        failures = []
        done = 0
        for case in closed_cases(since):
            done += 1
            try:
                target = export(case)
                status = target.name
            except (NotAllowed, ServiceError, BundleError) as exc:
                failures.append(f"{case.reference}: {exc}")
                status = f"FAILED: {exc}"
            self._progress(done, total, f"{case.reference} {status}")
            reset_queries()  # DEBUG keeps every query otherwise
        if total:
            self.stderr.write("")
        self.stdout.write(f"{done - len(failures)} of {total} bundles written to {directory}")
        if failures:
            raise CommandError("Some cases were not exported:\n" + "\n".join(failures))

    def _progress(self, done: int, total: int, text: str) -> None:
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "-" * (width - filled)
        self.stderr.write(f"\r[{bar}] {done}/{total} {text}", ending="")
        sys.stderr.flush()

"""manage.py regulator_stats --period 2026-11|2026-Q4 --language zh_Hant --out DIR"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports import signing
from reports.labels import LANGUAGES, normalise_language
from reports.supervision import regulator
from violations.exceptions import NotAllowed

from ._common import resolve_actor


class Command(BaseCommand):
    help = (
        "Write the signed statistical report for the regulator (PDF, XLSX, JSON and a signed "
        "manifest in a ZIP, verifiable with verify_bundle) for a month or a quarter."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", required=True, help="a month (2026-11) or quarter (2026-Q4)"
        )
        parser.add_argument(
            "--language", default="en", help=f"language of the report: {', '.join(LANGUAGES)}"
        )
        parser.add_argument("--out", required=True, help="directory for the ZIP")
        parser.add_argument("--recipient", default="", help="who receives it (recorded)")
        parser.add_argument("--actor", help="username to record as author (default: system)")

    def handle(self, *args, **opts):
        try:
            period = regulator.parse_period(opts["period"])
        except ValueError:
            raise CommandError("--period takes a month (2026-11) or a quarter (2026-Q4).") from None
        try:
            regulator.require_begun(period)
        except ValueError:
            raise CommandError(f"{period.label} has not begun.") from None
        try:
            lang = normalise_language(opts["language"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        out = Path(opts["out"])
        out.mkdir(parents=True, exist_ok=True)
        actor = resolve_actor(opts.get("actor"))
        path = out / f"statistics-{period.label}-{lang}.zip"
        try:
            with open(path, "wb") as dest:
                result = regulator.statistics_export(
                    period=period, lang=lang, actor=actor, dest=dest, recipient=opts["recipient"]
                )
        except (signing.SigningKeyError, NotAllowed) as exc:
            path.unlink(missing_ok=True)
            raise CommandError(str(exc)) from None
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        self.stdout.write(f"{path}  manifest SHA-256 {result.manifest_sha256}")

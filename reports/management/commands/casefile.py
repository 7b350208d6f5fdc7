"""manage.py casefile REF -o FILE.pdf [--lang en|zh-hant|zh-hans] [--profile ...]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports import services
from reports.casefile import Profile
from reports.labels import LANGUAGES
from violations.exceptions import ServiceError

from ._common import NotAllowed, case_by_reference, resolve_actor


class Command(BaseCommand):
    help = "Write the case file of one case as PDF."

    def add_arguments(self, parser):
        parser.add_argument("reference")
        parser.add_argument("-o", "--output", required=True, help="PDF file to write")
        parser.add_argument("--lang", default="en", help=f"one of {', '.join(LANGUAGES)}")
        parser.add_argument(
            "--profile",
            default=Profile.INTERNAL.value,
            help=f"one of {', '.join(p.value for p in Profile)}",
        )
        parser.add_argument("--recipient", default="", help="who receives the file (recorded)")
        parser.add_argument("--actor", help="username to record as exporter (default: system)")

    def handle(self, *args, reference, output, lang, profile, recipient, actor, **options):
        if lang not in LANGUAGES:
            raise CommandError(f"Unknown language {lang!r}: use one of {', '.join(LANGUAGES)}.")
        if profile not in {p.value for p in Profile}:
            raise CommandError(
                f"Unknown profile {profile!r}: use one of {', '.join(p.value for p in Profile)}."
            )
        user = resolve_actor(actor)
        case = case_by_reference(reference)
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"The directory {target.parent} does not exist.")
        try:
            pdf = services.casefile_export(
                case=case, actor=user, profile=profile, lang=lang, recipient=recipient
            )
        except (NotAllowed, ServiceError) as exc:
            raise CommandError(str(exc)) from None
        target.write_bytes(pdf)
        self.stdout.write(f"{case.reference}: {target} ({len(pdf):,} bytes, {profile}, {lang})")

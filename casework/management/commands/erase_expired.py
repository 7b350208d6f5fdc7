"""Erase the personal data of closed cases whose retention ran out (also the scheduled job
``erase_expired``)."""

from django.core.management.base import BaseCommand

from casework.retention import erase_expired


class Command(BaseCommand):
    help = (
        "Erase the personal data of closed cases whose retention has run out and that are "
        "not on legal hold. --dry-run lists them and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List, change nothing.")

    def handle(self, *args, dry_run=False, **options):
        result = erase_expired(dry_run=dry_run)
        for reference in result.cases:
            self.stdout.write(f"{'would erase' if dry_run else 'erased'} {reference}")
        if dry_run:
            self.stdout.write(f"{len(result.cases)} case(s) due for erasure")
        else:
            self.stdout.write(result.summary())

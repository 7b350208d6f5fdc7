from django.core.management.base import BaseCommand

from sanctions.services import sanction_expire_due


class Command(BaseCommand):
    help = "Expire executed sanctions whose record period is over. Run daily; safe to re-run."

    def handle(self, *args, **options):
        n = sanction_expire_due()
        self.stdout.write(f"{n} sanction(s) expired.")

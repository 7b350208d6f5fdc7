from django.core.management.base import BaseCommand

from casework.services import defence_close_overdue


class Command(BaseCommand):
    help = (
        "Record 'no statement by the deadline' for persons whose defence window has run out "
        "and send those proposals to approval. Run daily; safe to re-run."
    )

    def handle(self, *args, **options):
        n = defence_close_overdue()
        self.stdout.write(f"{n} defence window(s) closed.")
